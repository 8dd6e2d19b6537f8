import { createPrng } from './prng.js';

/**
 * `k = max(1, ceil(n * rate))` distinct indices drawn from `[0, n)` with a seeded PRNG, in
 * ascending order. A fixed pattern (every 100th index) can be gamed; a seed unknown to the solver
 * when it computes cannot.
 *
 * @example
 * sampleIndices(1000, 0.01, 'seed'); // 10 indices, the same for the same seed
 */
export function sampleIndices(n: number, rate: number, seed: string | number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`sampleIndices: n must be a non-negative integer, got ${n}`);
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`sampleIndices: rate must be in (0, 1], got ${rate}`);
  if (n === 0) return [];
  const k = Math.min(n, Math.max(1, Math.ceil(n * rate)));
  const rng = createPrng(seed);
  const picked = new Map<number, number>();
  const out: number[] = [];
  // Partial Fisher-Yates over a virtual array 0..n-1: O(k) time and memory.
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(n - i);
    const vj = picked.get(j) ?? j;
    const vi = picked.get(i) ?? i;
    picked.set(j, vi);
    out.push(vj);
  }
  return out.sort((a, b) => a - b);
}

/**
 * A seeded random subset of `items` (at least one when not empty), in their original order.
 *
 * @example
 * sample(results, 0.05, ctx.seed); // 5% of the results, chosen by the seed
 */
export function sample<T>(items: readonly T[], rate: number, seed: string | number): T[] {
  return sampleIndices(items.length, rate, seed).map((i) => items[i] as T);
}
