import { type Address, addressBytes } from './address.js';
import { concatBytes, utf8Bytes } from './bytes.js';
import { sign, verify } from './keys.js';

/**
 * The signing domain of off-chain messages (MSG-1), beside `zi-tx/1` and `zi-session/1`. It keeps
 * `zi wallet sign` from being an oracle for protocol signatures: a user tricked into signing a
 * file signs `zi-message/1 ‖ 0x00 ‖ file`, which no transaction or session message can be.
 */
export const MESSAGE_SIGNING_DOMAIN = 'zi-message/1';

const DOMAIN_BYTES = concatBytes(utf8Bytes(MESSAGE_SIGNING_DOMAIN), new Uint8Array([0]));

/**
 * The bytes a wallet signs for a message (MSG-1): the domain, a zero byte, then the message.
 *
 * @example
 * messageSigningBytes(utf8Bytes('hi')); // utf8('zi-message/1') ‖ 0x00 ‖ utf8('hi')
 */
export function messageSigningBytes(message: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new TypeError('messageSigningBytes: message must be a Uint8Array');
  return concatBytes(DOMAIN_BYTES, message);
}

/**
 * Signs an off-chain message (MSG-1): Ed25519 over `messageSigningBytes(message)`.
 *
 * @example
 * const signature = signMessage(utf8Bytes('I own this address'), secretKey); // 64 bytes
 */
export function signMessage(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return sign(messageSigningBytes(message), secretKey);
}

/**
 * True when `signature` is the signature of `message` by the key of `address` (MSG-1, checked
 * with the KEY-4 rule). False for any malformed signature or message.
 *
 * @throws SpecError SPEC_ADDRESS_INVALID when the address does not parse
 * @example
 * verifyMessage(signMessage(message, secretKey), message, addressOf(publicKeyOf(secretKey))); // true
 */
export function verifyMessage(signature: Uint8Array, message: Uint8Array, address: Address): boolean {
  const publicKey = addressBytes(address);
  if (!(message instanceof Uint8Array)) return false;
  return verify(signature, messageSigningBytes(message), publicKey);
}
