import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { NodeError } from '../errors.js';

/** The file, in the node's data directory, holding its libp2p identity. */
export const PEER_KEY_FILE = 'peer-key';
/** A protobuf-encoded Ed25519 private key is 68 bytes; anything much longer is not one. */
const MAX_PEER_KEY_BYTES = 4096;

/**
 * The node's libp2p identity: an Ed25519 key kept in `<dataDir>/peer-key` (libp2p protobuf
 * encoding, mode 0600), made on first use, so the peer id stays the same across restarts.
 *
 * @throws NodeError NODE_PEER_KEY_INVALID when the file is there but holds no Ed25519 key
 * @example
 * const key = await loadPeerKey('.zi/devnet');
 */
export async function loadPeerKey(dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, PEER_KEY_FILE);
  const existing = await readKey(path);
  if (existing) return existing;
  const key = await generateKeyPair('Ed25519');
  try {
    await writeNew(path, privateKeyToProtobuf(key));
    return key;
  } catch (error) {
    // Another process made the file first: use its key, so both agree.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKey(path);
    if (!winner) throw error;
    return winner;
  }
}

async function readKey(path: string): Promise<PrivateKey | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let key: PrivateKey | undefined;
  try {
    if (bytes.length <= MAX_PEER_KEY_BYTES) key = privateKeyFromProtobuf(new Uint8Array(bytes));
  } catch {
    key = undefined;
  }
  if (key?.type !== 'Ed25519') {
    throw new NodeError(
      'NODE_PEER_KEY_INVALID',
      `${path} does not hold an Ed25519 libp2p key`,
      'delete the file to get a new peer id, or restore it from a backup',
    );
  }
  return key;
}

/** Writes a file that must not exist yet: temp file (0600), fsync, hard link to the name (fails with EEXIST). */
async function writeNew(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}
