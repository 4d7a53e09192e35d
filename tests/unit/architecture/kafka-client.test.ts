import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allSources, kafkaClientImports } from '../../support/import-graph.js';

/** The adapter modules behind our Kafka interface (core/kafka/client.ts): the only importers of a client package. */
const ADAPTERS = ['core/kafka/kafkajs-client.ts', 'core/kafka/platformatic-client.ts'];

describe('one Kafka interface (docs/decisions/004-kafka-client.md)', () => {
  it('no module outside the Kafka adapters imports a Kafka client package — tests, scripts and benches included', () => {
    const files = allSources(resolve(import.meta.dirname, '../../..'));
    expect(files.size).toBeGreaterThan(300);
    for (const a of ADAPTERS) expect(files.has(a), a).toBe(true);
    expect(kafkaClientImports(files, ADAPTERS)).toEqual([]);
  });

  it('the check sees static, type-only, dynamic and require imports of each client package, and nothing else', () => {
    const found = kafkaClientImports(
      new Map([
        ['hub/a.ts', `import { Kafka } from 'kafkajs';`],
        ['connectors/b.ts', `import type { Producer } from 'kafkajs';`],
        ['stack/c.ts', `const { Kafka } = await import('kafkajs');`],
        ['tests/d.test.ts', `import { Producer } from '@platformatic/kafka';`],
        ['scripts/e.cjs', `const k = require('@confluentinc/kafka-javascript');`],
        ['bench/f.ts', `import { x } from 'kafkajs/src/protocol/message';`],
        ['core/kafka/kafkajs-client.ts', `import { Kafka } from 'kafkajs';`],
        // (fixtures as template literals, which the check skips in this file's own text)
        // not a Kafka client: the registry client, our own interface, other packages
        ['schemas/g.ts', `import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';\nimport type { Kafka } from '../core/kafka/client.js';\nimport pino from 'pino';`],
        ['connectors/h.ts', 'const scaffold = `import { Kafka } from \'kafkajs\';`;'],
      ]),
      ['core/kafka/kafkajs-client.ts'],
    );
    expect(found.map((v) => `${v.file} → ${v.imports}`)).toEqual([
      'hub/a.ts → kafkajs',
      'connectors/b.ts → kafkajs',
      'stack/c.ts → kafkajs',
      'tests/d.test.ts → @platformatic/kafka',
      'scripts/e.cjs → @confluentinc/kafka-javascript',
      'bench/f.ts → kafkajs/src/protocol/message',
    ]);
  });
});
