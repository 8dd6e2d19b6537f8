import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertSignature,
  fromHex,
  GROUP_ORDER,
  isCanonicalPoint,
  isValidPublicKey,
  PUBLIC_KEY_BYTES,
  publicKeyOf,
  SIGNATURE_BYTES,
  SpecError,
  STAKE_ADDRESS_BYTES,
  secretKeyFromHex,
  sign,
  toHex,
  verify,
} from '../src/index.js';

interface Vector {
  id: string;
  comment: string;
  publicKey: string;
  message: string;
  signature: string;
  valid: boolean;
  reason?: string;
}

const VECTORS_URL = new URL('../vectors/ed25519.json', import.meta.url);
const file = JSON.parse(readFileSync(VECTORS_URL, 'utf8')) as { description: string; rule: string; vectors: Vector[] };
const vectors = file.vectors;

/** Fixed seeds keep every property run the same; numRuns stay modest (noble verify is ~2 ms). */
const runs = (numRuns: number) => ({ numRuns, seed: 0x2e1d });

const secretKeyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const messageArb = fc.uint8Array({ maxLength: 300 });

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof SpecError ? e.code : `not a SpecError: ${String(e)}`;
  }
  return 'no error';
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7));
  return out;
}

describe('KEY-4 conformance vectors (spec/vectors/ed25519.json)', () => {
  it('are well formed: unique ids, a reason on every invalid vector and only there', () => {
    expect(file.rule).toBe('KEY-4');
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
    for (const v of vectors) {
      if (v.valid) expect(v.reason, v.id).toBeUndefined();
      else expect(v.reason?.length, v.id).toBeGreaterThan(0);
      expect(() => [fromHex(v.publicKey), fromHex(v.message), fromHex(v.signature)], v.id).not.toThrow();
    }
  });

  it('cover every class of the rule', () => {
    const counts: Record<string, number> = {};
    for (const v of vectors) {
      const cls = v.id.split('/')[0] as string;
      counts[cls] = (counts[cls] ?? 0) + 1;
    }
    expect(counts).toEqual({
      rfc8032: 4,
      valid: 4,
      's-range': 4,
      'a-small-order': 8,
      'a-non-canonical': 5,
      'a-not-on-curve': 2,
      'a-mixed-order': 2,
      'r-small-order': 4,
      'r-non-canonical': 3,
      'r-negative-zero': 2,
      'r-mixed-order': 1,
      'r-not-on-curve': 2,
      'wrong-message': 3,
      'wrong-key': 1,
      'bit-flip': 9,
      length: 6,
      zero: 1,
    });
  });

  it('are exactly what the generator writes (deterministic, reproducible)', () => {
    const script = fileURLToPath(new URL('../vectors/generate-ed25519.mjs', import.meta.url));
    expect(execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' })).toContain('file up to date');
  });

  it.each(vectors)('$id', (v) => {
    expect(verify(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey))).toBe(v.valid);
  });

  it('the 8 small-order keys of the vectors are canonical points that may not sign (KEY-3)', () => {
    const keys = new Set(vectors.filter((v) => v.id.startsWith('a-small-order/')).map((v) => v.publicKey));
    expect(keys.size).toBe(8);
    for (const key of keys) {
      expect(isCanonicalPoint(fromHex(key))).toBe(true);
      expect(isValidPublicKey(fromHex(key))).toBe(false);
    }
    expect(keys.has(toHex(STAKE_ADDRESS_BYTES))).toBe(true);
  });
});

describe('KEY-2/KEY-3 point and key checks', () => {
  it('tell canonical encodings from y >= p, negative zero, off-curve and wrong lengths', () => {
    const identity = fromHex(`01${'00'.repeat(31)}`);
    expect(isCanonicalPoint(identity)).toBe(true);
    expect(isCanonicalPoint(fromHex(`01${'00'.repeat(30)}80`))).toBe(false); // x = 0 with the sign bit
    expect(isCanonicalPoint(fromHex(`ee${'ff'.repeat(30)}7f`))).toBe(false); // y = p + 1
    expect(isCanonicalPoint(fromHex(`02${'00'.repeat(31)}`))).toBe(false); // y = 2 is on no point
    expect(isCanonicalPoint(identity.subarray(0, 31))).toBe(false);
    expect(isValidPublicKey(identity)).toBe(false);
    expect(isValidPublicKey(STAKE_ADDRESS_BYTES)).toBe(false);
    expect(isValidPublicKey(new Uint8Array(33))).toBe(false);
    expect(isValidPublicKey('00' as unknown as Uint8Array)).toBe(false);
  });

  it('every real public key is valid', () => {
    fc.assert(
      fc.property(secretKeyArb, (secretKey) => isValidPublicKey(publicKeyOf(secretKey))),
      runs(100),
    );
  });
});

describe('sign and verify (KEY-4)', () => {
  it('round trip: a signature verifies under its key and message', () => {
    fc.assert(
      fc.property(secretKeyArb, messageArb, (secretKey, message) => {
        const signature = sign(message, secretKey);
        expect(signature.length).toBe(SIGNATURE_BYTES);
        expect(verify(signature, message, publicKeyOf(secretKey))).toBe(true);
      }),
      runs(100),
    );
  });

  it('signs deterministically (RFC 8032 §5.1.6)', () => {
    const secretKey = new Uint8Array(32).fill(7);
    const message = new Uint8Array([1, 2, 3]);
    expect(toHex(sign(message, secretKey))).toBe(toHex(sign(message, secretKey)));
  });

  it('flipping any one bit of a valid signature or of its message makes it invalid', () => {
    fc.assert(
      fc.property(secretKeyArb, fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(), (secretKey, message, n) => {
        const publicKey = publicKeyOf(secretKey);
        const signature = sign(message, secretKey);
        expect(verify(flipBit(signature, n % (SIGNATURE_BYTES * 8)), message, publicKey)).toBe(false);
        expect(verify(signature, flipBit(message, n % (message.length * 8)), publicKey)).toBe(false);
      }),
      runs(100),
    );
  });

  it('S + L (the same S mod L) is rejected', () => {
    const secretKey = new Uint8Array(32).fill(9);
    const message = new Uint8Array([42]);
    const signature = sign(message, secretKey);
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i] as number);
    const forged = signature.slice();
    let t = s + GROUP_ORDER;
    for (let i = 32; i < 64; i++, t >>= 8n) forged[i] = Number(t & 0xffn);
    expect(verify(forged, message, publicKeyOf(secretKey))).toBe(false);
  });

  it('never throws on arbitrary bytes of any length: the answer is a boolean', () => {
    const bytes = (length: number) =>
      fc.oneof(fc.uint8Array({ minLength: length, maxLength: length }), fc.uint8Array({ maxLength: length + 8 }));
    fc.assert(
      fc.property(bytes(SIGNATURE_BYTES), fc.uint8Array({ maxLength: 64 }), bytes(PUBLIC_KEY_BYTES), (signature, message, publicKey) => {
        expect(typeof verify(signature, message, publicKey)).toBe('boolean');
      }),
      runs(300),
    );
  });

  it('answers false, not an exception, for arguments that are not bytes', () => {
    const good = new Uint8Array(32).fill(1);
    const signature = sign(new Uint8Array(0), good);
    const publicKey = publicKeyOf(good);
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const junk = value as Uint8Array;
        expect(verify(junk, new Uint8Array(0), publicKey)).toBe(false);
        expect(verify(signature, junk, publicKey)).toBe(false);
        expect(verify(signature, new Uint8Array(0), junk)).toBe(false);
      }),
      runs(100),
    );
  });

  it('assertSignature throws SPEC_SIGNATURE_INVALID with the name of what was signed', () => {
    const secretKey = new Uint8Array(32).fill(3);
    const message = new Uint8Array([5]);
    const signature = sign(message, secretKey);
    expect(() => assertSignature(signature, message, publicKeyOf(secretKey), 'a transfer')).not.toThrow();
    expect(codeOf(() => assertSignature(signature, new Uint8Array([6]), publicKeyOf(secretKey), 'a transfer'))).toBe(
      'SPEC_SIGNATURE_INVALID',
    );
    expect(() => assertSignature(signature, new Uint8Array([6]), publicKeyOf(secretKey), 'a transfer')).toThrow(
      'the signature of a transfer does not verify',
    );
  });

  it('sign and publicKeyOf reject misuse with TypeError/RangeError naming the argument', () => {
    expect(() => sign(new Uint8Array(0), new Uint8Array(31))).toThrow(RangeError);
    expect(() => sign(new Uint8Array(0), new Uint8Array(31))).toThrow('sign: secretKey must be 32 bytes, got 31');
    expect(() => sign('hi' as unknown as Uint8Array, new Uint8Array(32))).toThrow(TypeError);
    expect(() => publicKeyOf([1, 2] as unknown as Uint8Array)).toThrow('publicKeyOf: secretKey must be a Uint8Array');
  });
});

describe('secretKeyFromHex', () => {
  const hex = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

  it('reads 64 hex digits, with 0x, surrounding space or upper case', () => {
    for (const text of [hex, `0x${hex}`, `0X${hex}`, ` ${hex}\n`, hex.toUpperCase()]) {
      expect(toHex(secretKeyFromHex(text))).toBe(hex);
    }
    expect(toHex(publicKeyOf(secretKeyFromHex(hex)))).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  });

  it('rejects anything else with SPEC_KEY_INVALID', () => {
    const bad = ['', hex.slice(0, 62), `${hex}00`, `${hex.slice(0, 63)}g`, `${hex.slice(0, 32)} ${hex.slice(32)}`, `0x0x${hex}`, '-'];
    for (const text of bad)
      expect(
        codeOf(() => secretKeyFromHex(text)),
        text,
      ).toBe('SPEC_KEY_INVALID');
    expect(codeOf(() => secretKeyFromHex(42 as unknown as string))).toBe('SPEC_KEY_INVALID');
    expect(codeOf(() => secretKeyFromHex(null as unknown as string))).toBe('SPEC_KEY_INVALID');
    expect(() => secretKeyFromHex('abc')).toThrow('a secret key must be 64 hexadecimal characters (32 bytes)');
  });

  it('round trips every key through hex, and rejects every string that is not 64 hex digits', () => {
    fc.assert(
      fc.property(secretKeyArb, (secretKey) => {
        expect(secretKeyFromHex(toHex(secretKey))).toEqual(secretKey);
      }),
      runs(200),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        fc.pre(!/^\s*(0x)?[0-9a-f]{64}\s*$/i.test(text));
        expect(codeOf(() => secretKeyFromHex(text))).toBe('SPEC_KEY_INVALID');
      }),
      runs(200),
    );
  });
});
