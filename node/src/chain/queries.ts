import { STATE_PREFIX } from '@zi/spec';
import { type ContractEntry, decodeContract } from '../state/entries.js';
import type { Chain } from './chain.js';

/** Where a main-chain transaction sits. */
export interface TransactionLocation {
  block: string;
  height: number;
  index: number;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * The contract id (a CIDv1, dag-cbor, sha2-256, base32 text: ENC-2) whose digest keys a contract
 * entry (STATE-3): the state stores the digest, the API shows the id.
 */
export function contractIdOfDigest(digest: Uint8Array): string {
  if (digest.length !== 32) throw new RangeError('contractIdOfDigest: digest must be 32 bytes');
  const bytes = new Uint8Array(36);
  bytes.set([0x01, 0x71, 0x12, 0x20]);
  bytes.set(digest, 4);
  let out = 'b';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Read-only lookups over a chain's database that the chain itself does not need: where a
 * transaction was included, every contract entry, the payouts of a contract. They see the
 * committed main chain (the `txs` table holds main-chain transactions only).
 */
export class ChainQueries {
  readonly #location;
  readonly #contracts;
  readonly #payouts;

  constructor(chain: Chain) {
    const { db } = chain;
    this.#location = db.prepare<[string], TransactionLocation>(
      'SELECT txs.block AS block, blocks.height AS height, txs.idx AS "index" FROM txs JOIN blocks ON blocks.id = txs.block WHERE txs.id = ?',
    );
    // STATE-3: contract entries are the keys 0x02 || digest, so one range scan finds them all.
    this.#contracts = db.prepare<[Uint8Array, Uint8Array], { key: Uint8Array; value: Uint8Array }>(
      'SELECT key, value FROM state WHERE key >= ? AND key < ?',
    );
    this.#payouts = db.prepare<[string, number], TransactionLocation & { id: string }>(
      `SELECT txs.id AS id, txs.block AS block, blocks.height AS height, txs.idx AS "index"
       FROM txs JOIN blocks ON blocks.id = txs.block
       WHERE txs.type = 'payout' AND txs.contract = ?
       ORDER BY blocks.height DESC, txs.idx DESC LIMIT ?`,
    );
  }

  /** The main-chain block holding transaction `id`, or undefined (pending, unknown or reorged out). */
  transactionLocation(id: string): TransactionLocation | undefined {
    return this.#location.get(id);
  }

  /** Every contract in the head state, in key order. */
  contracts(): { id: string; entry: ContractEntry }[] {
    const rows = this.#contracts.all(new Uint8Array([STATE_PREFIX.contract]), new Uint8Array([STATE_PREFIX.contract + 1]));
    return rows.map((row) => ({ id: contractIdOfDigest(row.key.subarray(1)), entry: decodeContract(row.value) }));
  }

  /** The payouts of a contract on the main chain, newest first. */
  payouts(contract: string, limit: number): (TransactionLocation & { id: string })[] {
    return this.#payouts.all(contract, limit);
  }
}
