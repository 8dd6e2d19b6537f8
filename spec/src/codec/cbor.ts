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
 * ENC-1: the deepest nesting of lists and maps (a scalar is depth 0, `[]` depth 1, `[[]]` depth 2).
 * Protocol objects need 5; the limit keeps decoding from ever depending on the call stack size.
 */
export const MAX_CBOR_DEPTH = 64;

/**
 * Encodes a value as deterministic DAG-CBOR (ENC-1): map keys sorted by length then bytes,
 * shortest integer forms, no floats in protocol objects, no undefined, CIDs as tag 42.
 *
 * @throws SpecError SPEC_CBOR_UNENCODABLE for values DAG-CBOR cannot carry
 * @example
 * encodeCbor({ b: 1, a: 2n }); // same bytes whatever the key order
 */
export function encodeCbor(value: unknown): Uint8Array {
  let encoded: Uint8Array;
  try {
    encoded = dagCbor.encode(value);
  } catch (error) {
    throw new SpecError(
      'SPEC_CBOR_UNENCODABLE',
      `value cannot be encoded as DAG-CBOR: ${(error as Error).message}`,
      'protocol objects hold only maps with text keys, lists, integers, byte strings, text, booleans and CIDs',
    );
  }
  // dag-cbor writes 1.5 and 2 ** 60 as floats; ENC-1 has none (large integers are bigints).
  const problem = problemOf(value, 0);
  if (problem !== undefined) {
    throw new SpecError(
      'SPEC_CBOR_UNENCODABLE',
      `value cannot be encoded as DAG-CBOR: it holds ${problem} (ENC-1)`,
      'write integers above 2^53 - 1 as bigints; protocol objects carry no fractions and nest at most 64 deep',
    );
  }
  // cborg hands out a Node Buffer for some values (possibly a view into Node's shared pool, and
  // Buffer#slice does not copy): always return a plain Uint8Array of its own.
  return Object.getPrototypeOf(encoded) === Uint8Array.prototype ? encoded : new Uint8Array(encoded);
}

/**
 * Decodes DAG-CBOR and rejects every encoding but the canonical one (ENC-3): the bytes must be
 * exactly what {@link encodeCbor} gives for the decoded value, so no object has two encodings
 * and no id two preimages.
 *
 * @throws SpecError SPEC_CBOR_TOO_LARGE, SPEC_CBOR_TOO_DEEP, SPEC_CBOR_MALFORMED, SPEC_CBOR_NONCANONICAL
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
  if (nestsTooDeep(bytes)) {
    throw new SpecError(
      'SPEC_CBOR_TOO_DEEP',
      `lists and maps are nested more than ${MAX_CBOR_DEPTH} deep`,
      'protocol objects nest only a few levels (ENC-1)',
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
  // A float that is not integral (1.5) re-encodes as itself; ENC-1 still forbids it.
  const problem = problemOf(value, 0);
  if (problem !== undefined) {
    throw new SpecError(
      'SPEC_CBOR_NONCANONICAL',
      `the bytes hold ${problem}`,
      'protocol objects carry integers only, never floats (ENC-1)',
    );
  }
  return value;
}

/** A UTF-16 surrogate not in a pair: UTF-8 cannot carry it, and the encoder would write U+FFFD instead. */
export const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What ENC-1 forbids in a value DAG-CBOR can carry, or undefined: a number DAG-CBOR writes as a
 * float (anything but a safe integer; decoded integers outside the safe range are bigints), text
 * that is not Unicode (it would not decode to itself), or nesting deeper than
 * {@link MAX_CBOR_DEPTH}. `depth` is the number of lists and maps around `value`.
 */
function problemOf(value: unknown, depth: number): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? undefined : `the float ${value}`;
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? 'text with a lone UTF-16 surrogate (not Unicode)' : undefined;
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array || CID.asCID(value)) return undefined;
  if (depth >= MAX_CBOR_DEPTH) return `lists and maps nested more than ${MAX_CBOR_DEPTH} deep`;
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.keys(), ...value.values()] : Object.entries(value).flat();
  for (const item of items) {
    const found = problemOf(item, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * True when the CBOR data opens lists or maps more than {@link MAX_CBOR_DEPTH} deep, found by
 * walking the item heads without recursion before anything is decoded. Anything else odd
 * (truncation, reserved or indefinite lengths) is left for the decoder to report.
 */
function nestsTooDeep(bytes: Uint8Array): boolean {
  const open: number[] = []; // items still to come in each open, non-empty list or map
  let pos = 0;
  while (pos < bytes.length) {
    const head = bytes[pos++] as number;
    const major = head >> 5;
    const info = head & 31;
    let arg = info;
    if (info >= 24) {
      if (info > 27) return false;
      const size = 1 << (info - 24);
      if (pos + size > bytes.length) return false;
      arg = 0;
      for (let i = 0; i < size; i++) arg = arg * 256 + (bytes[pos + i] as number);
      pos += size;
    }
    if (major === 6) continue; // a tag prefixes the item after it
    if (major === 2 || major === 3) pos += arg;
    if (major === 4 || major === 5) {
      if (open.length + 1 > MAX_CBOR_DEPTH) return true;
      if (arg > 0) {
        open.push(major === 4 ? arg : arg * 2);
        continue;
      }
    }
    // one item is complete: count it against the lists and maps it closes
    while (open.length > 0) {
      const left = (open.pop() as number) - 1;
      if (left > 0) {
        open.push(left);
        break;
      }
    }
  }
  return false;
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
