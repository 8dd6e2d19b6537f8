import { bech32, bech32m } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ADDRESS_PREFIX,
  addressBytes,
  addressOf,
  isAddress,
  normalizeAddress,
  publicKeyOf,
  SpecError,
  STAKE_ADDRESS,
  STAKE_ADDRESS_ALIAS,
  STAKE_ADDRESS_BYTES,
  toHex,
} from '../src/index.js';

/** Fixed seeds keep every property run the same. */
const runs = (numRuns: number) => ({ numRuns, seed: 0xadd7 });

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const ALICE = addressOf(publicKeyOf(new Uint8Array(32).fill(1)));

/** The SpecError code `f` throws, or a description of what it did instead. */
function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof SpecError ? e.code : `not a SpecError: ${String(e)}`;
  }
  return 'no error';
}

const encodeWith = (codec: typeof bech32m, prefix: string, bytes: Uint8Array) => codec.encode(prefix, codec.toWords(bytes));

describe('addresses (ADR-1..3)', () => {
  it('ADR-1: bech32m of the 32 key bytes, prefix zi, 61 characters, lower case', () => {
    expect(ALICE).toMatch(/^zi1[02-9ac-hj-np-z]{58}$/);
    expect(ALICE).toHaveLength(61);
    expect(ADDRESS_PREFIX).toBe('zi');
    expect(addressOf(new Uint8Array(32).fill(0xff))).toBe(encodeWith(bech32m, 'zi', new Uint8Array(32).fill(0xff)));
  });

  it('round trip: addressBytes(addressOf(key)) is the key, and normalizeAddress is the identity on addresses', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        const address = addressOf(key);
        expect(address).toHaveLength(61);
        expect(toHex(addressBytes(address))).toBe(toHex(key));
        expect(isAddress(address)).toBe(true);
        expect(normalizeAddress(address)).toBe(address);
      }),
      runs(300),
    );
  });

  it('ADR-3: 000 is the stake address, 32 zero bytes, and reading it returns a fresh copy', () => {
    expect(STAKE_ADDRESS_ALIAS).toBe('000');
    expect(toHex(addressBytes('000'))).toBe('00'.repeat(32));
    expect(toHex(addressBytes(STAKE_ADDRESS))).toBe('00'.repeat(32));
    expect(normalizeAddress('000')).toBe(STAKE_ADDRESS);
    expect(STAKE_ADDRESS).toBe('zi1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqfpqdnu');
    const copy = addressBytes('000');
    copy[0] = 1;
    expect(STAKE_ADDRESS_BYTES[0]).toBe(0);
    expect(toHex(addressBytes('000'))).toBe('00'.repeat(32));
    for (const near of ['00', '0000', '0', 'O00', '000 000'])
      expect(
        codeOf(() => addressBytes(near)),
        near,
      ).toBe('SPEC_ADDRESS_INVALID');
  });

  it('ADR-2: upper case and mixed case are rejected (one spelling per address)', () => {
    // @scure/base reads the all-upper-case form as bech32m allows and rejects mixed case; Zi is stricter.
    expect(bech32m.decode(ALICE.toUpperCase() as `${string}1${string}`).prefix).toBe('zi');
    expect(() => bech32m.decode(`${ALICE.slice(0, 10)}${ALICE.slice(10).toUpperCase()}` as `${string}1${string}`)).toThrow();
    for (const text of [
      ALICE.toUpperCase(),
      `ZI1${ALICE.slice(3)}`,
      `zi1${ALICE.slice(3).toUpperCase()}`,
      ALICE.replace(/[a-z](?=[^a-z]*$)/, (c) => c.toUpperCase()),
    ]) {
      expect(
        codeOf(() => addressBytes(text)),
        text,
      ).toBe('SPEC_ADDRESS_INVALID');
    }
    expect(() => addressBytes(ALICE.toUpperCase())).toThrow('has upper-case letters; addresses are written in lower case');
  });

  it('ADR-2: any single-character substitution is rejected (bech32m checksum)', () => {
    // Exhaustive for one address: every position, every other bech32 character and "1".
    let checked = 0;
    for (let i = 0; i < ALICE.length; i++) {
      for (const c of `${BECH32_CHARSET}1`) {
        if (c === ALICE[i]) continue;
        const mutated = `${ALICE.slice(0, i)}${c}${ALICE.slice(i + 1)}`;
        expect(
          codeOf(() => addressBytes(mutated)),
          mutated,
        ).toBe('SPEC_ADDRESS_INVALID');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(61 * 31);
    // And for random addresses, positions and characters.
    fc.assert(
      fc.property(keyArb, fc.nat(60), fc.constantFrom(...BECH32_CHARSET), (key, i, c) => {
        const address = addressOf(key);
        fc.pre(address[i] !== c);
        const mutated = `${address.slice(0, i)}${c}${address.slice(i + 1)}`;
        expect(codeOf(() => addressBytes(mutated))).toBe('SPEC_ADDRESS_INVALID');
      }),
      runs(300),
    );
  });

  it('ADR-2: another prefix, another length or a bech32 (not bech32m) checksum is rejected', () => {
    const key = addressBytes(ALICE);
    const cases = {
      'prefix bc': encodeWith(bech32m, 'bc', key),
      'prefix zx': encodeWith(bech32m, 'zx', key),
      'prefix zi2': encodeWith(bech32m, 'zi2', key),
      'prefix z': encodeWith(bech32m, 'z', key),
      '20-byte payload': encodeWith(bech32m, 'zi', key.subarray(0, 20)),
      '31-byte payload': encodeWith(bech32m, 'zi', key.subarray(0, 31)),
      '33-byte payload': encodeWith(bech32m, 'zi', new Uint8Array(33)),
      'empty payload': bech32m.encode('zi', []),
      'bech32 checksum': encodeWith(bech32, 'zi', key),
      // 52 five-bit words carry 260 bits: the 4 spare bits must be zero, so each key has one address.
      'non-zero padding bits': bech32m.encode(
        'zi',
        bech32m.toWords(key).map((w, i, all) => (i === all.length - 1 ? w ^ 1 : w)),
      ),
      truncated: ALICE.slice(0, -1),
      'one more character': `${ALICE}q`,
      'no separator': ALICE.replace('1', ''),
      'hex key': toHex(key),
      empty: '',
    };
    for (const [name, text] of Object.entries(cases))
      expect(
        codeOf(() => addressBytes(text)),
        name,
      ).toBe('SPEC_ADDRESS_INVALID');
    expect(() => addressBytes(cases['20-byte payload'])).toThrow('holds 20 bytes, an address holds 32');
    expect(() => addressBytes(cases['bech32 checksum'])).toThrow('has a bad checksum or characters outside bech32');
    expect(() => addressBytes(cases['prefix bc'])).toThrow('is not a Zi address');
    expect(() => addressBytes(cases['non-zero padding bits'])).toThrow('does not hold whole bytes');
    expect(isAddress(cases['bech32 checksum'])).toBe(false);
  });

  it('addressOf rejects keys that are not 32 bytes with a TypeError', () => {
    expect(() => addressOf(new Uint8Array(31))).toThrow(TypeError);
    expect(() => addressOf('zi1' as unknown as Uint8Array)).toThrow('addressOf: publicKey must be 32 bytes');
  });

  it('garbage never throws anything but SPEC_ADDRESS_INVALID', () => {
    const bech32Tail = fc.string({ unit: fc.constantFrom(...BECH32_CHARSET), maxLength: 90 });
    const garbage = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.string({ unit: 'binary', maxLength: 120 }),
      bech32Tail.map((tail) => `zi1${tail}`),
      bech32Tail.map((tail) => `zi1${tail.slice(0, 58)}`),
    );
    fc.assert(
      fc.property(garbage, (text) => {
        fc.pre(text.trim() !== '000' && !isAddressOfSomeKey(text));
        expect(codeOf(() => addressBytes(text))).toBe('SPEC_ADDRESS_INVALID');
        expect(isAddress(text)).toBe(false);
      }),
      runs(500),
    );
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(codeOf(() => addressBytes(value as string))).toBe('SPEC_ADDRESS_INVALID');
      }),
      runs(200),
    );
  });
});

/** True when text (trimmed) is a real address: the checksum of random text matches about once in 10^9. */
function isAddressOfSomeKey(text: string): boolean {
  try {
    const decoded = bech32m.decode(text.trim() as `${string}1${string}`);
    return decoded.prefix === 'zi' && bech32m.fromWords(decoded.words).length === 32;
  } catch {
    return false;
  }
}
