import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { SpecError } from './errors.js';

/** Multicodec code of raw bytes (a bundle, a results file). */
export const RAW_CODEC = 0x55;
/** Multihash code of sha2-256. */
export const SHA2_256 = 0x12;

/**
 * The CIDv1 (raw codec, sha2-256) of a byte string, in its canonical base32 text form. Bundles and
 * result files are named by it (ENC-2).
 *
 * @example
 * cidOfBytes(new TextEncoder().encode('hello')); // 'bafkrei…'
 */
export function cidOfBytes(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('cidOfBytes: bytes must be a Uint8Array');
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256, sha256(bytes))).toString();
}

/**
 * True when `bytes` hash to `cid` (raw codec, sha2-256). Used before anything fetched by CID is used.
 *
 * @example
 * isCidOfBytes(cidOfBytes(b), b); // true
 */
export function isCidOfBytes(cid: string, bytes: Uint8Array): boolean {
  try {
    return cidOfBytes(bytes) === CID.parse(cid).toV1().toString();
  } catch {
    return false;
  }
}

/**
 * The sha2-256 digest inside a CID given as text (any codec): the 32 bytes state keys use.
 *
 * @throws SpecError SPEC_CID_INVALID
 */
export function bytesOfCid(text: string): Uint8Array {
  let parsed: CID;
  try {
    parsed = CID.parse(text);
  } catch {
    throw new SpecError(
      'SPEC_CID_INVALID',
      `"${String(text).slice(0, 80)}" is not a CID`,
      'ids look like bafy… or bafk…; copy the whole id',
    );
  }
  if (parsed.multihash.code !== SHA2_256 || parsed.multihash.size !== 32) {
    throw new SpecError('SPEC_CID_INVALID', `"${text}" is not a sha2-256 CID`, 'Zi ids use sha2-256 (ENC-2)');
  }
  return parsed.multihash.digest;
}
