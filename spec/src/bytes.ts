import { SpecError } from './errors.js';

/**
 * Lower-case hex of bytes, no prefix.
 *
 * @example
 * toHex(new Uint8Array([1, 255])); // '01ff'
 */
export function toHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('toHex: bytes must be a Uint8Array');
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/**
 * Bytes from hex (an optional `0x` prefix, an even number of hex digits).
 *
 * @throws SpecError SPEC_HEX_INVALID
 * @example
 * fromHex('01ff'); // Uint8Array [1, 255]
 */
export function fromHex(text: string, expectedLength?: number): Uint8Array {
  const clean = typeof text === 'string' ? text.replace(/^0x/i, '') : '';
  if (typeof text !== 'string' || clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new SpecError('SPEC_HEX_INVALID', 'expected an even number of hexadecimal digits', 'write bytes as hex, e.g. "0a1b"');
  }
  if (expectedLength !== undefined && clean.length !== expectedLength * 2) {
    throw new SpecError(
      'SPEC_HEX_INVALID',
      `expected ${expectedLength} bytes of hex, got ${clean.length / 2}`,
      `write exactly ${expectedLength * 2} hexadecimal digits`,
    );
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const utf8 = new TextEncoder();
/** UTF-8 bytes of a string. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}
