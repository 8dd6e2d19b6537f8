import { createPublicKey, type KeyObject, verify as opensslVerify } from 'node:crypto';
import { GROUP_ORDER, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '@zi/spec';

/** DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410 §4): the 32 raw bytes follow it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Key objects kept for the most recently used public keys. */
const KEY_CACHE_SIZE = 1024;

/** L in little-endian bytes, to compare S with without bigint arithmetic. */
const ORDER_BYTES = (() => {
  const out = new Uint8Array(32);
  let rest = GROUP_ORDER;
  for (let i = 0; i < 32; i++, rest >>= 8n) out[i] = Number(rest & 0xffn);
  return out;
})();

/**
 * The 32-byte strings with y < p that decode to a point of small order: the canonical encodings of
 * the 8 torsion points, plus the identity (0, 1) and (0, -1) with the x sign bit set ("negative
 * zero", the only other y < p spellings of a small-order point, since x = 0 only for y = ±1).
 */
const SMALL_ORDER_ENCODINGS = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000', // identity, order 1
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, -1), order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4 (the stake address)
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, negative zero
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // (0, -1), negative zero
]);

const keyCache = new Map<string, KeyObject>();

/** True when 32 little-endian bytes are below L (KEY-4 step 2). */
function isScalarBelowOrder(bytes: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = bytes[i] as number;
    const b = ORDER_BYTES[i] as number;
    if (a !== b) return a < b;
  }
  return false;
}

/** True when the y coordinate of a point encoding (the low 255 bits) is at least p = 2^255 - 19. */
function isYAtLeastPrime(bytes: Uint8Array): boolean {
  if (((bytes[31] as number) & 0x7f) !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (bytes[i] !== 0xff) return false;
  return (bytes[0] as number) >= 0xed;
}

/** A KeyObject for raw public-key bytes, from a bounded LRU cache (most recent last in the Map). */
function keyObjectOf(publicKey: Uint8Array, hex: string): KeyObject {
  const cached = keyCache.get(hex);
  if (cached !== undefined) {
    keyCache.delete(hex);
    keyCache.set(hex, cached);
    return cached;
  }
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
  if (keyCache.size >= KEY_CACHE_SIZE) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  keyCache.set(hex, key);
  return key;
}

/**
 * The consensus verification rule KEY-4, answered by OpenSSL through `node:crypto`: the same
 * verdict as `verify` from `@zi/spec` on every input (KEY-5), several times faster.
 *
 * OpenSSL's Ed25519 (RFC 8032 §5.1.7, as OpenSSL 3 implements it) already rejects S >= L, a
 * public key off the curve, and any R that is not the canonical encoding of [S]B - [k]A (it
 * re-encodes that point and compares bytes, which is the cofactorless equation with a canonical
 * R). It does NOT check that the public key is canonical or of large order, so those checks of
 * KEY-3 run here first, on bytes, before OpenSSL sees the key.
 *
 * Never throws on malformed input: anything that is not a valid signature is `false`.
 *
 * @example
 * verifyFast(sign(message, secretKey), message, publicKeyOf(secretKey)); // true
 */
export function verifyFast(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  // KEY-4 step 2: a signature is 64 bytes. OpenSSL checks it too, but node:crypto would need the
  // KeyObject first; a 33-byte key would even be read as its first 32 bytes (the DER prefix
  // announces 32), so the key length is checked here and nowhere else.
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!(message instanceof Uint8Array)) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  // KEY-4 step 2: S < L. OpenSSL 3 checks it as well; repeated here so the verdict does not depend
  // on the OpenSSL build (older ones only checked the top bits of S).
  if (!isScalarBelowOrder(signature.subarray(32, 64))) return false;
  // KEY-2: a public key with y >= p is not canonical. OpenSSL reduces y mod p and would accept it
  // (vectors a-non-canonical/*).
  if (isYAtLeastPrime(publicKey)) return false;
  const hex = Buffer.from(publicKey.buffer, publicKey.byteOffset, PUBLIC_KEY_BYTES).toString('hex');
  // KEY-3: no small-order key may sign, and KEY-2: no "negative zero" x. OpenSSL accepts signatures
  // under the 8 small-order keys (vectors a-small-order/*) and ignores the sign bit when x = 0.
  if (SMALL_ORDER_ENCODINGS.has(hex)) return false;
  try {
    return opensslVerify(null, message, keyObjectOf(publicKey, hex), signature);
  } catch {
    // Never expected (OpenSSL answers false for a key off the curve), but a verdict must not throw.
    return false;
  }
}
