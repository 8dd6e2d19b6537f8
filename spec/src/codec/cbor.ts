import * as dagCbor from '@ipld/dag-cbor';
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { bytesEqual } from '../bytes.js';
import { SHA2_256 } from '../cid.js';
import { SpecError } from '../errors.js';

/** Multicodec code of DAG-CBOR: every protocol object is named by a CID with it (ENC-1). */
export const DAG_CBOR_CODEC = 0x71;

/**
 * Encodes a value as deterministic DAG-CBOR (ENC-1): map keys sorted by length then bytes,
 * shortest integer forms, no floats in protocol objects, no undefined, CIDs as tag 42.
 *
 * @throws SpecError SPEC_CBOR_UNENCODABLE for values DAG-CBOR cannot carry
 * @example
 * encodeCbor({ b: 1, a: 2n }); // same bytes whatever the key order
 */
export function encodeCbor(value: unknown): Uint8Array {
  try {
    return dagCbor.encode(value);
  } catch (error) {
    throw new SpecError(
      'SPEC_CBOR_UNENCODABLE',
      `value cannot be encoded as DAG-CBOR: ${(error as Error).message}`,
      'protocol objects hold only maps with text keys, lists, integers, byte strings, text, booleans and CIDs',
    );
  }
}

/**
 * Decodes DAG-CBOR and rejects every encoding but the canonical one (ENC-3): the bytes must be
 * exactly what {@link encodeCbor} gives for the decoded value, so no object has two encodings
 * and no id two preimages.
 *
 * @throws SpecError SPEC_CBOR_TOO_LARGE, SPEC_CBOR_MALFORMED, SPEC_CBOR_NONCANONICAL
 * @example
 * decodeCbor(encodeCbor({ a: 1 }), 1024); // { a: 1 }
 */
export function decodeCbor(bytes: Uint8Array, maxBytes: number): unknown {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('decodeCbor: bytes must be a Uint8Array');
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError('decodeCbor: maxBytes must be a positive integer');
  if (bytes.length > maxBytes) {
    throw new SpecError(
      'SPEC_CBOR_TOO_LARGE',
      `${bytes.length} bytes is over the limit of ${maxBytes} for this object`,
      'send smaller objects; the limits are in the spec (ENC-4)',
    );
  }
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    throw new SpecError(
      'SPEC_CBOR_MALFORMED',
      `not valid DAG-CBOR: ${(error as Error).message}`,
      'the bytes were truncated, corrupted or written by an incompatible encoder',
    );
  }
  let again: Uint8Array;
  try {
    again = dagCbor.encode(value);
  } catch {
    throw new SpecError(
      'SPEC_CBOR_NONCANONICAL',
      'the decoded value has no canonical encoding',
      'encode with deterministic DAG-CBOR (ENC-1)',
    );
  }
  if (!bytesEqual(again, bytes)) {
    throw new SpecError(
      'SPEC_CBOR_NONCANONICAL',
      'the bytes are not the canonical DAG-CBOR encoding of what they hold',
      'encode with deterministic DAG-CBOR: sorted map keys, shortest integers, no floats (ENC-1, ENC-3)',
    );
  }
  return value;
}

/**
 * The CIDv1 (dag-cbor, sha2-256) naming canonical DAG-CBOR bytes (ENC-2).
 *
 * @example
 * cidOfCbor(encodeCbor(tx)).toString(); // 'bafyrei…'
 */
export function cidOfCbor(bytes: Uint8Array): CID {
  return CID.createV1(DAG_CBOR_CODEC, Digest.create(SHA2_256, sha256(bytes)));
}

/** The sha2-256 digest inside a CID. */
export function digestOfCid(cid: CID): Uint8Array {
  return cid.multihash.digest;
}
