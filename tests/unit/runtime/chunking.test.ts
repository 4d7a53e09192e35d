import { describe, expect, it } from 'vitest';
import { chunkBySize } from '../../../connectors/runtime/worker.js';
import { deadLetterFrom } from '../../../connectors/runtime/dead-letters.js';
import { ValidationError } from '../../../core/errors.js';

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
    expect(d.payload).toMatch(/truncated: 1000000 bytes in all, sha256 [0-9a-f]{64}/);
    expect(d.field).toBe('sqnr');
  });

  it('the cap is in bytes of the whole letter: a million Chinese characters (3 MB of UTF-8), even with control characters, fit under the limit', () => {
    for (const text of ['油'.repeat(1_000_000), '\u0001'.repeat(200_000) + '油'.repeat(500_000)]) {
      const payload = JSON.stringify({ gdbh: 'GD1', sqnr: text });
      const d = deadLetterFrom(new ValidationError('sqnr', 'too long'), { connector: 'c', sourceSystem: 's', department: 'd', sourceRecordId: 'GD1', payload, mappingInput: JSON.parse(payload), at: 0 });
      expect(Buffer.byteLength(JSON.stringify(d))).toBeLessThanOrEqual(512 * 1024);
      expect(d.truncated).toEqual({ originalBytes: Buffer.byteLength(payload), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(d.reason).toBe('too long');
      expect(d.payload.startsWith(payload.slice(0, 1000))).toBe(true);
      expect(d.payload).not.toContain('\uFFFD'); // never cut inside a character
    }
  });

  it('a small record is kept whole, with its mapping input', () => {
    const d = deadLetterFrom(new ValidationError('x', 'bad'), { connector: 'c', sourceSystem: 's', department: 'd', payload: '{"x":"油"}', mappingInput: { x: '油' }, at: 0 });
    expect(d).toMatchObject({ payload: '{"x":"油"}', mappingInput: '{"x":"油"}' });
    expect(d.truncated).toBeUndefined();
  });
});
