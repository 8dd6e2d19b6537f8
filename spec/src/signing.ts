import { concatBytes, utf8Bytes } from './bytes.js';
import { encodeCbor } from './codec/cbor.js';

/**
 * The bytes signed for a protocol object (KEY-6): the UTF-8 domain tag, a zero byte, then the
 * canonical DAG-CBOR of the object's wire form without its `sig` field.
 *
 * @example
 * domainSigningBytes('zi-tx/1', wire); // utf8('zi-tx/1') ‖ 0x00 ‖ dagCbor(wire without sig)
 */
export function domainSigningBytes(domain: string, wire: Record<string, unknown>): Uint8Array {
  const unsigned = { ...wire };
  delete unsigned.sig;
  return concatBytes(utf8Bytes(domain), new Uint8Array([0]), encodeCbor(unsigned));
}
