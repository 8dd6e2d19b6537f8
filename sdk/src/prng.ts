/** A deterministic pseudo-random generator: the same seed gives the same sequence everywhere. */
export interface Prng {
  /** Next unsigned 32-bit integer. */
  nextUint32(): number;
  /** Next float in [0, 1) with 32 bits of randomness. */
  nextFloat(): number;
  /** Next integer in [0, bound), without modulo bias. `bound` is 1 .. 2^32. */
  nextInt(bound: number): number;
}

/**
 * Hashes a seed (string or number) into four 32-bit words (cyrb128-style mixing, integer math only,
 * so it is identical on every machine).
 */
function seedWords(seed: string | number): [number, number, number, number] {
  const text = typeof seed === 'number' ? `n:${seed}` : `s:${seed}`;
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}

/**
 * A seeded PRNG (sfc32). Contracts have no `Math.random`; use this with a seed from the input or
 * from the validation context.
 *
 * @example
 * const rng = createPrng('abc');
 * rng.nextInt(6); // same value on every machine, every run
 */
export function createPrng(seed: string | number): Prng {
  if (typeof seed !== 'string' && !(typeof seed === 'number' && Number.isFinite(seed))) {
    throw new TypeError('createPrng: seed must be a string or a finite number');
  }
  let [a, b, c, d] = seedWords(seed);
  const nextUint32 = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  return {
    nextUint32,
    nextFloat: () => nextUint32() / 4294967296,
    nextInt(bound: number): number {
      if (!Number.isInteger(bound) || bound < 1 || bound > 4294967296) {
        throw new RangeError(`nextInt: bound must be an integer from 1 to 2^32, got ${bound}`);
      }
      const limit = 4294967296 - (4294967296 % bound);
      for (;;) {
        const x = nextUint32();
        if (x < limit) return x % bound;
      }
    },
  };
}
