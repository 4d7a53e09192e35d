import { describe, expect, it } from 'vitest';
import { chars, codePointCount, PairMemo } from '../../../hub/merge/strings.js';

describe('PairMemo (the matchers\' per-pair answers)', () => {
  it('answers a pair it has seen without computing again, per ordered pair', () => {
    const memo = new PairMemo<object, object, string>(10);
    const a = {};
    const b = {};
    let computed = 0;
    const ask = (x: object, y: object) => memo.get(x, y, () => `${++computed}`);
    expect(ask(a, b)).toBe('1');
    expect(ask(a, b)).toBe('1');
    expect(ask(b, a)).toBe('2');
    expect(computed).toBe(2);
  });

  it('keeps no more pairs than its bound: a full memo starts again, and its answers are computed anew', () => {
    const memo = new PairMemo<object, object, number>(3);
    const objects = Array.from({ length: 5 }, () => ({}));
    let computed = 0;
    const ask = (i: number, j: number) => memo.get(objects[i]!, objects[j]!, () => (computed++, i * 10 + j));
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) ask(i, j);
    expect(computed).toBe(3);
    ask(0, 1);
    expect(computed).toBe(3); // still held
    expect(ask(3, 4)).toBe(34); // the fourth pair: the memo was full and starts again
    expect(computed).toBe(4);
    expect(ask(0, 1)).toBe(1); // forgotten, computed again with the same answer
    expect(computed).toBe(5);
  });

  it('answers a pair named by numbers (the subject edges by tag number) as it does a pair of objects, holding null answers too', () => {
    const memo = new PairMemo<object, object, string | null>(10);
    let computed = 0;
    expect(memo.getByNumbers(3, 7, () => (computed++, null))).toBeNull();
    expect(memo.getByNumbers(3, 7, () => (computed++, 'again'))).toBeNull();
    expect(memo.getByNumbers(7, 3, () => (computed++, 'other order'))).toBe('other order');
    expect(computed).toBe(2);
  });
});

describe('codePointCount (lengths the matchers compare, without an array)', () => {
  it('counts as chars(s).length does: a surrogate pair once, a lone surrogate once, CJK and ASCII one each', () => {
    for (const s of ['', 'a', '新华路', '𠮷野家', 'a\ud842', '\udfb7b', '\ud842\ud842\udfb7', '𠮷'.repeat(5) + 'x']) expect(codePointCount(s)).toBe(chars(s).length);
    // random strings over the ranges that matter, surrogates included
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const units = [0x61, 0x4e2d, 0xd842, 0xdfb7, 0x3000, 0xff10];
    for (let i = 0; i < 2000; i++) {
      const s = String.fromCharCode(...Array.from({ length: next() % 12 }, () => units[next() % units.length]!));
      expect(codePointCount(s)).toBe(chars(s).length);
    }
  });
});
