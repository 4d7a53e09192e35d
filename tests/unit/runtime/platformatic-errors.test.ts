import { describe, expect, it } from 'vitest';
import { KafkaClientError, translate } from '../../../core/kafka/platformatic-client.js';
import { isRetriable } from '../../../core/errors.js';

/** A client error as @platformatic/kafka nests them: a response error holding the broker's protocol errors. */
function responseError(apiId: string, canRetry: boolean): Error {
  const protocol = Object.assign(new Error(`broker said ${apiId}`), { code: 'PLT_KFK_PROTOCOL', apiId, canRetry });
  const response = Object.assign(new AggregateError([protocol], 'Received response with error while executing API EndTxn(v3)'), { code: 'PLT_KFK_RESPONSE' });
  return Object.assign(new AggregateError([response], 'Multiple errors'), { code: 'PLT_KFK_MULTIPLE' });
}

describe('@platformatic/kafka errors in the shape the worker reads', () => {
  it('names the broker error in `type` and keeps its retriable flag, however deep it is nested', () => {
    const fenced = translate(responseError('PRODUCER_FENCED', false)) as KafkaClientError;
    expect(fenced).toBeInstanceOf(KafkaClientError);
    expect(fenced.type).toBe('PRODUCER_FENCED');
    expect(fenced.retriable).toBe(false);
    expect(fenced.message).toMatch(/PRODUCER_FENCED/);
    const leader = translate(responseError('NOT_LEADER_OR_FOLLOWER', true)) as KafkaClientError;
    expect(leader.type).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(isRetriable(leader)).toBe(true);
    expect((translate(responseError('MESSAGE_TOO_LARGE', false)) as KafkaClientError).type).toBe('MESSAGE_TOO_LARGE');
  });

  it('a network failure or time-out is retriable; errors of others pass unchanged', () => {
    const network = translate(Object.assign(new Error('Connection to 127.0.0.1:9092 failed'), { code: 'PLT_KFK_NETWORK' })) as KafkaClientError;
    expect(network.retriable).toBe(true);
    expect(network.type).toBeUndefined();
    const mine = new Error('not a client error');
    expect(translate(mine)).toBe(mine);
  });
});
