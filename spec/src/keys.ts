import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual } from './bytes.js';
import { SpecError } from './errors.js';

/** Bytes in an Ed25519 secret key (the RFC 8032 seed), public key, and signature. */
export const SECRET_KEY_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** The order of the prime subgroup, L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1). */
export const GROUP_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;
/** The field prime p = 2^255 - 19. */
const FIELD_PRIME = (1n << 255n) - 19n;

const Point = ed25519.Point;

function littleEndianToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}

function assertBytes(name: string, value: unknown, length: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (value.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
}

/**
 * True when 32 bytes are the canonical encoding of a curve point (KEY-2): y below p, the point on
 * the curve, and no "negative zero" x.
 */
export function isCanonicalPoint(bytes: Uint8Array): boolean {
  if (bytes.length !== 32) return false;
  const y = littleEndianToBigInt(bytes) & ((1n << 255n) - 1n);
  if (y >= FIELD_PRIME) return false;
  try {
    const point = Point.fromBytes(bytes, false);
    return bytesEqual(point.toBytes(), bytes);
  } catch {
    return false;
  }
}

/**
 * True when a public key may sign (KEY-3): a canonical point that is not of small order. The
 * eight small-order points (including the all-zero stake address) can never sign anything.
 */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  if (!isCanonicalPoint(publicKey)) return false;
  return !Point.fromBytes(publicKey, false).isSmallOrder();
}

/**
 * A fresh random secret key (32 bytes from the platform's CSPRNG).
 *
 * @example
 * const secretKey = randomSecretKey();
 */
export function randomSecretKey(): Uint8Array {
  return ed25519.utils.randomSecretKey();
}

/**
 * The public key of a secret key (RFC 8032 §5.1.5).
 *
 * @example
 * const publicKey = publicKeyOf(secretKey); // 32 bytes
 */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  assertBytes('publicKeyOf: secretKey', secretKey, SECRET_KEY_BYTES);
  return ed25519.getPublicKey(secretKey);
}

/**
 * Signs a message with Ed25519 (RFC 8032 §5.1.6, deterministic).
 *
 * @example
 * const signature = sign(message, secretKey); // 64 bytes
 */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertBytes('sign: secretKey', secretKey, SECRET_KEY_BYTES);
  if (!(message instanceof Uint8Array)) throw new TypeError('sign: message must be a Uint8Array');
  return ed25519.sign(message, secretKey);
}

/**
 * The consensus verification rule (KEY-4), the only one a node may apply:
 *
 * 1. the public key is 32 bytes, a canonical point, not of small order (KEY-3);
 * 2. the signature is 64 bytes `R || S`; `R` is a canonical point encoding; `S < L`;
 * 3. `k = SHA-512(R || A || M) mod L` and `[S]B = R + [k]A` holds exactly (the cofactorless
 *    equation RFC 8032 §5.1.7 allows; OpenSSL and libsodium check the same equation).
 *
 * Never throws on malformed input: anything that is not a valid signature is `false`.
 *
 * @example
 * verify(sign(message, secretKey), message, publicKeyOf(secretKey)); // true
 */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return false;
  if (!(message instanceof Uint8Array)) return false;
  if (!isValidPublicKey(publicKey)) return false;
  const rBytes = signature.subarray(0, 32);
  const s = littleEndianToBigInt(signature.subarray(32, 64));
  if (s >= GROUP_ORDER) return false;
  if (!isCanonicalPoint(rBytes)) return false;
  const r = Point.fromBytes(rBytes, false);
  const a = Point.fromBytes(publicKey, false);
  const hash = sha512.create().update(rBytes).update(publicKey).update(message).digest();
  const k = littleEndianToBigInt(hash) % GROUP_ORDER;
  const left = Point.BASE.multiplyUnsafe(s);
  const right = r.add(a.multiplyUnsafe(k));
  return left.equals(right);
}

/**
 * Checks a signature and throws a typed error when it fails the rule.
 *
 * @throws SpecError SPEC_SIGNATURE_INVALID
 */
export function assertSignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, what: string): void {
  if (!verify(signature, message, publicKey)) {
    throw new SpecError(
      'SPEC_SIGNATURE_INVALID',
      `the signature of ${what} does not verify`,
      'sign the exact bytes the spec names with the key of the signer field (KEY-4)',
    );
  }
}

/**
 * Reads a secret key from 64 hex characters (the format `zi wallet export` writes).
 *
 * @throws SpecError SPEC_KEY_INVALID
 */
export function secretKeyFromHex(text: string): Uint8Array {
  const clean = typeof text === 'string' ? text.trim().replace(/^0x/i, '') : '';
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) {
    throw new SpecError(
      'SPEC_KEY_INVALID',
      'a secret key must be 64 hexadecimal characters (32 bytes)',
      'export the key again with `zi wallet export`, or check that it was copied whole',
    );
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
