import { readFileSync } from 'node:fs';
import { fromHex, GROUP_ORDER, isValidPublicKey, publicKeyOf, sign, verify } from '@zi/spec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyFast } from '../src/index.js';

interface Vector {
  id: string;
  publicKey: string;
  message: string;
  signature: string;
  valid: boolean;
}

const { vectors } = JSON.parse(readFileSync(new URL('../../spec/vectors/ed25519.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

/** Fixed seeds keep every property run the same; noble's verify is ~2 ms, so runs stay modest. */
const runs = (numRuns: number) => ({ numRuns, seed: 0xfa57 });

const SMALL_ORDER_KEYS = [...new Set(vectors.filter((v) => v.id.startsWith('a-small-order/')).map((v) => v.publicKey))];

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7));
  return out;
}

/** A signature changed the ways the vectors break them: one bit, S + L, R or A swapped for a torsion point. */
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('flip-signature' as const), n: fc.nat(511) }),
  fc.record({ kind: fc.constant('flip-message' as const), n: fc.nat() }),
  fc.record({ kind: fc.constant('flip-key' as const), n: fc.nat(255) }),
  fc.record({ kind: fc.constant('s-plus-l' as const), n: fc.constant(0) }),
  fc.record({ kind: fc.constant('small-order-r' as const), n: fc.nat(7) }),
  fc.record({ kind: fc.constant('small-order-key' as const), n: fc.nat(7) }),
  fc.record({ kind: fc.constant('none' as const), n: fc.constant(0) }),
);

function mutate(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, kind: string, n: number) {
  const torsion = fromHex(SMALL_ORDER_KEYS[n % SMALL_ORDER_KEYS.length] as string);
  switch (kind) {
    case 'flip-signature':
      return { signature: flipBit(signature, n), message, publicKey };
    case 'flip-message':
      return {
        signature,
        message: message.length === 0 ? new Uint8Array([n & 0xff]) : flipBit(message, n % (message.length * 8)),
        publicKey,
      };
    case 'flip-key':
      return { signature, message, publicKey: flipBit(publicKey, n) };
    case 's-plus-l': {
      let s = 0n;
      for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i] as number);
      const out = signature.slice();
      let t = s + GROUP_ORDER;
      for (let i = 32; i < 64; i++, t >>= 8n) out[i] = Number(t & 0xffn);
      return { signature: out, message, publicKey };
    }
    case 'small-order-r': {
      const out = signature.slice();
      out.set(torsion, 0);
      return { signature: out, message, publicKey };
    }
    case 'small-order-key':
      return { signature, message, publicKey: torsion };
    default:
      return { signature, message, publicKey };
  }
}

describe('verifyFast (KEY-5: same verdicts as the KEY-4 rule)', () => {
  it.each(vectors)('$id', (v) => {
    const args = [fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey)] as const;
    expect(verify(...args)).toBe(v.valid);
    expect(verifyFast(...args)).toBe(v.valid);
  });

  it('agrees with verify on random signatures, valid and mutated', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        mutationArb,
        (secretKey, message, m) => {
          const publicKey = publicKeyOf(secretKey);
          const signed = mutate(sign(message, secretKey), message, publicKey, m.kind, m.n);
          const expected = verify(signed.signature, signed.message, signed.publicKey);
          expect(verifyFast(signed.signature, signed.message, signed.publicKey)).toBe(expected);
          if (m.kind === 'none') expect(expected).toBe(true);
        },
      ),
      runs(200),
    );
  });

  it('agrees with verify on arbitrary bytes, and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ maxLength: 70 })),
        fc.uint8Array({ maxLength: 40 }),
        fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 40 })),
        (signature, message, publicKey) => {
          expect(verifyFast(signature, message, publicKey)).toBe(verify(signature, message, publicKey));
        },
      ),
      runs(300),
    );
    const junk = 'not bytes' as unknown as Uint8Array;
    const key = publicKeyOf(new Uint8Array(32).fill(1));
    expect(verifyFast(junk, new Uint8Array(0), key)).toBe(false);
    expect(verifyFast(new Uint8Array(64), junk, key)).toBe(false);
    expect(verifyFast(new Uint8Array(64), new Uint8Array(0), junk)).toBe(false);
  });

  it('rejects exactly the keys KEY-3 rejects among the y < p spellings of small-order points', () => {
    // Every small-order key of the vectors and both "negative zero" spellings are refused by both.
    const spellings = [...SMALL_ORDER_KEYS, `01${'00'.repeat(30)}80`, `ec${'ff'.repeat(31)}`];
    const secretKey = new Uint8Array(32).fill(5);
    const message = new Uint8Array([1]);
    const signature = sign(message, secretKey);
    for (const hex of spellings) {
      expect(isValidPublicKey(fromHex(hex)), hex).toBe(false);
      expect(verifyFast(signature, message, fromHex(hex)), hex).toBe(false);
    }
    expect(spellings).toHaveLength(10);
  });

  it('reads keys and signatures that are views into a larger buffer', () => {
    const secretKey = new Uint8Array(32).fill(8);
    const message = new Uint8Array([1, 2, 3]);
    const backing = new Uint8Array(200);
    backing.set(publicKeyOf(secretKey), 10);
    backing.set(sign(message, secretKey), 100);
    const publicKey = backing.subarray(10, 42);
    const signature = backing.subarray(100, 164);
    expect(verifyFast(signature, message, publicKey)).toBe(true);
    expect(verifyFast(signature, message, backing.subarray(11, 43))).toBe(false);
  });

  it('stays correct while the key cache (1024 keys) turns over', () => {
    const message = new Uint8Array([7]);
    const signers = Array.from({ length: 20 }, (_, i) => {
      const secretKey = new Uint8Array(32).fill(i + 1);
      return { publicKey: publicKeyOf(secretKey), signature: sign(message, secretKey) };
    });
    // 1100 other 32-byte keys (on the curve or not) go through the cache between the checks.
    const filler = (i: number) => {
      const key = new Uint8Array(32).fill(0x42);
      new DataView(key.buffer).setUint32(0, i, true);
      return key;
    };
    // Each round pushes 1100 fillers through, so every signer's key object was evicted before the
    // next round looks it up again.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 1100; i++) {
        const signer = signers[i % signers.length] as (typeof signers)[number];
        expect(verifyFast(signer.signature, message, filler(i))).toBe(false);
      }
      for (const [i, signer] of signers.entries()) {
        expect(verifyFast(signer.signature, message, signer.publicKey)).toBe(true);
        const other = signers[(i + 1) % signers.length] as (typeof signers)[number];
        expect(verifyFast(signer.signature, message, other.publicKey)).toBe(false);
      }
    }
  });
});
