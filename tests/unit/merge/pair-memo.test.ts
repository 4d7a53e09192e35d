import { describe, expect, it } from 'vitest';
import { PairMemo } from '../../../hub/merge/strings.js';

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
});
