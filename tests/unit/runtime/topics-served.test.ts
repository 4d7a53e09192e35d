import { describe, expect, it } from 'vitest';
import { untilTopicsServed } from '../../../core/kafka.js';

/** A broker's answers in order, as a busy cluster gives them: the helper is judged on what it does with each. */
function cluster(answers: Array<'unknown-partition' | 'no-leader' | 'served'>, listed: string[]) {
  const calls = { metadata: 0, created: [] as string[] };
  const retriable = Object.assign(new Error('This server does not host this topic-partition'), { retriable: true });
  return {
    calls,
    admin: {
      listTopics: async () => listed,
      createTopics: async ({ topics }: { topics: Array<{ topic: string }> }) => {
        for (const t of topics) calls.created.push(t.topic), listed.push(t.topic);
        return true;
      },
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
        const answer = answers[Math.min(calls.metadata++, answers.length - 1)];
        if (answer === 'unknown-partition') throw retriable;
        return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: answer === 'served' ? 1 : -1, partitionErrorCode: 0, replicas: [1], isr: [1] }] })) };
      },
    },
  };
}

describe('a starting service waits for its new topics to be served (a busy broker)', () => {
  it('asks again on retriable answers and partitions without a leader, until every partition has one', async () => {
    const c = cluster(['unknown-partition', 'no-leader', 'unknown-partition', 'served'], ['a', 'b']);
    await untilTopicsServed(c.admin as never, [{ topic: 'a' }, { topic: 'b' }], 10_000, 1);
    expect(c.calls.metadata).toBe(4);
    expect(c.calls.created).toEqual([]);
  });

  it('creates again a topic the cluster does not list (the first create never reached it)', async () => {
    const c = cluster(['served'], ['a']);
    await untilTopicsServed(c.admin as never, [{ topic: 'a' }, { topic: 'b' }], 10_000, 1);
    expect(c.calls.created).toEqual(['b']);
  });

  it('gives up after its bound, naming the topics and the last answer', async () => {
    const c = cluster(['unknown-partition'], ['a']);
    await expect(untilTopicsServed(c.admin as never, [{ topic: 'a' }], 30, 5)).rejects.toThrow(/did not serve the topics a within .*does not host this topic-partition/);
  });

  it('does not wait out an error no retry can help', async () => {
    const c = cluster(['served'], ['a']);
    c.admin.fetchTopicMetadata = async () => { throw new Error('Authorization failed'); };
    await expect(untilTopicsServed(c.admin as never, [{ topic: 'a' }], 10_000, 1)).rejects.toThrow('Authorization failed');
  });
});
