import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';

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
