/** The record topics of a test context, created before anything is produced to them. */
import { ensureTopics } from '../../core/kafka.js';
import { kafkaFor, type TestContext } from './context.js';

export async function createTopics(ctx: TestContext): Promise<void> {
  const admin = kafkaFor(ctx, 'topics').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, ctx.topics);
  } finally {
    await admin.disconnect();
  }
}
