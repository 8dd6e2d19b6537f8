import { createHash } from 'node:crypto';
import { type BlockHeader, encodeHeader, NONCE_BYTES, targetOf } from '@zi/spec';

/**
 * Where the nonce sits in a header's canonical bytes. BLK-2 fixes its length, so the bytes differ
 * between nonces only there and a miner rewrites them in place instead of re-encoding.
 */
export function nonceOffset(headerBytes: Uint8Array, header: BlockHeader): number {
  const marker = new Uint8Array(NONCE_BYTES).fill(0xa5);
  const probe = encodeHeader({ ...header, nonce: marker });
  const zero = encodeHeader({ ...header, nonce: new Uint8Array(NONCE_BYTES) });
  for (let i = 0; i + NONCE_BYTES <= probe.length; i++) {
    if (probe[i] !== zero[i]) return i;
  }
  throw new Error(`nonceOffset: nonce not found in a header of ${headerBytes.length} bytes`);
}

/**
 * Searches nonces `start, start + step, …` for at most `tries` hashes (POW-1). Returns the header
 * bytes with the winning nonce written in, or undefined.
 */
export function searchNonce(
  headerBytes: Uint8Array,
  offset: number,
  difficulty: number,
  start: bigint,
  step: bigint,
  tries: number,
): Uint8Array | undefined {
  const target = targetOf(difficulty);
  const bytes = new Uint8Array(headerBytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, NONCE_BYTES);
  let nonce = start;
  for (let i = 0; i < tries; i++) {
    view.setBigUint64(0, nonce & 0xffff_ffff_ffff_ffffn);
    const digest = createHash('sha256').update(bytes).digest();
    if (BigInt(`0x${digest.toString('hex')}`) < target) return bytes;
    nonce += step;
  }
  return undefined;
}

/** Mines a header in this thread (devnet difficulty is a fraction of a bit). */
export function mineHeaderSync(header: Omit<BlockHeader, 'nonce'>, maxTries = 1 << 24): Uint8Array {
  const full: BlockHeader = { ...header, nonce: new Uint8Array(NONCE_BYTES) };
  const bytes = encodeHeader(full);
  const offset = nonceOffset(bytes, full);
  const found = searchNonce(bytes, offset, header.difficulty, 0n, 1n, maxTries);
  if (!found) throw new Error(`no nonce found in ${maxTries} tries`);
  return found;
}
