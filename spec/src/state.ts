import { sha256 } from '@noble/hashes/sha2.js';
import { addressBytes } from './address.js';
import { concatBytes, utf8Bytes } from './bytes.js';
import { encodeCbor } from './codec/cbor.js';
import type { GenesisConfig } from './genesis.js';

/** One state entry written by a block: its key and new value bytes, or `null` when deleted (STATE-2). */
export interface StateChange {
  key: Uint8Array;
  value: Uint8Array | null;
}

const STATE_DOMAIN = utf8Bytes('zi-state/1');

/** STATE-3: key prefixes of the entry kinds. */
export const STATE_PREFIX = { account: 0x01, contract: 0x02, solved: 0x03, validator: 0x04, fund: 0x05, counters: 0x06 } as const;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/**
 * The state commitment after a block (STATE-1): a hash chain over state changes,
 * `sha256("zi-state/1" || 0x00 || parentRoot || dagCbor([[key, value|null], …]))` with the
 * changes sorted by key bytes, each key once. Two nodes that agree on the parent root and on
 * every entry a block wrote get the same root; any difference in any block shows up in every root
 * after it. It costs O(changes) per block whatever the size of the state.
 */
export function nextStateRoot(parentRoot: Uint8Array, changes: readonly StateChange[]): Uint8Array {
  if (!(parentRoot instanceof Uint8Array) || parentRoot.length !== 32) throw new TypeError('nextStateRoot: parentRoot must be 32 bytes');
  const sorted = [...changes].sort((a, b) => compareBytes(a.key, b.key));
  for (let i = 1; i < sorted.length; i++) {
    if (compareBytes((sorted[i - 1] as StateChange).key, (sorted[i] as StateChange).key) === 0) {
      throw new TypeError('nextStateRoot: a key appears twice');
    }
  }
  const body = encodeCbor(sorted.map((change) => [change.key, change.value]));
  return sha256(concatBytes(STATE_DOMAIN, new Uint8Array([0]), parentRoot, body));
}

/** STATE-3: the key of an account entry, `0x01 || address bytes`. */
export function accountKey(address: string): Uint8Array {
  return concatBytes(new Uint8Array([STATE_PREFIX.account]), addressBytes(address));
}

/** STATE-3: the value of an account entry, `dagCbor([balance, nonce])`. */
export function encodeAccount(balance: bigint, nonce: number): Uint8Array {
  return encodeCbor([balance <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(balance) : balance, nonce]);
}

/** STATE-4: the genesis state root: the allocations as account entries over 32 zero bytes. */
export function genesisStateRoot(config: GenesisConfig): Uint8Array {
  const changes = config.alloc.map((entry) => ({ key: accountKey(entry.address), value: encodeAccount(entry.amount, 0) }));
  return nextStateRoot(new Uint8Array(32), changes);
}
