import { sha256 } from '@noble/hashes/sha2.js';
import { addressBytes, addressOf } from './address.js';
import { cidOfCbor, decodeCbor, encodeCbor } from './codec/cbor.js';
import {
  address,
  amount,
  byteString,
  bytes,
  cid,
  fixedText,
  type Infer,
  type Kind,
  list,
  literal,
  mapped,
  oneOf,
  optional,
  struct,
  tagged,
  text,
  uint,
  wireError,
} from './codec/kinds.js';
import { SpecError } from './errors.js';
import { publicKeyOf, SIGNATURE_BYTES, sign, verify } from './keys.js';
import { domainSigningBytes } from './signing.js';

/** TX-5: every transaction carries exactly this many bytes of metadata (text, zero-padded). */
export const META_BYTES = 96;
/** TX-6: the largest encoded transaction. */
export const MAX_TX_BYTES = 1_114_112;
/** PUB-2: the largest bundle carried inside a publish transaction; bigger bundles go by CID only. */
export const MAX_INLINE_BUNDLE_BYTES = 1_048_576;
/** PAY-2: the most index ranges one payout may name. */
export const MAX_PAYOUT_RANGES = 1024;
/** TX-2: chain ids are short lower-case names. */
export const CHAIN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** The largest MCU count and index (2^53 - 1: exact in every JavaScript number). */
export const MAX_MCUS = Number.MAX_SAFE_INTEGER;
/** Domain separation for transaction signatures (KEY-6). */
export const TX_SIGNING_DOMAIN = 'zi-tx/1';

/** A contiguous range of MCU indices: `from`, `from + 1`, …, `from + count - 1`. */
export interface IndexRange {
  from: number;
  count: number;
}

/** RNG-1: `[from, count]` on the wire, `count >= 1`, the end inside 2^53. */
export const indexRange: Kind<IndexRange> = mapped(
  list(uint(), 2, 2),
  ([from, count], path) => {
    if ((count as number) < 1 || (from as number) + (count as number) > MAX_MCUS) {
      throw wireError(path, 'a range [from, count] with count >= 1 and from + count <= 2^53 - 1', [from, count]);
    }
    return { from: from as number, count: count as number };
  },
  (range) => [range.from, range.count],
  {
    toJson: (range) => ({ from: range.from, count: range.count }),
    fromJson(value, path) {
      const raw = value as { from?: unknown; count?: unknown } | null;
      if (typeof raw !== 'object' || raw === null || Object.keys(raw).length !== 2) throw wireError(path, '{ from, count }', value);
      const from = uint().fromJson(raw.from, `${path}.from`);
      const count = uint().fromJson(raw.count, `${path}.count`);
      if (count < 1 || from + count > MAX_MCUS) throw wireError(path, 'count >= 1 and from + count <= 2^53 - 1', value);
      return { from, count };
    },
    jsonSchema: () => ({
      type: 'object',
      properties: { from: { type: 'integer', minimum: 0 }, count: { type: 'integer', minimum: 1 } },
      required: ['from', 'count'],
      additionalProperties: false,
    }),
  },
);

/**
 * RNG-2: payout ranges are sorted, non-overlapping and non-adjacent (adjacent ranges are written
 * as one), so a set of indices has exactly one encoding.
 */
export function checkRanges(ranges: readonly IndexRange[], path = 'ranges'): void {
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1] as IndexRange;
    const range = ranges[i] as IndexRange;
    if (range.from <= previous.from + previous.count) {
      throw new SpecError(
        'SPEC_RANGES_NOT_CANONICAL',
        `${path}[${i}] starts at ${range.from}, not after the end of the range before it (${previous.from + previous.count})`,
        'sort ranges by start and merge overlapping or touching ones (RNG-2)',
      );
    }
  }
}

/**
 * PUB-4: the least budget a contract may lock, `price × min(mcus, minEscrowMcus)` (the paper's
 * minimum of 1,000 MCUs; `minEscrowMcus` comes from the genesis).
 *
 * @example
 * minimumEscrow(3n, 80_000, 1000); // 3000n
 */
export function minimumEscrow(price: bigint, mcus: number, minEscrowMcus: number): bigint {
  return price * BigInt(Math.min(mcus, minEscrowMcus));
}

/** The number of MCU indices in a list of ranges. */
export function countIndices(ranges: readonly IndexRange[]): number {
  let total = 0;
  for (const range of ranges) total += range.count;
  return total;
}

const chain = text(32, CHAIN_ID_PATTERN);
const meta = fixedText(META_BYTES);
const sig = bytes(SIGNATURE_BYTES);

/** Fields every account-ordered transaction has (TX-1). */
const common = { chain, from: address(), nonce: uint(), fee: amount(), meta, sig };

/** TRF: move `amount` Li from `from` to `to`. */
export const transferTx = struct({ type: literal('transfer'), ...common, to: address(), amount: amount() });

/** PUB: post a contract with its budget locked in escrow (the contract id is this transaction's id). */
export const publishTx = struct({
  type: literal('publish'),
  ...common,
  /** raw CID of the metered bundle (CON-2) */
  bundle: cid('raw'),
  /** the bundle itself, optional (PUB-2): otherwise peers fetch it by CID */
  code: optional(byteString(MAX_INLINE_BUNDLE_BYTES)),
  /** raw CID of the manifest JSON (`zi-manifest/1`) */
  manifest: cid('raw'),
  name: text(64),
  /** size of the input space: MCU indices 0 … mcus-1 */
  mcus: uint(),
  /** the contract's declared maximum gas per MCU */
  gasPerMcu: uint(),
  /** price per MCU in Li */
  price: amount(),
  /** Li locked in escrow; payouts draw from it (PUB-4) */
  budget: amount(),
  /** validation delegated to a staked validator, with the fee locked for it (VAL-1) */
  validation: optional(struct({ fee: amount() })),
});

/**
 * PAY: pays a solver for MCU index ranges of a contract from its escrow. Signed by the bidder
 * or the contract's assigned validator (`from`); the solver builds it, so it carries no nonce —
 * an index is paid at most once, which is what makes a payout unique (PAY-5). The fee comes out
 * of `amount`.
 */
export const payoutTx = struct({
  type: literal('payout'),
  chain,
  from: address(),
  fee: amount(),
  meta,
  sig,
  contract: cid('dag-cbor'),
  solver: address(),
  ranges: list(indexRange, MAX_PAYOUT_RANGES, 1),
  /** raw CID of the batch's result bytes */
  result: cid('raw'),
  amount: amount(),
});

/** CLS: the bidder closes a contract; what is left in escrow returns to the bidder. */
export const closeTx = struct({ type: literal('close'), ...common, contract: cid('dag-cbor') });
/** STK: lock `amount` at the stake address `000`; the sender becomes (or stays) a validator. */
export const stakeTx = struct({ type: literal('stake'), ...common, amount: amount() });
/** UNS: release `amount` of the sender's stake. */
export const unstakeTx = struct({ type: literal('unstake'), ...common, amount: amount() });
/** FND: an active node's vote for a recipient of the shared network fund. */
export const fundVoteTx = struct({ type: literal('fund-vote'), ...common, candidate: address() });
/** AUD: a miner's verdict on a validator-signed payout, or on an appeal. */
export const auditVoteTx = struct({
  type: literal('audit-vote'),
  ...common,
  /** id of the payout (or appeal) transaction judged */
  subject: cid('dag-cbor'),
  verdict: oneOf(['valid', 'invalid'] as const),
});
/** APL: a slashed validator appeals an audit, paying the price of a stake as deposit. */
export const appealTx = struct({ type: literal('appeal'), ...common, subject: cid('dag-cbor'), deposit: amount() });

/** Every transaction kind, chosen by `type` (TX-1). */
export const transaction = tagged({
  transfer: transferTx,
  publish: publishTx,
  payout: payoutTx,
  close: closeTx,
  stake: stakeTx,
  unstake: unstakeTx,
  'fund-vote': fundVoteTx,
  'audit-vote': auditVoteTx,
  appeal: appealTx,
});

export type Transaction = Infer<typeof transaction>;
export type TransferTx = Infer<typeof transferTx>;
export type PublishTx = Infer<typeof publishTx>;
export type PayoutTx = Infer<typeof payoutTx>;
export type CloseTx = Infer<typeof closeTx>;
export type StakeTx = Infer<typeof stakeTx>;
export type UnstakeTx = Infer<typeof unstakeTx>;
export type FundVoteTx = Infer<typeof fundVoteTx>;
export type AuditVoteTx = Infer<typeof auditVoteTx>;
export type AppealTx = Infer<typeof appealTx>;
export type TransactionType = Transaction['type'];
/** A transaction before signing: everything but `sig`. */
export type UnsignedTransaction = Transaction extends infer T ? (T extends Transaction ? Omit<T, 'sig'> : never) : never;

const ZERO_SIG = new Uint8Array(SIGNATURE_BYTES);

function wireOf(tx: Transaction): Record<string, unknown> {
  return transaction.toWire(tx) as Record<string, unknown>;
}

/**
 * Rules a well-formed transaction meets on its own, without chain state (TX-7). Every decoder of
 * something that carries transactions applies them (blocks, session payouts), not only
 * {@link decodeTransaction}.
 *
 * @throws SpecError SPEC_RANGES_NOT_CANONICAL, SPEC_PAYOUT_FEE, SPEC_PUBLISH_EMPTY, SPEC_AMOUNT_ZERO
 */
export function checkStandalone(tx: Transaction | UnsignedPayout, path: string): void {
  if (tx.type === 'payout') {
    checkRanges(tx.ranges, `${path}.ranges`);
    if (tx.fee > tx.amount) {
      throw new SpecError(
        'SPEC_PAYOUT_FEE',
        `${path}: the fee ${tx.fee} Li is more than the payout ${tx.amount} Li`,
        'the fee of a payout comes out of its amount (PAY-4)',
      );
    }
  }
  if (tx.type === 'publish' && (tx.mcus < 1 || tx.gasPerMcu < 1 || tx.price < 1n)) {
    throw new SpecError(
      'SPEC_PUBLISH_EMPTY',
      `${path}: a contract needs at least one MCU, gas per MCU and a price above zero`,
      'set mcus, gasPerMcu and price (PUB-3)',
    );
  }
  if ((tx.type === 'transfer' || tx.type === 'stake' || tx.type === 'unstake') && tx.amount < 1n) {
    throw new SpecError('SPEC_AMOUNT_ZERO', `${path}: a ${tx.type} of 0 Li does nothing`, 'send at least 1 Li (TX-8)');
  }
}

/**
 * The bytes a signer signs (KEY-6): `"zi-tx/1"`, a zero byte, then the canonical DAG-CBOR of the
 * transaction without its `sig` field.
 */
export function transactionSigningBytes(tx: UnsignedTransaction | Transaction): Uint8Array {
  return domainSigningBytes(TX_SIGNING_DOMAIN, wireOf({ ...tx, sig: ZERO_SIG } as Transaction));
}

/**
 * Signs a transaction with the secret key of its `from` address.
 *
 * @throws TypeError when the key is not the key of `from`
 * @example
 * const tx = signTransaction({ type: 'transfer', chain: 'zi-devnet', from, nonce: 0, fee: 10n, meta: '', to, amount: 5n }, secretKey);
 */
export function signTransaction<T extends UnsignedTransaction>(tx: T, secretKey: Uint8Array): T & { sig: Uint8Array } {
  if (addressOf(publicKeyOf(secretKey)) !== tx.from) throw new TypeError('signTransaction: the secret key is not the key of tx.from');
  const signed = { ...tx, sig: sign(transactionSigningBytes(tx), secretKey) };
  checkStandalone(signed as Transaction, 'tx');
  return signed;
}

/** True when `tx.sig` is `from`'s signature of the transaction (KEY-4, KEY-6). */
export function verifyTransaction(tx: Transaction): boolean {
  return verify(tx.sig, transactionSigningBytes(tx), addressBytes(tx.from));
}

/** The canonical bytes of a transaction (ENC-1). */
export function encodeTransaction(tx: Transaction): Uint8Array {
  return encodeCbor(wireOf(tx));
}

/**
 * Reads a transaction from bytes: size limit, canonical DAG-CBOR, exact fields, standalone rules.
 * The signature is not checked here; see {@link verifyTransaction}.
 *
 * @throws SpecError with a `SPEC_CBOR_*`, `SPEC_FIELD_*` or rule code
 */
export function decodeTransaction(data: Uint8Array): Transaction {
  const tx = transaction.fromWire(decodeCbor(data, MAX_TX_BYTES), 'tx');
  checkStandalone(tx, 'tx');
  return tx;
}

/** A transaction from its JSON form (RPC). */
export function transactionFromJson(json: unknown): Transaction {
  const tx = transaction.fromJson(json, 'tx');
  checkStandalone(tx, 'tx');
  if (encodeTransaction(tx).length > MAX_TX_BYTES) {
    throw new SpecError('SPEC_CBOR_TOO_LARGE', `the transaction is over ${MAX_TX_BYTES} bytes`, 'publish big bundles by CID (PUB-2)');
  }
  return tx;
}

/** The JSON form of a transaction (RPC): amounts as decimal strings, bytes as hex. */
export function transactionToJson(tx: Transaction): Record<string, unknown> {
  return transaction.toJson(tx) as Record<string, unknown>;
}

/**
 * The id of a transaction (TX-3): the CIDv1 (dag-cbor, sha2-256) of its canonical bytes. The id
 * of a publish transaction is the contract id.
 */
export function transactionId(tx: Transaction | Uint8Array): string {
  return cidOfCbor(tx instanceof Uint8Array ? tx : encodeTransaction(tx)).toString();
}

/** The sha2-256 digest behind a transaction id (the Merkle leaf input, BLK-4). */
export function transactionDigest(tx: Transaction | Uint8Array): Uint8Array {
  return sha256(tx instanceof Uint8Array ? tx : encodeTransaction(tx));
}

/** The unsigned payout a solver sends with a batch (SES-4): a payout without `sig`. */
export const unsignedPayout = struct({
  type: literal('payout'),
  chain,
  from: address(),
  fee: amount(),
  meta,
  contract: cid('dag-cbor'),
  solver: address(),
  ranges: list(indexRange, MAX_PAYOUT_RANGES, 1),
  result: cid('raw'),
  amount: amount(),
});
export type UnsignedPayout = Infer<typeof unsignedPayout>;
