import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { type Address, addressBytes, addressOf } from './address.js';
import { bytesEqual, fromHex, toHex, utf8Bytes } from './bytes.js';
import { SpecError } from './errors.js';
import { isValidPublicKey, publicKeyOf, SECRET_KEY_BYTES } from './keys.js';

/** The `format` of every key file this version writes and reads (KEYFILE-1). */
export const KEY_FILE_FORMAT = 'zi-key/1';

/** The scrypt cost a new key file gets (KEYFILE-3): 128 MiB and about half a second. */
export const KEY_FILE_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

/**
 * What a reader accepts (KEYFILE-6), so a hostile file cannot make us allocate gigabytes or spin
 * for minutes: at most 256 MiB of scrypt memory (`128·N·r`) and four times the default work
 * (`N·r·p`).
 */
export const KEY_FILE_LIMITS = {
  maxN: 2 ** 20,
  maxR: 32,
  maxP: 16,
  maxMemoryBytes: 2 ** 28,
  maxWork: 2 ** 22,
  maxFileBytes: 16 * 1024,
} as const;

/** A key file's name (KEYFILE-2): lower-case letters, digits, `_` and `-`, at most 64 characters. */
export const KEY_NAME_PATTERN: RegExp = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const SALT_BYTES = 32;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const CIPHERTEXT_BYTES = SECRET_KEY_BYTES + TAG_BYTES;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const HEX_LOWER = /^(?:[0-9a-f]{2})*$/;

/** The scrypt parameters and salt of a key file. */
export interface KeyFileKdf {
  readonly name: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** 32 bytes, lower-case hex. */
  readonly salt: string;
}

/** The AEAD of a key file. */
export interface KeyFileCipher {
  readonly name: 'xchacha20-poly1305';
  /** 24 bytes, lower-case hex. */
  readonly nonce: string;
}

/** A parsed, validated key file (KEYFILE-1). Everything but `ciphertext` is public. */
export interface KeyFile {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly name: string;
  readonly address: Address;
  readonly createdAt: string;
  readonly kdf: KeyFileKdf;
  readonly cipher: KeyFileCipher;
  /** The 32-byte secret key and the 16-byte Poly1305 tag, lower-case hex. */
  readonly ciphertext: string;
}

/** What `encryptKeyFile` needs. */
export interface EncryptKeyFileOptions {
  readonly secretKey: Uint8Array;
  readonly passphrase: string;
  /** A label matching `KEY_NAME_PATTERN`; not authenticated, so a wallet can be renamed. */
  readonly name: string;
  /** An ISO 8601 UTC instant, e.g. `new Date().toISOString()` (the spec has no clock). */
  readonly createdAt: string;
  /** A lower N is for tests only: it makes the passphrase that much cheaper to guess. */
  readonly kdf?: { readonly N?: number };
  /** Source of the salt and nonce; the platform CSPRNG unless a test vector fixes them. */
  readonly random?: (length: number) => Uint8Array;
}

const CORRUPT_HINT =
  'the file was damaged or edited by hand: restore it from a backup, or import the key again from its hex with `zi wallet import`';

function corrupt(message: string, hint: string = CORRUPT_HINT): SpecError {
  return new SpecError('SPEC_KEYFILE_CORRUPT', `key file: ${message}`, hint);
}

/** KEYFILE-5: the AEAD binds the format and the address, so neither can be swapped undetected. */
function associatedData(address: Address): Uint8Array {
  return utf8Bytes(`${KEY_FILE_FORMAT}\n${address}`);
}

/** KEYFILE-3: the passphrase is NFKC-normalised, so the same words typed on another keyboard unlock the file. */
function deriveKey(passphrase: string, kdf: KeyFileKdf): Uint8Array {
  const { N, r, p } = kdf;
  const maxmem = 128 * r * (N + p + 1);
  return scrypt(utf8Bytes(passphrase.normalize('NFKC')), fromHex(kdf.salt), { N, r, p, dkLen: 32, maxmem });
}

/** Why the scrypt parameters are refused (KEYFILE-6), or undefined when a reader accepts them. */
function scryptProblem(N: unknown, r: unknown, p: unknown): string | undefined {
  if (!Number.isSafeInteger(N) || (N as number) < 2 || ((N as number) & ((N as number) - 1)) !== 0) {
    return `kdf.N must be a power of two of at least 2, got ${JSON.stringify(N)}`;
  }
  if (!Number.isSafeInteger(r) || (r as number) < 1) return `kdf.r must be a positive integer, got ${JSON.stringify(r)}`;
  if (!Number.isSafeInteger(p) || (p as number) < 1) return `kdf.p must be a positive integer, got ${JSON.stringify(p)}`;
  const [n, rr, pp] = [N as number, r as number, p as number];
  const { maxN, maxR, maxP, maxMemoryBytes, maxWork } = KEY_FILE_LIMITS;
  if (n > maxN) return `kdf.N is ${n}, above the limit 2^20`;
  if (rr > maxR) return `kdf.r is ${rr}, above the limit ${maxR}`;
  if (pp > maxP) return `kdf.p is ${pp}, above the limit ${maxP}`;
  if (128 * n * rr > maxMemoryBytes) return `scrypt would need ${(128 * n * rr) / 2 ** 20} MiB (128·N·r), above the limit 256 MiB`;
  if (n * rr * pp > maxWork) return `scrypt work N·r·p is ${n * rr * pp}, above the limit 2^22`;
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKeys(value: Record<string, unknown>, where: string, keys: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) throw corrupt(`unknown field ${where}${JSON.stringify(key).slice(0, 80)}`);
  }
  for (const key of keys) {
    if (!Object.hasOwn(value, key)) throw corrupt(`the field ${where}${key} is missing`);
  }
}

function hexField(value: unknown, field: string, bytes: number): string {
  if (typeof value !== 'string' || !HEX_LOWER.test(value) || value.length !== bytes * 2) {
    throw corrupt(`${field} must be ${bytes} bytes of lower-case hex`);
  }
  return value;
}

function textOf(input: string | Uint8Array): string {
  const { maxFileBytes } = KEY_FILE_LIMITS;
  if (typeof input === 'string') {
    if (input.length > maxFileBytes) throw corrupt(`it is longer than ${maxFileBytes} characters; a key file is under 1 KiB`);
    return input;
  }
  if (input.length > maxFileBytes) throw corrupt(`it is larger than ${maxFileBytes} bytes; a key file is under 1 KiB`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw corrupt('it is not UTF-8 text');
  }
}

/**
 * Checks a value read from JSON against KEYFILE-1..6 and returns it as a `KeyFile`. Reads only
 * public fields: no passphrase, no scrypt.
 *
 * @throws SpecError SPEC_KEYFILE_CORRUPT naming the first field that is wrong
 */
export function validateKeyFile(value: unknown): KeyFile {
  if (!isPlainObject(value)) throw corrupt('it is not a JSON object');
  if (value.format !== KEY_FILE_FORMAT) {
    const format = typeof value.format === 'string' ? value.format.slice(0, 40) : undefined;
    throw format === undefined
      ? corrupt('the field format is missing or not text')
      : corrupt(
          `the format is "${format}", this version reads "${KEY_FILE_FORMAT}"`,
          'the file was written by another version of zi: upgrade zi, or import the key again from its hex with `zi wallet import`',
        );
  }
  onlyKeys(value, '', ['format', 'name', 'address', 'createdAt', 'kdf', 'cipher', 'ciphertext']);
  const { name, address, createdAt, kdf, cipher } = value;
  if (typeof name !== 'string' || !KEY_NAME_PATTERN.test(name)) {
    throw corrupt('name must be 1-64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit');
  }
  if (typeof address !== 'string') throw corrupt('address must be text');
  let publicKey: Uint8Array;
  try {
    publicKey = addressBytes(address);
  } catch (error) {
    throw corrupt(`address: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (addressOf(publicKey) !== address || !isValidPublicKey(publicKey)) {
    throw corrupt('address must be the canonical zi1… address of an Ed25519 public key');
  }
  if (typeof createdAt !== 'string' || !ISO_INSTANT.test(createdAt) || !Number.isFinite(Date.parse(createdAt))) {
    throw corrupt('createdAt must be an ISO 8601 UTC instant such as 2025-01-31T12:00:00.000Z');
  }
  if (!isPlainObject(kdf)) throw corrupt('kdf must be an object');
  if (kdf.name !== 'scrypt') throw corrupt(`kdf.name must be "scrypt", got ${JSON.stringify(kdf.name)?.slice(0, 40)}`);
  onlyKeys(kdf, 'kdf.', ['name', 'N', 'r', 'p', 'salt']);
  const problem = scryptProblem(kdf.N, kdf.r, kdf.p);
  if (problem !== undefined) throw corrupt(problem);
  const salt = hexField(kdf.salt, 'kdf.salt', SALT_BYTES);
  if (!isPlainObject(cipher)) throw corrupt('cipher must be an object');
  if (cipher.name !== 'xchacha20-poly1305') {
    throw corrupt(`cipher.name must be "xchacha20-poly1305", got ${JSON.stringify(cipher.name)?.slice(0, 40)}`);
  }
  onlyKeys(cipher, 'cipher.', ['name', 'nonce']);
  const nonce = hexField(cipher.nonce, 'cipher.nonce', NONCE_BYTES);
  const ciphertext = hexField(value.ciphertext, 'ciphertext', CIPHERTEXT_BYTES);
  return {
    format: KEY_FILE_FORMAT,
    name,
    address,
    createdAt,
    kdf: { name: 'scrypt', N: kdf.N as number, r: kdf.r as number, p: kdf.p as number, salt },
    cipher: { name: 'xchacha20-poly1305', nonce },
    ciphertext,
  };
}

/**
 * Parses the text (or bytes) of a key file: JSON, at most 16 KiB, every field checked
 * (KEYFILE-1..6). Needs no passphrase, so a wallet list can show names and addresses.
 *
 * @throws SpecError SPEC_KEYFILE_CORRUPT
 * @example
 * parseKeyFile(text).address; // 'zi1…'
 */
export function parseKeyFile(input: string | Uint8Array): KeyFile {
  const text = textOf(input);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt('it is not valid JSON');
  }
  return validateKeyFile(value);
}

/**
 * Encrypts a secret key under a passphrase (KEYFILE-3..5): scrypt with a fresh 32-byte salt, then
 * XChaCha20-Poly1305 with a fresh 24-byte nonce over the 32 key bytes, binding format and address.
 *
 * @throws SpecError SPEC_KEYFILE_PASSPHRASE_EMPTY
 * @example
 * const file = encryptKeyFile({ secretKey, passphrase, name: 'default', createdAt: new Date().toISOString() });
 * const text = keyFileToJson(file);
 */
export function encryptKeyFile(options: EncryptKeyFileOptions): KeyFile {
  const { secretKey, passphrase, name, createdAt } = options;
  const random = options.random ?? randomBytes;
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_BYTES) {
    throw new RangeError(`encryptKeyFile: secretKey must be ${SECRET_KEY_BYTES} bytes`);
  }
  if (typeof passphrase !== 'string') throw new TypeError('encryptKeyFile: passphrase must be a string');
  if (passphrase.normalize('NFKC').length === 0) {
    throw new SpecError(
      'SPEC_KEYFILE_PASSPHRASE_EMPTY',
      'the passphrase is empty',
      'choose a passphrase: it is all that protects the key file',
    );
  }
  if (typeof name !== 'string' || !KEY_NAME_PATTERN.test(name)) {
    throw new RangeError(`encryptKeyFile: name must match ${KEY_NAME_PATTERN}, got ${JSON.stringify(name)}`);
  }
  if (typeof createdAt !== 'string' || !ISO_INSTANT.test(createdAt) || !Number.isFinite(Date.parse(createdAt))) {
    throw new RangeError(`encryptKeyFile: createdAt must be an ISO 8601 UTC instant, got ${JSON.stringify(createdAt)}`);
  }
  const { r, p } = KEY_FILE_SCRYPT;
  const N = options.kdf?.N ?? KEY_FILE_SCRYPT.N;
  const problem = scryptProblem(N, r, p);
  if (problem !== undefined) throw new RangeError(`encryptKeyFile: ${problem}`);
  const salt = random(SALT_BYTES);
  const nonce = random(NONCE_BYTES);
  if (salt.length !== SALT_BYTES || nonce.length !== NONCE_BYTES) throw new RangeError('encryptKeyFile: random returned the wrong length');
  const address = addressOf(publicKeyOf(secretKey));
  const kdf: KeyFileKdf = { name: 'scrypt', N, r, p, salt: toHex(salt) };
  const key = deriveKey(passphrase, kdf);
  const sealed = xchacha20poly1305(key, nonce, associatedData(address)).encrypt(secretKey);
  key.fill(0);
  return {
    format: KEY_FILE_FORMAT,
    name,
    address,
    createdAt,
    kdf,
    cipher: { name: 'xchacha20-poly1305', nonce: toHex(nonce) },
    ciphertext: toHex(sealed),
  };
}

/**
 * Decrypts a key file (text, bytes, or a parsed `KeyFile`) and returns its 32-byte secret key.
 * The scrypt cost is the one stored in the file, within KEYFILE-6.
 *
 * @throws SpecError SPEC_KEYFILE_CORRUPT when the file breaks a rule or its key is not its address's (KEYFILE-7)
 * @throws SpecError SPEC_KEYFILE_PASSPHRASE when the AEAD fails: a wrong passphrase or a damaged file
 * @example
 * const secretKey = decryptKeyFile(text, passphrase);
 */
export function decryptKeyFile(file: string | Uint8Array | KeyFile, passphrase: string): Uint8Array {
  const keyFile = typeof file === 'string' || file instanceof Uint8Array ? parseKeyFile(file) : validateKeyFile(file);
  if (typeof passphrase !== 'string') throw new TypeError('decryptKeyFile: passphrase must be a string');
  const key = deriveKey(passphrase, keyFile.kdf);
  let secretKey: Uint8Array;
  try {
    secretKey = xchacha20poly1305(key, fromHex(keyFile.cipher.nonce), associatedData(keyFile.address)).decrypt(fromHex(keyFile.ciphertext));
  } catch {
    throw new SpecError(
      'SPEC_KEYFILE_PASSPHRASE',
      `cannot decrypt the key of ${keyFile.address}: wrong passphrase or a damaged file`,
      'type the passphrase again (it is case-sensitive); if it is right, the file was changed: restore it from a backup',
    );
  } finally {
    key.fill(0);
  }
  // KEYFILE-7: a file whose key is not its address's would sign for someone else.
  if (!bytesEqual(addressBytes(keyFile.address), publicKeyOf(secretKey))) {
    secretKey.fill(0);
    throw corrupt(`the key inside is not the key of ${keyFile.address}`);
  }
  return secretKey;
}

/**
 * The text of a key file as written to disk: two-space JSON, fields in KEYFILE-1 order, a final newline.
 *
 * @example
 * await writeFile(path, keyFileToJson(encryptKeyFile(options)), { mode: 0o600 });
 */
export function keyFileToJson(file: KeyFile): string {
  const { format, name, address, createdAt, kdf, cipher, ciphertext } = validateKeyFile(file);
  const ordered = {
    format,
    name,
    address,
    createdAt,
    kdf: { name: kdf.name, N: kdf.N, r: kdf.r, p: kdf.p, salt: kdf.salt },
    cipher: { name: cipher.name, nonce: cipher.nonce },
    ciphertext,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
