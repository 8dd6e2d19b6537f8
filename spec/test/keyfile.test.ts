import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressBytes,
  addressOf,
  bytesEqual,
  decryptKeyFile,
  encryptKeyFile,
  fromHex,
  KEY_FILE_FORMAT,
  KEY_NAME_PATTERN,
  type KeyFile,
  keyFileToJson,
  parseKeyFile,
  publicKeyOf,
  SpecError,
  secretKeyFromHex,
  toHex,
  utf8Bytes,
} from '../src/index.js';

/** Low scrypt cost so property runs stay fast; real files use 2^17. */
const N = 2 ** 10;
const SECRET = secretKeyFromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const CREATED = '2025-01-31T12:00:00.000Z';

function counter(): (length: number) => Uint8Array {
  let next = 0;
  return (length) => Uint8Array.from({ length }, () => next++ & 0xff);
}

function fixture(passphrase = 'correct horse'): KeyFile {
  return encryptKeyFile({ secretKey: SECRET, passphrase, name: 'default', createdAt: CREATED, kdf: { N } });
}

/** The code of the error `f` throws, or what it returned when it did not throw. */
function outcome(f: () => Uint8Array): string {
  try {
    const key = f();
    return bytesEqual(key, SECRET) ? 'same key' : `another key ${toHex(key)}`;
  } catch (e) {
    return e instanceof SpecError ? e.code : `not a SpecError: ${String(e)}`;
  }
}

function errorOf(f: () => unknown): { code: string; message: string; hint: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof SpecError) return { code: e.code, message: e.message, hint: e.hint };
    throw e;
  }
  throw new Error('expected a SpecError');
}

function withByteChanged(hex: string, index: number, xor: number): string {
  const bytes = fromHex(hex);
  bytes[index % bytes.length] = ((bytes[index % bytes.length] as number) ^ xor) & 0xff;
  return toHex(bytes);
}

const passphrases = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => s.normalize('NFKC').length > 0);
const names = fc.stringMatching(KEY_NAME_PATTERN);
const instants = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

describe('key files (KEYFILE-1..7)', () => {
  it('encrypt, write, parse, decrypt is the identity (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        passphrases,
        names,
        instants,
        (secretKey, passphrase, name, createdAt) => {
          const file = encryptKeyFile({ secretKey, passphrase, name, createdAt, kdf: { N } });
          const text = keyFileToJson(file);
          expect(parseKeyFile(text)).toEqual(file);
          expect(parseKeyFile(utf8Bytes(text))).toEqual(file);
          expect(file.address).toBe(addressOf(publicKeyOf(secretKey)));
          expect(text).not.toContain(toHex(secretKey));
          expect(decryptKeyFile(text, passphrase)).toEqual(secretKey);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('writes the documented format (test vector: fixed salt and nonce)', () => {
    const file = encryptKeyFile({
      secretKey: SECRET,
      passphrase: 'correct horse',
      name: 'default',
      createdAt: CREATED,
      kdf: { N },
      random: counter(),
    });
    expect(keyFileToJson(file)).toMatchInlineSnapshot(`
      "{
        "format": "zi-key/1",
        "name": "default",
        "address": "zi16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqscngsu",
        "createdAt": "2025-01-31T12:00:00.000Z",
        "kdf": {
          "name": "scrypt",
          "N": 1024,
          "r": 8,
          "p": 1,
          "salt": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        },
        "cipher": {
          "name": "xchacha20-poly1305",
          "nonce": "202122232425262728292a2b2c2d2e2f3031323334353637"
        },
        "ciphertext": "c9ca460d4a44ce5c27a1d3e25105c5d5e61b20df9c6ad688af01e1065a618572bdc7e2f74318e7507d76ffb5ab512f01"
      }
      "
    `);
    expect(decryptKeyFile(keyFileToJson(file), 'correct horse')).toEqual(SECRET);
  });

  it('the passphrase is NFKC-normalised UTF-8', () => {
    const composed = encryptKeyFile({ secretKey: SECRET, passphrase: 'Ångström ﬁx', name: 'a', createdAt: CREATED, kdf: { N } });
    expect(decryptKeyFile(composed, 'A\u030Angstro\u0308m fix')).toEqual(SECRET);
  });

  it('a wrong passphrase is SPEC_KEYFILE_PASSPHRASE with a hint', () => {
    expect(errorOf(() => decryptKeyFile(fixture(), 'Correct horse'))).toMatchInlineSnapshot(`
      {
        "code": "SPEC_KEYFILE_PASSPHRASE",
        "hint": "type the passphrase again (it is case-sensitive); if it is right, the file was changed: restore it from a backup",
        "message": "cannot decrypt the key of zi16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqscngsu: wrong passphrase or a damaged file",
      }
    `);
  });

  it('any single-byte change of ciphertext, nonce or salt fails typed and never yields a key (property)', () => {
    const file = fixture();
    fc.assert(
      fc.property(fc.constantFrom('ciphertext', 'nonce', 'salt'), fc.nat(), fc.integer({ min: 1, max: 255 }), (field, index, xor) => {
        const changed: KeyFile =
          field === 'ciphertext'
            ? { ...file, ciphertext: withByteChanged(file.ciphertext, index, xor) }
            : field === 'nonce'
              ? { ...file, cipher: { ...file.cipher, nonce: withByteChanged(file.cipher.nonce, index, xor) } }
              : { ...file, kdf: { ...file.kdf, salt: withByteChanged(file.kdf.salt, index, xor) } };
        expect(outcome(() => decryptKeyFile(keyFileToJson(changed), 'correct horse'))).toBe('SPEC_KEYFILE_PASSPHRASE');
      }),
      { numRuns: 60 },
    );
  });

  it('changing the address, as text or as key bytes, fails typed and never yields a key (property)', () => {
    const file = fixture();
    const text = keyFileToJson(file);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0x21, max: 0x7e }), (index, code) => {
        const at = 3 + (index % (file.address.length - 3));
        const replacement = String.fromCharCode(code);
        fc.pre(replacement !== file.address[at]);
        const address = file.address.slice(0, at) + replacement + file.address.slice(at + 1);
        const changed = text.replace(file.address, address.replace(/["\\]/g, '\\$&'));
        expect(outcome(() => decryptKeyFile(changed, 'correct horse'))).toBe('SPEC_KEYFILE_CORRUPT');
      }),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, xor) => {
        const key = addressBytes(file.address);
        key[index % 32] = ((key[index % 32] as number) ^ xor) & 0xff;
        const changed = text.replace(file.address, addressOf(key));
        // A valid point is caught by the AEAD (its associated data), any other bytes by the parser.
        expect(['SPEC_KEYFILE_PASSPHRASE', 'SPEC_KEYFILE_CORRUPT']).toContain(outcome(() => decryptKeyFile(changed, 'correct horse')));
      }),
      { numRuns: 60 },
    );
  });

  it('any single-character change of the file either fails typed or yields the same key (property)', () => {
    const text = keyFileToJson(fixture());
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 0x7f }), (index, code) => {
        const at = index % text.length;
        const changed = text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1);
        expect(['same key', 'SPEC_KEYFILE_CORRUPT', 'SPEC_KEYFILE_PASSPHRASE']).toContain(
          outcome(() => decryptKeyFile(changed, 'correct horse')),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('garbage never throws anything but SPEC_KEYFILE_CORRUPT (property)', () => {
    const valid = JSON.parse(keyFileToJson(fixture())) as Record<string, unknown>;
    const garbage = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 300 }),
      // A valid file with one field replaced, removed or added.
      fc
        .tuple(fc.constantFrom(...Object.keys(valid), 'extra', '__proto__'), fc.option(fc.jsonValue(), { nil: undefined }))
        .map(([key, value]) => JSON.stringify({ ...valid, [key]: value })),
      fc
        .tuple(fc.constantFrom('kdf', 'cipher'), fc.constantFrom('name', 'N', 'r', 'p', 'salt', 'nonce', 'x'), fc.jsonValue())
        .map(([outer, key, value]) => JSON.stringify({ ...valid, [outer]: { ...(valid[outer] as object), [key]: value } })),
    );
    fc.assert(
      fc.property(garbage, (input) => {
        try {
          parseKeyFile(input);
        } catch (e) {
          expect(e).toBeInstanceOf(SpecError);
          expect((e as SpecError).code).toBe('SPEC_KEYFILE_CORRUPT');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses scrypt costs a hostile file could use to exhaust memory or time (KEYFILE-6)', () => {
    const valid = JSON.parse(keyFileToJson(fixture())) as { kdf: Record<string, unknown> };
    const withKdf = (kdf: Record<string, unknown>) => JSON.stringify({ ...valid, kdf: { ...valid.kdf, ...kdf } });
    const messages = [
      { N: 2 ** 21 },
      { N: 2 ** 40 },
      { N: 1000 },
      { N: 1 },
      { N: 2 ** 19, r: 8 },
      { N: 2 ** 17, r: 8, p: 8 },
      { r: 33 },
      { p: 0 },
      { p: 1.5 },
      { N: '1024' },
    ].map((kdf) => errorOf(() => decryptKeyFile(withKdf(kdf), 'correct horse')).message);
    expect(messages).toMatchInlineSnapshot(`
      [
        "key file: kdf.N is 2097152, above the limit 2^20",
        "key file: kdf.N is 1099511627776, above the limit 2^20",
        "key file: kdf.N must be a power of two of at least 2, got 1000",
        "key file: kdf.N must be a power of two of at least 2, got 1",
        "key file: scrypt would need 512 MiB (128·N·r), above the limit 256 MiB",
        "key file: scrypt work N·r·p is 8388608, above the limit 2^22",
        "key file: kdf.r is 33, above the limit 32",
        "key file: kdf.p must be a positive integer, got 0",
        "key file: kdf.p must be a positive integer, got 1.5",
        "key file: kdf.N must be a power of two of at least 2, got "1024"",
      ]
    `);
    expect(errorOf(() => parseKeyFile(' '.repeat(20_000))).message).toContain('longer than 16384');
  });

  it('an unknown format asks for another version of zi', () => {
    const text = keyFileToJson(fixture()).replace(KEY_FILE_FORMAT, 'zi-key/2');
    expect(errorOf(() => parseKeyFile(text))).toMatchInlineSnapshot(`
      {
        "code": "SPEC_KEYFILE_CORRUPT",
        "hint": "the file was written by another version of zi: upgrade zi, or import the key again from its hex with \`zi wallet import\`",
        "message": "key file: the format is "zi-key/2", this version reads "zi-key/1"",
      }
    `);
  });

  it('a file whose key is not its address is corrupt, even with the right passphrase (KEYFILE-7)', () => {
    const file = fixture();
    const other = addressOf(publicKeyOf(new Uint8Array(32).fill(7)));
    const key = scrypt(utf8Bytes('correct horse'), fromHex(file.kdf.salt), { N, r: 8, p: 1, dkLen: 32 });
    const sealed = xchacha20poly1305(key, fromHex(file.cipher.nonce), utf8Bytes(`${KEY_FILE_FORMAT}\n${other}`)).encrypt(SECRET);
    const forged = { ...file, address: other, ciphertext: toHex(sealed) };
    expect(errorOf(() => decryptKeyFile(forged, 'correct horse')).message).toBe(`key file: the key inside is not the key of ${other}`);
  });

  it('misuse is a TypeError or RangeError; an empty passphrase is refused', () => {
    const base = { secretKey: SECRET, passphrase: 'x', name: 'default', createdAt: CREATED };
    expect(() => encryptKeyFile({ ...base, secretKey: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => encryptKeyFile({ ...base, name: 'Has Space' })).toThrow(RangeError);
    expect(() => encryptKeyFile({ ...base, createdAt: 'yesterday' })).toThrow(RangeError);
    expect(() => encryptKeyFile({ ...base, kdf: { N: 1000 } })).toThrow(RangeError);
    expect(() => encryptKeyFile({ ...base, kdf: { N: 2 ** 19 } })).toThrow(RangeError);
    expect(errorOf(() => encryptKeyFile({ ...base, passphrase: '' })).code).toBe('SPEC_KEYFILE_PASSPHRASE_EMPTY');
  });
});
