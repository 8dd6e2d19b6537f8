import { addressBytes, type Transaction, transactionSigningBytes } from '@zi/spec';
import { verifyFast } from '../crypto/ed25519-fast.js';

/** TX-4 with the node's fast path (KEY-5: it agrees with the spec rule on every vector). */
export function signatureOk(tx: Transaction): boolean {
  return verifyFast(tx.sig, transactionSigningBytes(tx), addressBytes(tx.from));
}
