import { bech32m } from '@scure/base';
import { SpecError } from './errors.js';
import { PUBLIC_KEY_BYTES } from './keys.js';

/** Human-readable prefix of every address (ADR-1). */
export const ADDRESS_PREFIX = 'zi';
/** The stake address `000` (ADR-3): 32 zero bytes, a small-order point no key can sign for. */
export const STAKE_ADDRESS_BYTES: Uint8Array = new Uint8Array(PUBLIC_KEY_BYTES);
/** The text alias of the stake address, as the paper writes it. */
export const STAKE_ADDRESS_ALIAS = '000';
/** An address in text: `zi1…` (bech32m of the 32-byte Ed25519 public key). */
export type Address = string;

/**
 * The address of a public key (ADR-1): bech32m with prefix `zi` over the 32 raw public-key bytes.
 * The key is the address, so a signature is checked against the sender field without carrying
 * the key again.
 *
 * @example
 * addressOf(publicKeyOf(secretKey)); // 'zi1…' (61 characters)
 */
export function addressOf(publicKey: Uint8Array): Address {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new TypeError(`addressOf: publicKey must be ${PUBLIC_KEY_BYTES} bytes`);
  }
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(publicKey));
}

/** The stake address in its `zi1…` form. */
export const STAKE_ADDRESS: Address = addressOf(STAKE_ADDRESS_BYTES);

/** Characters in an address: `zi`, `1`, 52 data characters (256 bits) and a 6-character checksum. */
const ADDRESS_LENGTH = 61;

/**
 * The 32 bytes an address names (ADR-2): `zi1…` with a valid bech32m checksum and exactly 32 bytes
 * of data, written in lower case; `000` names the stake address. The upper-case form bech32m also
 * allows (BIP-173) is rejected, like mixed case, so every address has one spelling and addresses
 * compare as strings (the JSON codec and `genesisBalance` rely on it).
 *
 * @throws SpecError SPEC_ADDRESS_INVALID
 * @example
 * addressBytes('000'); // 32 zero bytes
 */
export function addressBytes(address: string): Uint8Array {
  if (typeof address !== 'string') {
    throw new SpecError('SPEC_ADDRESS_INVALID', 'an address must be text', 'addresses look like zi1… (61 characters)');
  }
  const text = address.trim();
  if (text === STAKE_ADDRESS_ALIAS) return STAKE_ADDRESS_BYTES.slice();
  // ADR-2: one spelling per address, lower case (bech32m's upper-case form is not accepted).
  if (text !== text.toLowerCase()) {
    throw new SpecError(
      'SPEC_ADDRESS_INVALID',
      `"${text.slice(0, 100)}" has upper-case letters; addresses are written in lower case`,
      'write the address in lower case, as `zi wallet show` prints it',
    );
  }
  if (text.length > 90 || !text.startsWith(`${ADDRESS_PREFIX}1`)) {
    throw new SpecError(
      'SPEC_ADDRESS_INVALID',
      `"${text.slice(0, 100)}" is not a Zi address`,
      `addresses start with "zi1" and are ${ADDRESS_LENGTH} characters long; copy the whole address from \`zi wallet show\``,
    );
  }
  let words: number[];
  try {
    const decoded = bech32m.decode(text as `${string}1${string}`);
    if (decoded.prefix !== ADDRESS_PREFIX) throw new Error('prefix');
    words = decoded.words;
  } catch {
    throw new SpecError(
      'SPEC_ADDRESS_INVALID',
      `"${text}" has a bad checksum or characters outside bech32`,
      'an address was mistyped or truncated; copy it again from `zi wallet show`',
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = bech32m.fromWords(words);
  } catch {
    throw new SpecError('SPEC_ADDRESS_INVALID', `"${text}" does not hold whole bytes`, 'copy the address again');
  }
  if (bytes.length !== PUBLIC_KEY_BYTES) {
    throw new SpecError(
      'SPEC_ADDRESS_INVALID',
      `"${text}" holds ${bytes.length} bytes, an address holds ${PUBLIC_KEY_BYTES}`,
      'copy the whole address from `zi wallet show`',
    );
  }
  return bytes;
}

/** True when `address` parses (ADR-2). */
export function isAddress(address: string): boolean {
  try {
    addressBytes(address);
    return true;
  } catch {
    return false;
  }
}

/** The canonical `zi1…` text of an address given in any accepted form (`000` included). */
export function normalizeAddress(address: string): Address {
  return addressOf(addressBytes(address));
}
