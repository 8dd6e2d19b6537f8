import type { IndexRange } from '@zi/spec';

/**
 * Sets of MCU indices as lists of ranges. Every function here returns canonical lists (RNG-2:
 * sorted, no overlaps, touching ranges merged), and accepts any list, canonical or not.
 */

/**
 * The union of range lists, canonical.
 *
 * @example
 * unionRanges([{ from: 0, count: 2 }], [{ from: 2, count: 3 }, { from: 9, count: 1 }]); // [{ from: 0, count: 5 }, { from: 9, count: 1 }]
 */
export function unionRanges(...lists: ReadonlyArray<readonly IndexRange[]>): IndexRange[] {
  const all = lists.flat().sort((a, b) => a.from - b.from);
  const out: IndexRange[] = [];
  for (const range of all) {
    const last = out[out.length - 1];
    const end = range.from + range.count;
    if (last && range.from <= last.from + last.count) last.count = Math.max(last.count, end - last.from);
    else out.push({ from: range.from, count: range.count });
  }
  return out;
}

/** True when the two lists share at least one index. */
export function rangesOverlap(a: readonly IndexRange[], b: readonly IndexRange[]): boolean {
  const left = unionRanges(a);
  const right = unionRanges(b);
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const x = left[i] as IndexRange;
    const y = right[j] as IndexRange;
    if (x.from < y.from + y.count && y.from < x.from + x.count) return true;
    if (x.from + x.count <= y.from + y.count) i++;
    else j++;
  }
  return false;
}

/**
 * The lowest `count` indices of `[0, end)` outside `taken`, as at most `maxRanges` ranges (fewer
 * indices when the space or the range budget runs out; none when everything is taken).
 *
 * @example
 * pickUnsolved([{ from: 1, count: 2 }], 10, 4, 1024); // [{ from: 0, count: 1 }, { from: 3, count: 3 }]
 */
export function pickUnsolved(taken: readonly IndexRange[], end: number, count: number, maxRanges: number): IndexRange[] {
  const out: IndexRange[] = [];
  let left = count;
  let cursor = 0;
  const walk = [...unionRanges(taken), { from: end, count: 1 }];
  for (const range of walk) {
    if (left <= 0 || out.length >= maxRanges || cursor >= end) break;
    const gapEnd = Math.min(range.from, end);
    if (gapEnd > cursor) {
      const n = Math.min(left, gapEnd - cursor);
      out.push({ from: cursor, count: n });
      left -= n;
    }
    cursor = Math.max(cursor, range.from + range.count);
  }
  return out;
}

/**
 * The indices of `[0, end)` outside `ranges`.
 *
 * @example
 * complementRanges([{ from: 2, count: 3 }], 10); // [{ from: 0, count: 2 }, { from: 5, count: 5 }]
 */
export function complementRanges(ranges: readonly IndexRange[], end: number): IndexRange[] {
  const out: IndexRange[] = [];
  let cursor = 0;
  for (const range of unionRanges(ranges)) {
    if (range.from >= end) break;
    if (range.from > cursor) out.push({ from: cursor, count: range.from - cursor });
    cursor = Math.max(cursor, range.from + range.count);
  }
  if (cursor < end) out.push({ from: cursor, count: end - cursor });
  return out;
}

/**
 * The holes between the ranges of a batch as `[start, end)` pairs: what `Sandbox.runRange` skips
 * when it runs the batch as one span from the first range's start to the last one's end.
 */
export function holesBetween(ranges: readonly IndexRange[]): Array<[number, number]> {
  const holes: Array<[number, number]> = [];
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1] as IndexRange;
    const range = ranges[i] as IndexRange;
    const start = previous.from + previous.count;
    if (range.from > start) holes.push([start, range.from]);
  }
  return holes;
}
