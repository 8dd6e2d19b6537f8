import {
  accountKey,
  addressBytes,
  bytesOfCid,
  concatBytes,
  decodeCbor,
  encodeAccount,
  encodeCbor,
  type IndexRange,
  type Infer,
  indexRange,
  kinds,
  STATE_PREFIX,
} from '@zi/spec';

const { address, amount, cid, list, oneOf, optional, struct, text, uint } = kinds;

/** The state entries the node writes (STATE-3), with their canonical encodings. */

/** A key-value view of state: `undefined` when the entry does not exist. */
export interface StateReader {
  get(key: Uint8Array): Uint8Array | undefined;
}

export interface Account {
  balance: bigint;
  nonce: number;
}

export function decodeAccount(bytes: Uint8Array | undefined): Account {
  if (!bytes) return { balance: 0n, nonce: 0 };
  const [balance, nonce] = decodeCbor(bytes, 64) as [number | bigint, number];
  return { balance: BigInt(balance), nonce };
}

export { accountKey, encodeAccount };

/** STATE-3 kind 0x02: a contract, keyed by the digest of its publish transaction. */
export const contractEntry = struct({
  bidder: address(),
  bundle: cid('raw'),
  manifest: cid('raw'),
  name: text(64),
  mcus: uint(),
  gasPerMcu: uint(),
  price: amount(),
  budget: amount(),
  /** Li left in escrow (PAY-6) */
  escrow: amount(),
  /** Li held for validation (VAL-4) */
  validationFee: amount(),
  validator: optional(address()),
  status: oneOf(['open', 'closed'] as const),
  /** height of the block that published it */
  height: uint(),
  /** MCUs paid so far */
  paid: uint(),
  /** Li paid out so far */
  spent: amount(),
  payouts: uint(),
});
export type ContractEntry = Infer<typeof contractEntry>;

export function contractKey(contractId: string): Uint8Array {
  return concatBytes(new Uint8Array([STATE_PREFIX.contract]), bytesOfCid(contractId));
}

export function encodeContract(entry: ContractEntry): Uint8Array {
  return encodeCbor(contractEntry.toWire(entry));
}

export function decodeContract(bytes: Uint8Array): ContractEntry {
  return contractEntry.fromWire(decodeCbor(bytes, 4096), 'contract');
}

/** STATE-3 kind 0x03: the solved (paid) ranges of a contract, canonical (RNG-2). */
const solvedEntry = list(indexRange, Number.MAX_SAFE_INTEGER);

export function solvedKey(contractId: string): Uint8Array {
  return concatBytes(new Uint8Array([STATE_PREFIX.solved]), bytesOfCid(contractId));
}

export function encodeSolved(ranges: readonly IndexRange[]): Uint8Array {
  return encodeCbor(solvedEntry.toWire([...ranges]));
}

export function decodeSolved(bytes: Uint8Array | undefined): IndexRange[] {
  return bytes ? solvedEntry.fromWire(decodeCbor(bytes, 1 << 30), 'solved') : [];
}

/** STATE-3 kind 0x04: a validator's stake. */
export function validatorKey(addr: string): Uint8Array {
  return concatBytes(new Uint8Array([STATE_PREFIX.validator]), addressBytes(addr));
}

export function encodeStake(stake: bigint): Uint8Array {
  return encodeCbor([stake <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(stake) : stake]);
}

export function decodeStake(bytes: Uint8Array | undefined): bigint {
  if (!bytes) return 0n;
  const [stake] = decodeCbor(bytes, 64) as [number | bigint];
  return BigInt(stake);
}

/** STATE-3 kind 0x06: chain counters — the number of open contracts (DIF-1 needs it). */
export const COUNTERS_KEY = new Uint8Array([STATE_PREFIX.counters]);

export interface Counters {
  openContracts: number;
}

export function decodeCounters(bytes: Uint8Array | undefined): Counters {
  if (!bytes) return { openContracts: 0 };
  const [openContracts] = decodeCbor(bytes, 64) as [number];
  return { openContracts };
}

export function encodeCounters(counters: Counters): Uint8Array {
  return encodeCbor([counters.openContracts]);
}
