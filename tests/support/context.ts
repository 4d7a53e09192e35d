/**
 * Per-test-file isolation on the shared stack: a topic prefix and a PostgreSQL schema of its own,
 * and the environment a CountyHub process needs to use them.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createKafka } from '../../core/kafka.js';
import { topics, type Topics } from '../../schemas/index.js';
import { SchemaCodec } from '../../schemas/registry.js';
import type { StackAddress } from '../../stack/index.js';

export const TEST_PERSONAL_DATA_KEY = 'test-county-key-0123456789abcdef';

export interface TestContext {
  stack: StackAddress;
  id: string;
  prefix: string;
  topics: Topics;
  dbSchema: string;
  env: Record<string, string>;
}

export function testContext(label: string): TestContext {
  const stack = inject('stack');
  const id = `${label}_${randomBytes(3).toString('hex')}`;
  const prefix = `t.${id}`;
  const dbSchema = `t_${id}`;
  return {
    stack,
    id,
    prefix,
    topics: topics(prefix),
    dbSchema,
    env: {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
      DATABASE_URL: stack.databaseUrl,
      TOPIC_PREFIX: prefix,
      DB_SCHEMA: dbSchema,
      PERSONAL_DATA_KEY: TEST_PERSONAL_DATA_KEY,
    },
  };
}

export function kafkaFor(ctx: TestContext, clientId = 'test') {
  return createKafka(ctx.stack.kafkaBrokers, clientId);
}

export function codecFor(ctx: TestContext): SchemaCodec {
  return new SchemaCodec(ctx.stack.schemaRegistryUrl, ctx.topics);
}
