import { checkRanges, type IndexRange } from '@zi/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { complementRanges, holesBetween, pickUnsolved, rangesOverlap, unionRanges } from '../src/market/ranges.js';
import { readBatchResults } from '../src/market/results.js';

const END = 64;
const range = fc.record({ from: fc.integer({ min: 0, max: END - 1 }), count: fc.integer({ min: 1, max: 16 }) });
const ranges = fc.array(range, { maxLength: 8 });

const indices = (list: readonly IndexRange[]): Set<number> => {
  const out = new Set<number>();
  for (const r of list) for (let i = r.from; i < r.from + r.count; i++) out.add(i);
  return out;
};
const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);

describe('market range sets', () => {
  it('unionRanges is the canonical set union', () => {
    fc.assert(
      fc.property(ranges, ranges, (a, b) => {
        const union = unionRanges(a, b);
        checkRanges(union);
        expect(sorted(indices(union))).toEqual(sorted(new Set([...indices(a), ...indices(b)])));
        expect(rangesOverlap(a, b)).toBe([...indices(a)].some((i) => indices(b).has(i)));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('pickUnsolved takes the lowest free indices, complementRanges the rest', () => {
    fc.assert(
      fc.property(ranges, fc.integer({ min: 1, max: 40 }), (taken, count) => {
        const picked = pickUnsolved(taken, END, count, 1024);
        checkRanges(picked);
        const busy = indices(taken);
        const free = Array.from({ length: END }, (_, i) => i).filter((i) => !busy.has(i));
        expect(sorted(indices(picked))).toEqual(free.slice(0, count));
        const rest = complementRanges(taken, END);
        checkRanges(rest);
        expect(sorted(indices(rest))).toEqual(free);
        expect(pickUnsolved(taken, END, count, 1).length).toBeLessThanOrEqual(1);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('holesBetween gives what runRange skips in a batch of several ranges', () => {
    expect(
      holesBetween([
        { from: 2, count: 3 },
        { from: 6, count: 1 },
        { from: 9, count: 2 },
      ]),
    ).toEqual([
      [5, 6],
      [7, 9],
    ]);
  });

  it('reads result bytes against the payout ranges', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    const two = [
      { from: 2, count: 3 },
      { from: 6, count: 1 },
    ];
    expect(readBatchResults(bytes('[[2,5],[4,{"a":1}],[6,7]]'), two)).toEqual({
      ok: true,
      perRange: ['[[2,5],[4,{"a":1}]]', '[[6,7]]'],
      entries: 3,
    });
    expect(readBatchResults(bytes('[[2,5]]'), [{ from: 2, count: 1 }])).toEqual({ ok: true, perRange: ['[[2,5]]'], entries: 1 });
    expect(readBatchResults(bytes('[[5,1]]'), two)).toEqual({ ok: false, reason: "results[0]: index 5 is not in the payout's ranges" });
    expect(readBatchResults(bytes('[[3,1],[2,1]]'), two)).toEqual({
      ok: false,
      reason: 'results[1]: index 2 is not above the index before it',
    });
    expect(readBatchResults(bytes('{"2":1}'), two)).toEqual({
      ok: false,
      reason: 'the results are not a JSON array of [index, output] pairs',
    });
    expect(readBatchResults(bytes('[[2]]'), two)).toEqual({ ok: false, reason: 'results[0] is not an [index, output] pair' });
    expect(readBatchResults(new Uint8Array([0x5b, 0xff, 0x5d]), two).ok).toBe(false);
  });
});
