import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from './bytes.js';

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

/**
 * The Merkle root of a list of 32-byte digests (BLK-4), built as RFC 6962 §2.1 builds its
 * Merkle Tree Hash: the root of no leaves is sha256 of nothing; a leaf is sha256(0x00 || d); an
 * inner node is sha256(0x01 || left || right), the left subtree holding the largest power of two
 * below n leaves. Leaves and nodes are domain-separated, and no leaf is ever duplicated, so two
 * different lists never share a root.
 *
 * @example
 * merkleRoot(txs.map(transactionDigest)); // 32 bytes
 */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  const level = leaves.map((leaf) => {
    if (!(leaf instanceof Uint8Array) || leaf.length !== 32) throw new TypeError('merkleRoot: every leaf must be a 32-byte digest');
    return sha256(concatBytes(LEAF, leaf));
  });
  return subtreeRoot(level, 0, level.length);

  function subtreeRoot(nodes: Uint8Array[], start: number, end: number): Uint8Array {
    const n = end - start;
    if (n === 1) return nodes[start] as Uint8Array;
    let split = 1;
    while (split * 2 < n) split *= 2;
    const left = subtreeRoot(nodes, start, start + split);
    const right = subtreeRoot(nodes, start + split, end);
    return sha256(concatBytes(NODE, left, right));
  }
}
