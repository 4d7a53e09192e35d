import { describe, expect, it } from 'vitest';
import { chunkBySize } from '../../../connectors/runtime/worker.js';
import { deadLetterFrom } from '../../../connectors/runtime/dead-letters.js';
import { ValidationError } from '../../../connectors/sdk/errors.js';

describe('one transaction, requests under the broker limit', () => {
  it('splits a page of large messages into requests under the limit, keeping every message once and in order', () => {
    const big = (i: number) => ({ key: `k${i}`, value: 'x'.repeat(10_000) });
    const all = [
      { topic: 'a', messages: Array.from({ length: 250 }, (_, i) => big(i)) },
      { topic: 'b', messages: [{ key: 'cursor', value: '{}' }] },
    ];
    const chunks = chunkBySize(all, 768 * 1024);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      const bytes = c.flatMap((t) => t.messages).reduce((n, m) => n + String(m.value).length, 0);
      expect(bytes).toBeLessThanOrEqual(768 * 1024);
    }
    const flat = chunks.flatMap((c) => c.flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.key)}`)));
    expect(flat).toEqual([...all[0]!.messages.map((m) => `a:${m.key}`), 'b:cursor']);
  });

  it('a dead letter of an oversized record keeps its beginning and says it was cut', () => {
    const d = deadLetterFrom(new ValidationError('sqnr', 'too long'), { connector: 'c', sourceSystem: 's', department: 'd', payload: 'y'.repeat(1_000_000), mappingInput: { a: 1 }, at: 0 });
    expect(d.payload.length).toBeLessThan(300 * 1024);
    expect(d.payload).toMatch(/truncated: 1000000 characters/);
    expect(d.field).toBe('sqnr');
  });
});
