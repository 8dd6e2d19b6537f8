import { defineContract } from '@zi/sdk';

// Settings: count the primes below N in blocks of B integers, one block per MCU.
// N must be a multiple of B; N = 10^7 and B = 10^4 give 1,000 MCUs.
const N = 10_000_000;
const B = 10_000;
const BLOCKS = N / B;

/** One block: the integers lo <= n < hi. */
interface Block {
  readonly lo: number;
  readonly hi: number;
}

export default defineContract({
  name: 'primes',
  version: '0.1.0',
  description: `Number of primes below ${N}, counted in ${BLOCKS} blocks of ${B}`,
  // Li per MCU.
  price: 2n,
  limits: {
    // Gas is 1 per loop iteration and 1 per function entry. The worst block is the last one,
    // 41,604 gas: 3,161 steps over the candidate base primes up to sqrt(10^7), 4,944 to sieve
    // them, 23,494 to strike their multiples from the block, 10,000 to count, a few calls.
    // 90,000 is about 2x headroom, yet a bug that loops far longer still runs out quickly.
    // Raise it if you raise B or N.
    gasPerMcu: 90_000,
  },
  inputs: {
    count: BLOCKS,
    at: (i: number): Block => ({ lo: i * B, hi: (i + 1) * B }),
  },
  mcu: ({ lo, hi }: Block): number => countPrimes(lo, hi),
  render(results, info) {
    let total = 0;
    for (const { output } of results) total += output;
    // Results come ordered by index; blocks 0 .. k-1 all present give pi(k * B) exactly.
    let k = 0;
    let below = 0;
    while (k < results.length && results[k].index === k) {
      below += results[k].output;
      k++;
    }
    const text =
      k === BLOCKS
        ? `pi(${N}) = ${total}\nThere are ${total} primes below ${N} (counted in ${BLOCKS} blocks of ${B}).\n`
        : `Partial: ${results.length} of ${info.count ?? BLOCKS} blocks counted, ${total} primes in them.\n` +
          (k > 0 ? `pi(${k * B}) = ${below}\n` : '');
    return { type: 'text', text };
  },
});

/**
 * The number of primes p with lo <= p < hi, by a segmented sieve of Eratosthenes: every composite
 * below hi has a prime factor p <= sqrt(hi - 1), so striking the multiples of those p from the
 * block leaves exactly its primes. Trial division by odd numbers would take about 1.2 million steps
 * for the last block, 30x the sieve.
 */
function countPrimes(lo: number, hi: number): number {
  const limit = Math.floor(Math.sqrt(hi - 1));
  const small = new Uint8Array(limit + 1); // small[m] = 1: m is composite
  const block = new Uint8Array(hi - lo); // block[k] = 1: lo + k is composite
  for (let p = 2; p <= limit; p++) {
    if (small[p] === 1) continue;
    for (let m = p * p; m <= limit; m += p) small[m] = 1;
    // The first multiple of p in the block, but never p itself (p is prime).
    const r = lo % p;
    const first = Math.max(p * p, r === 0 ? lo : lo + p - r);
    for (let m = first; m < hi; m += p) block[m - lo] = 1;
  }
  let count = 0;
  // 0 and 1 are not prime.
  for (let n = Math.max(lo, 2); n < hi; n++) {
    if (block[n - lo] === 0) count++;
  }
  return count;
}
