import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressOf,
  messageSigningBytes,
  publicKeyOf,
  SpecError,
  sign,
  signMessage,
  utf8Bytes,
  verify,
  verifyMessage,
} from '../src/index.js';

const secretKey = new Uint8Array(32).fill(1);
const address = addressOf(publicKeyOf(secretKey));

describe('signed messages (MSG-1)', () => {
  it('a message signature verifies for its message and address only (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (message, other) => {
        const signature = signMessage(message, secretKey);
        expect(verifyMessage(signature, message, address)).toBe(true);
        expect(verify(signature, messageSigningBytes(message), publicKeyOf(secretKey))).toBe(true);
        if (other.length !== message.length || other.some((b, i) => b !== message[i])) {
          expect(verifyMessage(signature, other, address)).toBe(false);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('is domain-separated: a raw signature of the same bytes is not a message signature, nor the reverse', () => {
    const message = utf8Bytes('I own this address');
    expect(verifyMessage(sign(message, secretKey), message, address)).toBe(false);
    expect(verify(signMessage(message, secretKey), message, publicKeyOf(secretKey))).toBe(false);
    expect(new TextDecoder().decode(messageSigningBytes(utf8Bytes('hi')))).toBe('zi-message/1\u0000hi');
  });

  it('a malformed address is SPEC_ADDRESS_INVALID; a malformed signature is false', () => {
    expect(() => verifyMessage(new Uint8Array(64), new Uint8Array(), 'zi1nope')).toThrow(SpecError);
    expect(verifyMessage(new Uint8Array(3), new Uint8Array(), address)).toBe(false);
  });
});
