import { defaultValidate, defineContract } from '@zi/sdk';
import { asciiBytes, sha256, toHex } from './sha256.js';

// Settings: search nonces 0 .. 2^NONCE_BITS - 1 for SHA-256(PREFIX + nonce) starting with
// DIFFICULTY_BITS zero bits. About 2^(NONCE_BITS - DIFFICULTY_BITS) = 16 hits are expected.
const PREFIX = 'zi-demo:';
const NONCE_BITS = 20;
const DIFFICULTY_BITS = 16;

/** A hit: the nonce and the hex hash of PREFIX + nonce (in decimal). */
interface Hit {
  readonly nonce: number;
  readonly hash: string;
}

export default defineContract({
  name: 'nonce',
  version: '0.1.0',
  description: `Nonces below 2^${NONCE_BITS} whose SHA-256 of "${PREFIX}<nonce>" starts with ${DIFFICULTY_BITS} zero bits`,
  // Li per MCU.
  price: 1n,
  limits: {
    // Gas is 1 per loop iteration and 1 per function entry. While PREFIX + nonce is shorter than
    // 56 bytes the hash is one 64-byte block: measured 161 gas at most for a miss, 194 for a hit
    // (the hex string). 1,000 is ample headroom, and room for a longer PREFIX: each further
    // 64-byte block costs 128 more.
    gasPerMcu: 1000,
  },
  inputs: {
    count: 2 ** NONCE_BITS,
    at: (i: number): number => i,
  },
  // Most nonces miss: `undefined` means "no result", so the job's results stay small (sparse).
  mcu(nonce: number): Hit | undefined {
    const digest = sha256(asciiBytes(PREFIX + nonce));
    if (leadingZeroBits(digest) < DIFFICULTY_BITS) return undefined;
    return { nonce, hash: toHex(digest) };
  },
  validate(results, ctx) {
    // The default check: entries inside the batch and in order, and a seeded sample re-run, which
    // also catches a hidden hit when the sample lands on it.
    const verdict = defaultValidate(results, ctx);
    if (!verdict.ok) return verdict;
    // Hits are rare and cheap to check, so every claimed one is re-run: a forged hit never passes.
    for (const { index, output } of results) {
      if (!ctx.equal(output, ctx.rerun(index))) {
        return { ok: false, reason: `the claimed hit at nonce ${index} does not re-run to the same result`, index };
      }
    }
    return verdict;
  },
  render(results) {
    const lines = [`${results.length} nonce(s) where SHA-256("${PREFIX}<nonce>") starts with ${DIFFICULTY_BITS} zero bits:`];
    for (const { output } of results) lines.push(`${String(output.nonce).padStart(8)}  ${output.hash}`);
    return { type: 'text', text: `${lines.join('\n')}\n` };
  },
});

/** The number of zero bits at the start of `bytes`. */
function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    // Math.clz32 counts within 32 bits; a byte sits in the low 8 of them.
    if (bytes[i] !== 0) return bits + Math.clz32(bytes[i]) - 24;
    bits += 8;
  }
  return bits;
}
