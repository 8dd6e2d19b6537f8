import { addressOf, type Block, decodeTransaction, encodeTransaction, SpecError, type Transaction, transactionId } from '@zi/spec';
import type { Chain, HeadInfo } from '../chain/chain.js';
import { ChainQueries } from '../chain/queries.js';
import { signatureOk } from '../chain/signatures.js';
import { applyTransaction, type BlockContext } from '../state/apply.js';
import { accountKey, decodeAccount } from '../state/entries.js';
import { StateOverlay } from '../state/overlay.js';
import { RuleError } from '../state/rule-error.js';
import { PriorityQueue } from './priority-queue.js';

export interface MempoolOptions {
  /** MEM-5: the most transactions held (default 10,000) */
  maxTxs?: number;
  /** MEM-5: the most encoded bytes held (default 64 MiB) */
  maxBytes?: number;
  /** MEM-3: how far above the account nonce a held transaction may be (default 1,024) */
  maxNonceAhead?: number;
  /** the clock dry runs date their block with (default `Date.now`) */
  now?: () => number;
}

export interface AddResult {
  id: string;
  status: 'pending' | 'included';
}

interface Entry {
  id: string;
  tx: Transaction;
  size: number;
  /** arrival order: the tie-break of equal fees */
  seq: number;
}

/** A sender's state after its contiguous pending transactions, kept until the head moves. */
interface SenderTip {
  overlay: StateOverlay;
  /** the nonce the sender's next transaction would apply at */
  nonce: number;
}

type NonceTx = Exclude<Transaction, { type: 'payout' }>;

/** Fees go to this address in dry runs, so they never count towards the sender's own balance. */
const DRY_RUN_MINER = addressOf(new Uint8Array(32).fill(0xd7));

const replacementFloor = (fee: bigint): bigint => fee + (fee / 10n > 1n ? fee / 10n : 1n);

/**
 * Signed transactions that are not in the main chain yet (the rules are MEM-1 … MEM-6 in the node
 * README). Transactions with a nonce wait in per-sender queues; a queue is offered to blocks only
 * from the account's nonce up to its first gap. Payouts carry no nonce (PAY-5) and are kept by id.
 *
 * @example
 * const mempool = new Mempool(chain);
 * mempool.add(signTransaction({ type: 'transfer', chain: 'zi-devnet', from, nonce: 0, fee: 1000n, meta: '', to, amount: 5n }, key));
 * chain.prepareBlock(mempool.candidates(), miner, Date.now());
 */
export class Mempool {
  readonly #chain: Chain;
  readonly #queries: ChainQueries;
  readonly #maxTxs: number;
  readonly #maxBytes: number;
  readonly #maxNonceAhead: number;
  readonly #now: () => number;
  readonly #byId = new Map<string, Entry>();
  readonly #senders = new Map<string, Map<number, Entry>>();
  readonly #payouts = new Map<string, Entry>();
  readonly #tips = new Map<string, SenderTip>();
  #bytes = 0;
  #seq = 0;

  constructor(chain: Chain, options: MempoolOptions = {}) {
    this.#chain = chain;
    this.#queries = new ChainQueries(chain);
    this.#maxTxs = positive(options.maxTxs ?? 10_000, 'maxTxs');
    this.#maxBytes = positive(options.maxBytes ?? 64 * 1024 * 1024, 'maxBytes');
    this.#maxNonceAhead = positive(options.maxNonceAhead ?? 1024, 'maxNonceAhead');
    this.#now = options.now ?? Date.now;
  }

  /** Number of transactions held. */
  get size(): number {
    return this.#byId.size;
  }

  /** Encoded bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Admits a transaction (MEM-2 … MEM-5). Adding one that is already pending or already in the
   * main chain is not an error: the answer says which.
   *
   * @throws RuleError naming the broken rule (TX-2, TX-4, TX-7, TX-9, TX-10, PAY-5, MEM-1, …)
   */
  add(tx: Transaction): AddResult {
    const bytes = wellFormed(tx);
    const id = transactionId(bytes);
    if (this.#byId.has(id)) return { id, status: 'pending' };
    if (this.#queries.transactionLocation(id)) return { id, status: 'included' };
    if (tx.chain !== this.#chain.genesis.chain) {
      throw new RuleError(
        'TX-2',
        'NODE_WRONG_CHAIN',
        `the transaction is for chain "${tx.chain}", this node runs "${this.#chain.genesis.chain}"`,
        'sign it for this chain',
      );
    }
    if (!signatureOk(tx)) {
      throw new RuleError('TX-4', 'NODE_TX_SIGNATURE', `transaction ${id} has a bad signature`, 'sign with the key of the from address');
    }
    const entry: Entry = { id, tx, size: bytes.length, seq: this.#seq++ };
    if (tx.type === 'payout') {
      this.#checkPayout(tx);
      this.#makeRoom(entry);
      this.#payouts.set(id, entry);
    } else {
      const replaced = this.#checkNonceTx(tx);
      this.#makeRoom(entry, replaced);
      if (replaced) this.#remove(replaced);
      let queue = this.#senders.get(tx.from);
      if (!queue) {
        queue = new Map();
        this.#senders.set(tx.from, queue);
      }
      queue.set(tx.nonce, entry);
      this.#extendTip(tx.from);
    }
    this.#byId.set(id, entry);
    this.#bytes += entry.size;
    return { id, status: 'pending' };
  }

  /** A pending transaction by id. */
  get(id: string): Transaction | undefined {
    return this.#byId.get(id)?.tx;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Ids of every transaction held, executable or waiting on a nonce gap, in arrival order. */
  pending(): string[] {
    return [...this.#byId.values()].sort((a, b) => a.seq - b.seq).map((entry) => entry.id);
  }

  /** The nonce `address`'s next transaction should use: its account nonce plus its contiguous pending ones. */
  nextNonce(address: string): number {
    let nonce = this.#accountNonce(address);
    const queue = this.#senders.get(address);
    while (queue?.has(nonce)) nonce++;
    return nonce;
  }

  /**
   * Transactions for the next block (MEM-4): highest fee first (arrival breaks ties), each
   * sender's in nonce order from its account nonce up to the first gap, within the genesis block
   * limits. `chain.prepareBlock` then keeps those that apply.
   */
  candidates(limits: { maxTxs?: number; maxBytes?: number } = {}): Transaction[] {
    const maxTxs = limits.maxTxs ?? this.#chain.genesis.limits.blockTxs;
    // Room for the header and the block's own CBOR framing (BLK-3 counts the whole block).
    const maxBytes = limits.maxBytes ?? this.#chain.genesis.limits.blockBytes - 4096;
    const lanes: Entry[][] = [];
    for (const [address, queue] of this.#senders) {
      const lane: Entry[] = [];
      for (let nonce = this.#accountNonce(address), entry = queue.get(nonce); entry; entry = queue.get(++nonce)) lane.push(entry);
      if (lane.length > 0) lanes.push(lane.reverse());
    }
    for (const entry of this.#payouts.values()) lanes.push([entry]);
    const heap = new PriorityQueue<Entry[]>((a, b) => before(a[a.length - 1] as Entry, b[b.length - 1] as Entry));
    for (const lane of lanes) heap.push(lane);
    const out: Transaction[] = [];
    let bytes = 0;
    for (let lane = heap.pop(); lane && out.length < maxTxs; lane = heap.pop()) {
      const entry = lane.pop() as Entry;
      // A transaction that does not fit ends its lane: the sender's later nonces cannot go first.
      if (bytes + entry.size > maxBytes) continue;
      bytes += entry.size;
      out.push(entry.tx);
      if (lane.length > 0) heap.push(lane);
    }
    return out;
  }

  /**
   * Follows a new head (MEM-6): drops what the connected blocks included (and what they made a
   * replay), takes back the transactions of disconnected blocks, and re-checks the senders and
   * contracts the change touched — every one after a reorg — dropping what no longer applies.
   */
  onHead(_head: HeadInfo, change: { connected: readonly Block[]; disconnected: readonly Block[] }): void {
    this.#tips.clear();
    const senders = new Set<string>();
    const contracts = new Set<string>();
    const included = new Set<string>();
    const reorg = change.disconnected.length > 0;
    for (const block of change.connected) {
      for (const tx of block.txs) {
        if (tx.type === 'payout' || tx.type === 'close') contracts.add(tx.contract);
        // A sender's included nonces go in the re-check below; only payouts are found by id.
        if (tx.type !== 'payout') senders.add(tx.from);
        if (tx.type !== 'payout' && !reorg) continue;
        const id = transactionId(tx);
        included.add(id);
        const entry = this.#byId.get(id);
        if (entry) this.#remove(entry);
      }
    }
    if (reorg) {
      for (const address of this.#senders.keys()) senders.add(address);
      for (const entry of this.#payouts.values()) contracts.add((entry.tx as Extract<Transaction, { type: 'payout' }>).contract);
      // Disconnected blocks come newest first; their transactions go back oldest first, so nonces queue in order.
      for (const block of [...change.disconnected].reverse()) {
        for (const tx of block.txs) {
          if (included.has(transactionId(tx))) continue;
          try {
            this.add(tx);
          } catch (error) {
            if (!(error instanceof RuleError)) throw error;
          }
        }
      }
    }
    for (const address of senders) this.#recheckSender(address);
    for (const contract of contracts) this.#recheckPayouts(contract);
  }

  #context(): BlockContext {
    const head = this.#chain.head();
    const time = Math.max(this.#now(), head.time + this.#chain.genesis.minInterval);
    return { genesis: this.#chain.genesis, height: head.height + 1, time, miner: DRY_RUN_MINER };
  }

  #accountNonce(address: string): number {
    return decodeAccount(this.#chain.state.get(accountKey(address))).nonce;
  }

  /** MEM-2, MEM-3, MEM-1 for a transaction with a nonce; returns the entry it replaces. */
  #checkNonceTx(tx: NonceTx): Entry | undefined {
    const account = decodeAccount(this.#chain.state.get(accountKey(tx.from)));
    if (tx.nonce < account.nonce) {
      throw new RuleError(
        'TX-9',
        'NODE_NONCE_USED',
        `nonce ${tx.nonce} of ${tx.from} is already used (next is ${account.nonce})`,
        'sign with the account’s next nonce (zi_account shows nextNonce)',
      );
    }
    if (tx.nonce > account.nonce + this.#maxNonceAhead) {
      throw new RuleError(
        'MEM-3',
        'NODE_NONCE_TOO_FAR',
        `nonce ${tx.nonce} of ${tx.from} is more than ${this.#maxNonceAhead} above the account nonce ${account.nonce}`,
        'send the transactions with the nonces before it first',
      );
    }
    const queue = this.#senders.get(tx.from);
    const old = queue?.get(tx.nonce);
    if (old && tx.fee < replacementFloor(old.tx.fee)) {
      throw new RuleError(
        'MEM-1',
        'NODE_TX_UNDERPRICED',
        `transaction ${old.id} already uses nonce ${tx.nonce} of ${tx.from} with a fee of ${old.tx.fee} Li`,
        `to replace it, pay a fee of at least ${replacementFloor(old.tx.fee)} Li`,
      );
    }
    const ctx = this.#context();
    // A replacement is checked without the transaction it replaces and what follows it.
    const tip = old
      ? this.#walk(tx.from, account.nonce, ctx, tx.nonce)
      : (this.#tips.get(tx.from) ?? this.#walk(tx.from, account.nonce, ctx));
    if (tip.nonce === tx.nonce) {
      // The transaction is next in line: it must apply on top of the sender's pending ones.
      const child = tip.overlay.child();
      applyTransaction(child, tx, ctx);
    } else if (account.balance < tx.fee) {
      throw new RuleError(
        'TX-10',
        'NODE_INSUFFICIENT_FUNDS',
        `${tx.from} holds ${account.balance} Li and the fee is ${tx.fee} Li`,
        'fund the account or lower the fee',
      );
    }
    return old;
  }

  /** MEM-2 for a payout: it must apply after the pending payouts of its contract (so PAY-5 holds among them). */
  #checkPayout(tx: Extract<Transaction, { type: 'payout' }>): void {
    const ctx = this.#context();
    const overlay = new StateOverlay(this.#chain.state);
    for (const other of this.#payoutsOf(tx.contract)) tryApply(overlay, other.tx, ctx);
    applyTransaction(overlay.child(), tx, ctx);
  }

  #payoutsOf(contract: string): Entry[] {
    return [...this.#payouts.values()]
      .filter((entry) => (entry.tx as Extract<Transaction, { type: 'payout' }>).contract === contract)
      .sort((a, b) => a.seq - b.seq);
  }

  /**
   * The sender's state after applying its queue from `from` on (stopping at a gap, at a
   * transaction that fails, or at `stop`), kept as its tip when it walked to the end.
   */
  #walk(address: string, from: number, ctx: BlockContext, stop = Number.POSITIVE_INFINITY): SenderTip {
    const queue = this.#senders.get(address);
    const overlay = new StateOverlay(this.#chain.state);
    let nonce = from;
    for (let entry = queue?.get(nonce); entry && nonce < stop; entry = queue?.get(nonce)) {
      if (!tryApply(overlay, entry.tx, ctx)) break;
      nonce++;
    }
    const tip = { overlay, nonce };
    if (stop === Number.POSITIVE_INFINITY) this.#tips.set(address, tip);
    return tip;
  }

  /** After a transaction joined a queue: the cached tip moves over it and any held ones it unblocked. */
  #extendTip(address: string): void {
    const tip = this.#tips.get(address);
    if (!tip) return;
    const queue = this.#senders.get(address);
    const ctx = this.#context();
    for (let entry = queue?.get(tip.nonce); entry; entry = queue?.get(tip.nonce)) {
      if (!tryApply(tip.overlay, entry.tx, ctx)) break;
      tip.nonce++;
    }
  }

  /** Drops a sender's used nonces and, from its account nonce on, the first transaction that no longer applies. */
  #recheckSender(address: string): void {
    const queue = this.#senders.get(address);
    if (!queue) return;
    const accountNonce = this.#accountNonce(address);
    for (const entry of [...queue.values()]) if ((entry.tx as NonceTx).nonce < accountNonce) this.#remove(entry);
    const tip = this.#walk(address, accountNonce, this.#context());
    const failed = queue.get(tip.nonce);
    if (failed) {
      this.#remove(failed);
      this.#tips.delete(address);
    }
  }

  #recheckPayouts(contract: string): void {
    const ctx = this.#context();
    const overlay = new StateOverlay(this.#chain.state);
    for (const entry of this.#payoutsOf(contract)) if (!tryApply(overlay, entry.tx, ctx)) this.#remove(entry);
  }

  /**
   * MEM-5: evicts the lowest fee rate among the entries nothing else waits on, until `entry` fits
   * (in the place of `replaced`, which leaves only once the newcomer is sure to stay).
   */
  #makeRoom(entry: Entry, replaced?: Entry): void {
    const freed = () => (replaced && this.#byId.has(replaced.id) ? replaced : undefined);
    while (this.#byId.size + 1 - (freed() ? 1 : 0) > this.#maxTxs || this.#bytes + entry.size - (freed()?.size ?? 0) > this.#maxBytes) {
      let victim: Entry | undefined;
      const consider = (candidate: Entry) => {
        if (candidate !== replaced && (!victim || cheaper(candidate, victim))) victim = candidate;
      };
      for (const queue of this.#senders.values()) {
        let last: Entry | undefined;
        for (const candidate of queue.values()) if (!last || (candidate.tx as NonceTx).nonce > (last.tx as NonceTx).nonce) last = candidate;
        if (last) consider(last);
      }
      for (const candidate of this.#payouts.values()) consider(candidate);
      if (!victim || !cheaper(victim, entry)) {
        throw new RuleError(
          'MEM-5',
          'NODE_MEMPOOL_FULL',
          `the mempool is full (${this.#byId.size} transactions, ${this.#bytes} bytes) and this transaction pays the lowest fee per byte`,
          'raise the fee, or wait for the next blocks',
        );
      }
      this.#remove(victim);
    }
  }

  #remove(entry: Entry): void {
    if (!this.#byId.delete(entry.id)) return;
    this.#bytes -= entry.size;
    if (entry.tx.type === 'payout') {
      this.#payouts.delete(entry.id);
      return;
    }
    const queue = this.#senders.get(entry.tx.from);
    if (queue?.get(entry.tx.nonce) === entry) queue.delete(entry.tx.nonce);
    if (queue?.size === 0) this.#senders.delete(entry.tx.from);
    this.#tips.delete(entry.tx.from);
  }
}

/** TX-6, TX-7: the canonical bytes, re-read as any received transaction is. */
function wellFormed(tx: Transaction): Uint8Array {
  try {
    const bytes = encodeTransaction(tx);
    decodeTransaction(bytes);
    return bytes;
  } catch (error) {
    if (error instanceof SpecError)
      throw new RuleError(error.code === 'SPEC_CBOR_TOO_LARGE' ? 'TX-6' : 'TX-7', error.code, error.message, error.hint);
    throw error;
  }
}

function tryApply(overlay: StateOverlay, tx: Transaction, ctx: BlockContext): boolean {
  const child = overlay.child();
  try {
    applyTransaction(child, tx, ctx);
  } catch (error) {
    if (error instanceof RuleError) return false;
    throw error;
  }
  child.mergeInto(overlay);
  return true;
}

/** MEM-4 order: the higher fee first, then the earlier arrival. */
function before(a: Entry, b: Entry): boolean {
  return a.tx.fee !== b.tx.fee ? a.tx.fee > b.tx.fee : a.seq < b.seq;
}

/** MEM-5 order: the lower fee per byte is cheaper; on equal rates, the later arrival. */
function cheaper(a: Entry, b: Entry): boolean {
  const left = a.tx.fee * BigInt(b.size);
  const right = b.tx.fee * BigInt(a.size);
  return left !== right ? left < right : a.seq > b.seq;
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`Mempool: ${name} must be a positive integer`);
  return value;
}
