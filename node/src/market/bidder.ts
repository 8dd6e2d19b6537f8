import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type Bundle, RuntimeError, Sandbox, type SandboxPool } from '@zi/runtime';
import {
  type AckMessage,
  addressOf,
  type BatchMessage,
  batchSize,
  cidOfBytes,
  countIndices,
  type IndexRange,
  type LocateMessage,
  locateDigest,
  type PayoutTx,
  publicKeyOf,
  type RefusalReason,
  type SessionMessage,
  SpecError,
  signSessionMessage,
  signTransaction,
  transactionId,
  verifySessionMessage,
} from '@zi/spec';
import { NodeError } from '../errors.js';
import type { ZiNode } from '../node.js';
import { readContract } from '../state/apply.js';
import type { ContractEntry } from '../state/entries.js';
import { MessageReader, type SessionChannel } from './channel.js';
import { waitForInclusion } from './inclusion.js';
import { ContractLedger } from './ledger.js';
import { complementRanges, rangesOverlap } from './ranges.js';
import type { BatchResultSink } from './result-store.js';
import { readBatchResults, validateBatchResults } from './results.js';
import { refusalText } from './session-text.js';

/** SES-2: an ack's `skip` holds at most this many ranges. */
const MAX_SKIP_RANGES = 1024;
/** Refusals remembered for `recentRefusals` (over every contract). */
const REFUSAL_RING = 64;

/** The source of a contract's metered bundle, by contract id (`undefined`: this bidder does not have it). */
export type BundleSource = (contractId: string) => string | Uint8Array | undefined | Promise<string | Uint8Array | undefined>;

export interface BidderServiceOptions {
  /** the bidder's node: contracts, solved ranges and escrow are read from its head state */
  node: ZiNode;
  /** the bidder's key: it signs acks and payouts (PAY-3) */
  secretKey: Uint8Array;
  /** where batches are validated */
  sandboxPool: SandboxPool;
  /** the metered bundle of each contract the bidder published */
  bundles: BundleSource;
  /** the largest batch, in MCUs (SES-3; default 256) */
  maxBatch?: number;
  /** MCUs leased to each session: its ack skips everything else (default 32 × maxBatch) */
  leaseMcus?: number;
  /** the share of batches validated, 0 … 1 (default 1: every batch). Batch 0 is always validated. */
  validationRate?: number;
  /** sessions served at once; more are refused `busy` (default 64) */
  maxSessions?: number;
  /** head changes to wait for the last payout when it is pending in the node's mempool (default 6) */
  paymentWaitBlocks?: number;
  /** how far a locate's `time` may be from the bidder's clock (default 10 minutes) */
  maxClockSkewMs?: number;
  /** the clock (default `Date.now`) */
  now?: () => number;
  /** where the results of each batch go once its payout is signed (the node's result store) */
  results?: BatchResultSink;
  /**
   * keeps the result bytes of each paid batch by their CID (the payout's `result`; the node's
   * content store), so any peer can fetch them by CID from this node
   */
  keepContent?: (bytes: Uint8Array) => Promise<unknown>;
}

/** How one session ended, seen from the bidder. */
export interface BidderSessionReport {
  contract?: string;
  solver?: string;
  /** `closed`: the solver left (or sent something unreadable before naming a contract); `refused`: we refused; `aborted`: the signal */
  outcome: 'closed' | 'refused' | 'aborted';
  /** batches paid (payouts signed) */
  batches: number;
  mcus: number;
  /** Li of the signed payouts */
  amount: bigint;
  refusal?: { seq?: number; reason: RefusalReason; message: string };
}

export interface BidderPaidEvent {
  contract: string;
  solver: string;
  seq: number;
  /** the signed payout and its id */
  payout: PayoutTx;
  id: string;
  mcus: number;
  validated: boolean;
  validateMs: number;
}

export interface BidderRefusedEvent {
  contract: string;
  solver?: string;
  seq?: number;
  reason: RefusalReason;
  message: string;
}

/** A refusal as `recentRefusals` remembers it: the event and when it happened (ms since the epoch). */
export interface BidderRefusal extends BidderRefusedEvent {
  time: number;
}

export interface BidderServiceEvents {
  session: [session: { contract: string; solver: string; peer: string }];
  paid: [paid: BidderPaidEvent];
  refused: [refused: BidderRefusedEvent];
  /** a session is over (after `handle` stopped counting it in `sessions`) */
  ended: [report: BidderSessionReport];
}

interface Session {
  readonly id: number;
  readonly contract: string;
  readonly solver: string;
  /** the contract's input space */
  readonly mcus: number;
  readonly sandbox: Sandbox;
  /** the indices this session's ack did not skip */
  readonly lease: IndexRange[];
  readonly ledger: ContractLedger;
  seq: number;
  lastPayout?: string;
}

class Refusal {
  constructor(
    readonly reason: RefusalReason,
    readonly message: string,
  ) {}
}

/**
 * The bidder's side of solver sessions (SES-1 … SES-7) for the contracts its key published: it
 * acks a locate, checks and validates each batch in its own sandbox, and signs the payout — or
 * refuses, and ends the session. State kept across sessions (per contract): what it signed, the
 * escrow those payouts reserve, and which batches are being validated, so that no index is ever
 * signed twice and no payout it signs can overdraw the escrow.
 *
 * "Paid" (SES-4) means the payout of the previous batch is in the main chain of the bidder's node;
 * a batch sent earlier is refused `unpaid-batch` (if the payout is pending in the node's mempool,
 * the bidder first waits up to `paymentWaitBlocks` head changes for it).
 *
 * @example
 * const bidder = new BidderService({ node, secretKey, sandboxPool, bundles: (id) => bundleOf(id) });
 * bidder.on('paid', ({ seq, mcus }) => log(seq, mcus));
 * const report = await bidder.handle(channel); // one session, to its end
 */
export class BidderService extends EventEmitter<BidderServiceEvents> {
  readonly address: string;
  readonly maxBatch: number;
  readonly leaseMcus: number;
  readonly #node: ZiNode;
  readonly #secretKey: Uint8Array;
  readonly #pool: SandboxPool;
  readonly #bundles: BundleSource;
  readonly #validationRate: number;
  readonly #maxSessions: number;
  readonly #paymentWaitBlocks: number;
  readonly #maxClockSkewMs: number;
  readonly #now: () => number;
  readonly #results: BatchResultSink | undefined;
  readonly #keepContent: ((bytes: Uint8Array) => Promise<unknown>) | undefined;
  readonly #ledgers = new Map<string, ContractLedger>();
  readonly #sandboxes = new Map<string, Promise<Sandbox>>();
  /** live sessions → their contract, once the locate named one */
  readonly #live = new Map<number, string | undefined>();
  /** the last refusals, oldest first */
  readonly #refusals: BidderRefusal[] = [];
  #nextSession = 0;

  constructor(options: BidderServiceOptions) {
    super();
    const { maxBatch = 256, validationRate = 1, maxSessions = 64, paymentWaitBlocks = 6, maxClockSkewMs = 600_000 } = options;
    const { leaseMcus = 32 * maxBatch } = options;
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError('BidderService: maxBatch must be a positive integer');
    if (!Number.isSafeInteger(leaseMcus) || leaseMcus < 1) throw new RangeError('BidderService: leaseMcus must be a positive integer');
    if (!(validationRate >= 0 && validationRate <= 1)) throw new RangeError('BidderService: validationRate must be from 0 to 1');
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1)
      throw new RangeError('BidderService: maxSessions must be a positive integer');
    if (!Number.isSafeInteger(paymentWaitBlocks) || paymentWaitBlocks < 0)
      throw new RangeError('BidderService: paymentWaitBlocks must be a non-negative integer');
    if (!(maxClockSkewMs >= 0)) throw new RangeError('BidderService: maxClockSkewMs must be a non-negative number');
    this.address = addressOf(publicKeyOf(options.secretKey));
    this.maxBatch = maxBatch;
    this.leaseMcus = leaseMcus;
    this.#node = options.node;
    this.#secretKey = options.secretKey;
    this.#pool = options.sandboxPool;
    this.#bundles = options.bundles;
    this.#validationRate = validationRate;
    this.#maxSessions = maxSessions;
    this.#paymentWaitBlocks = paymentWaitBlocks;
    this.#maxClockSkewMs = maxClockSkewMs;
    this.#now = options.now ?? Date.now;
    this.#results = options.results;
    this.#keepContent = options.keepContent;
  }

  /** Sessions being served now. */
  get sessions(): number {
    return this.#live.size;
  }

  /** Sessions being served now for `contractId` (acked or about to be). */
  sessionsOf(contractId: string): number {
    let count = 0;
    for (const contract of this.#live.values()) if (contract === contractId) count++;
    return count;
  }

  /** The last refusals (at most 64 over every contract), newest first; only `contractId`'s when given. */
  recentRefusals(contractId?: string): BidderRefusal[] {
    return this.#refusals.filter((refusal) => contractId === undefined || refusal.contract === contractId).reverse();
  }

  /**
   * The Li of `contractId`'s escrow not yet promised: the escrow in the head state minus the
   * payouts this service signed that are not in the main chain yet.
   */
  escrowLeft(contractId: string): bigint {
    const entry = readContract(this.#node.chain.state, contractId);
    return entry ? this.#ledger(contractId).escrowLeft(entry) : 0n;
  }

  /**
   * Serves one session on `channel` to its end: the solver leaves, a batch or the locate is
   * refused, or `signal` aborts. Closes the channel when done. Never throws for anything the
   * solver sends; throws only when the bidder itself fails (its node or sandbox).
   */
  async handle(channel: SessionChannel, options: { signal?: AbortSignal } = {}): Promise<BidderSessionReport> {
    const { signal } = options;
    const id = this.#nextSession++;
    const reader = new MessageReader(channel);
    const report: BidderSessionReport = { outcome: 'closed', batches: 0, mcus: 0, amount: 0n };
    let session: Session | undefined;
    const refuse = async (contract: string, refusal: Refusal, seq?: number): Promise<BidderSessionReport> => {
      const message = refusalText(refusal.message);
      const refused = { reason: refusal.reason, message, ...(seq === undefined ? {} : { seq }) };
      await channel.send({ type: 'refuse', contract, ...refused }).catch(() => undefined);
      const event: BidderRefusedEvent = { contract, ...(session ? { solver: session.solver } : {}), ...refused };
      this.#refusals.push({ ...event, time: this.#now() });
      if (this.#refusals.length > REFUSAL_RING) this.#refusals.shift();
      this.emit('refused', event);
      report.outcome = 'refused';
      report.refusal = refused;
      return report;
    };
    const read = async (): Promise<SessionMessage | Refusal | undefined> => {
      try {
        return await reader.next(signal);
      } catch (error) {
        if (error instanceof NodeError && error.code === 'NODE_SESSION_MALFORMED') return new Refusal('malformed', error.message);
        throw error;
      }
    };
    this.#live.set(id, undefined);
    try {
      const first = await read();
      if (first === undefined || first instanceof Refusal) return this.#ended(report, signal);
      if (first.type !== 'locate')
        return await refuse(first.contract, new Refusal('malformed', `a session opens with locate, not ${first.type}`));
      report.contract = first.contract;
      report.solver = first.solver;
      this.#live.set(id, first.contract);
      const opened = await this.#open(first, id);
      if (opened instanceof Refusal) return await refuse(first.contract, opened);
      session = opened;
      await channel.send(this.#ack(first, session));
      this.emit('session', { contract: session.contract, solver: session.solver, peer: first.peer });
      for (;;) {
        const message = await read();
        if (message === undefined) return this.#ended(report, signal);
        if (message instanceof Refusal) return await refuse(session.contract, message, session.seq);
        const seq = message.type === 'batch' ? message.seq : session.seq;
        // The session's own end (the solver gone) stops it too: no payout is signed for nobody.
        const answer = await this.#serve(session, message, signal ? AbortSignal.any([signal, channel.ended]) : channel.ended);
        if (answer instanceof Refusal) return await refuse(session.contract, answer, seq);
        if (answer === undefined) return this.#ended(report, signal);
        await channel.send({ type: 'paid', contract: session.contract, seq: answer.seq, payout: answer.payout });
        report.batches++;
        report.mcus += answer.mcus;
        report.amount += answer.payout.amount;
        this.emit('paid', { contract: session.contract, solver: session.solver, ...answer });
      }
    } catch (error) {
      // The solver closing its end while we answer is how sessions end, not a failure.
      if (error instanceof NodeError && error.code === 'NODE_SESSION_CLOSED') return this.#ended(report, signal);
      throw error;
    } finally {
      this.#live.delete(id);
      session?.ledger.release(id);
      channel.close();
      this.emit('ended', report);
    }
  }

  #ended(report: BidderSessionReport, signal: AbortSignal | undefined): BidderSessionReport {
    report.outcome = signal?.aborted ? 'aborted' : 'closed';
    return report;
  }

  /** SES-1: checks a locate and opens the session, or says why not. */
  async #open(locate: LocateMessage, id: number): Promise<Session | Refusal> {
    try {
      verifySessionMessage(locate);
    } catch (error) {
      if (error instanceof SpecError) return new Refusal('bad-signature', error.message);
      throw error;
    }
    const chain = this.#node.chain.genesis.chain;
    if (locate.chain !== chain) return new Refusal('unknown-contract', `this bidder is on chain ${chain}, not ${locate.chain}`);
    const skew = Math.abs(this.#now() - locate.time);
    if (skew > this.#maxClockSkewMs) {
      return new Refusal(
        'malformed',
        `the locate is dated ${skew} ms from the bidder's clock (at most ${this.#maxClockSkewMs}); send a fresh one`,
      );
    }
    if (this.#live.size > this.#maxSessions) return new Refusal('busy', `the bidder serves ${this.#maxSessions} sessions already`);
    const entry = readContract(this.#node.chain.state, locate.contract);
    if (!entry || entry.bidder !== this.address)
      return new Refusal('unknown-contract', `contract ${locate.contract} is not one of this bidder's`);
    if (entry.validator !== undefined) {
      return new Refusal(
        'unknown-contract',
        `payouts of contract ${locate.contract} are signed by its validator ${entry.validator} (VAL-1)`,
      );
    }
    if (entry.status !== 'open') return new Refusal('contract-closed', `contract ${locate.contract} is closed`);
    const ledger = this.#ledger(locate.contract);
    if (ledger.escrowLeft(entry) < entry.price) {
      return new Refusal('escrow-exhausted', `the escrow of contract ${locate.contract} cannot pay another MCU`);
    }
    let sandbox: Sandbox;
    try {
      sandbox = await this.#sandbox(locate.contract, entry);
    } catch (error) {
      if (error instanceof NodeError || error instanceof RuntimeError)
        return new Refusal('busy', `the bidder cannot run the contract: ${error.message}`);
      throw error;
    }
    // The lowest free indices, leased to this session; every other live session's ack skips them.
    const lease = ledger.lease(id, entry.mcus, this.leaseMcus, MAX_SKIP_RANGES - 1);
    if (lease.length === 0)
      return new Refusal('busy', `every unsolved index of contract ${locate.contract} is paid or leased to another solver`);
    return { id, contract: locate.contract, solver: locate.solver, mcus: entry.mcus, sandbox, ledger, lease, seq: 0 };
  }

  /** SES-2: the signed ack, with what the solver should not work on. */
  #ack(locate: LocateMessage, session: Session): AckMessage {
    return signSessionMessage<AckMessage>(
      {
        type: 'ack',
        chain: locate.chain,
        contract: session.contract,
        solver: session.solver,
        locate: locateDigest(locate),
        signer: this.address,
        time: this.#now(),
        maxBatch: this.maxBatch,
        skip: complementRanges(session.lease, session.mcus),
      },
      this.#secretKey,
    );
  }

  /** SES-3 … SES-5: one batch, checked and validated; the signed payout, or why not. `undefined`: aborted. */
  async #serve(
    session: Session,
    message: SessionMessage,
    signal: AbortSignal | undefined,
  ): Promise<{ seq: number; payout: PayoutTx; id: string; mcus: number; validated: boolean; validateMs: number } | Refusal | undefined> {
    if (message.type !== 'batch') return new Refusal('malformed', `expected batch ${session.seq}, got ${message.type}`);
    const batch = message;
    if (batch.contract !== session.contract) return new Refusal('malformed', `the session is for contract ${session.contract}`);
    if (batch.seq !== session.seq) return new Refusal('malformed', `expected batch seq ${session.seq}, got ${batch.seq}`);
    if (session.lastPayout !== undefined) {
      const paid = await this.#paid(session.lastPayout, signal);
      if (signal?.aborted) return undefined;
      if (!paid) {
        return new Refusal(
          'unpaid-batch',
          `batch ${batch.seq} came before the payout of batch ${batch.seq - 1} (${session.lastPayout}) was in a block (SES-4)`,
        );
      }
    }
    const entry = readContract(this.#node.chain.state, session.contract);
    if (entry?.status !== 'open') return new Refusal('contract-closed', `contract ${session.contract} is closed`);
    const checked = this.#check(session, batch, entry);
    if (checked) return checked;
    const { ranges } = batch.payout;
    const mcus = countIndices(ranges);
    // Claimed before the first await: no other session can pass #check with these indices meanwhile.
    session.ledger.claim(session.id, ranges);
    try {
      const read = readBatchResults(batch.results, ranges);
      if (!read.ok) return new Refusal('invalid-results', read.reason);
      const validated = batch.seq === 0 || this.#validationRate >= 1 || randomInt(0, 2 ** 32) < this.#validationRate * 2 ** 32;
      const started = performance.now();
      if (validated) {
        const failure = await validateBatchResults(session.sandbox, ranges, read.perRange);
        if (failure) return new Refusal(failure.environment ? 'busy' : 'invalid-results', failure.reason);
      }
      const validateMs = performance.now() - started;
      // The chain may have moved while we validated (a close, another bidder instance's payouts).
      const now = readContract(this.#node.chain.state, session.contract);
      if (now?.status !== 'open') return new Refusal('contract-closed', `contract ${session.contract} was closed`);
      const recheck = this.#check(session, batch, now);
      if (recheck) return recheck;
      // A solver gone while we validated would never see the payout; signing it would keep its indices from everyone.
      if (signal?.aborted) return undefined;
      const payout = signTransaction(batch.payout, this.#secretKey) as PayoutTx;
      const id = transactionId(payout);
      // Kept before the solver sees the payout: what the bidder pays for, it has.
      this.#results?.put({
        contract: session.contract,
        solver: session.solver,
        seq: batch.seq,
        payout: id,
        ranges,
        perRange: read.perRange,
        validated,
      });
      session.ledger.signed(id, ranges, payout.amount);
      session.lastPayout = id;
      session.seq++;
      // Checked against payout.result before validation: these bytes are the CID's.
      await this.#keepContent?.(batch.results);
      return { seq: batch.seq, payout, id, mcus, validated, validateMs };
    } finally {
      session.ledger.unclaim(session.id);
    }
  }

  /** The checks of a batch that need no sandbox, in the order a solver would fix them. */
  #check(session: Session, batch: BatchMessage, entry: ContractEntry): Refusal | undefined {
    const { payout } = batch;
    const mcus = countIndices(payout.ranges);
    const limit = batchSize(batch.seq, this.maxBatch);
    if (mcus > limit) return new Refusal('batch-too-large', `batch ${batch.seq} holds ${mcus} MCUs, at most ${limit} (SES-3)`);
    const chain = this.#node.chain.genesis.chain;
    if (payout.chain !== chain) return new Refusal('malformed', `the payout is for chain ${payout.chain}, not ${chain}`);
    if (payout.contract !== session.contract) return new Refusal('malformed', `the payout is for contract ${payout.contract}`);
    if (payout.solver !== session.solver)
      return new Refusal('malformed', `the payout pays ${payout.solver}, the session's solver is ${session.solver}`);
    if (payout.from !== this.address)
      return new Refusal('malformed', `the payout names ${payout.from} as its signer; this bidder is ${this.address} (PAY-3)`);
    const last = payout.ranges[payout.ranges.length - 1] as IndexRange;
    if (last.from + last.count > entry.mcus) {
      return new Refusal(
        'wrong-ranges',
        `the ranges reach index ${last.from + last.count - 1}; the contract has ${entry.mcus} MCUs (PAY-2)`,
      );
    }
    if (rangesOverlap(payout.ranges, session.ledger.taken(session.id))) {
      return new Refusal('wrong-ranges', 'the ranges hold indices already paid, signed, or leased to another solver (PAY-5)');
    }
    const due = entry.price * BigInt(mcus);
    if (payout.amount !== due)
      return new Refusal('wrong-amount', `${mcus} MCUs at ${entry.price} Li are ${due} Li, not ${payout.amount} Li (PAY-4)`);
    if (payout.fee > payout.amount)
      return new Refusal('wrong-amount', `the fee ${payout.fee} Li is above the amount ${payout.amount} Li (PAY-4)`);
    const left = session.ledger.escrowLeft(entry);
    if (payout.amount > left)
      return new Refusal('escrow-exhausted', `the escrow has ${left} Li left for new payouts, the batch asks ${payout.amount} Li`);
    if (cidOfBytes(batch.results) !== payout.result)
      return new Refusal('malformed', `the payout's result ${payout.result} is not the CID of the results`);
    return undefined;
  }

  /** True once `payoutId` is in the main chain; waits a little when it is pending in the mempool. */
  async #paid(payoutId: string, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.#node.queries.transactionLocation(payoutId)) return true;
    if (!this.#node.mempool.has(payoutId)) return false;
    try {
      return await waitForInclusion(
        this.#node,
        payoutId,
        signal ? { maxBlocks: this.#paymentWaitBlocks, signal } : { maxBlocks: this.#paymentWaitBlocks },
      );
    } catch (error) {
      if (signal?.aborted) return false;
      throw error;
    }
  }

  #ledger(contractId: string): ContractLedger {
    let ledger = this.#ledgers.get(contractId);
    if (!ledger) {
      ledger = new ContractLedger(this.#node, contractId);
      this.#ledgers.set(contractId, ledger);
    }
    return ledger;
  }

  /** The contract's bundle loaded once in the pool, checked against the CID it was published with. */
  #sandbox(contractId: string, entry: ContractEntry): Promise<Sandbox> {
    let loaded = this.#sandboxes.get(contractId);
    if (!loaded) {
      loaded = (async () => {
        const source = await this.#bundles(contractId);
        if (source === undefined) {
          throw new NodeError(
            'NODE_BUNDLE_MISSING',
            `this bidder has no bundle for contract ${contractId}`,
            'give BidderService the bundles it published',
          );
        }
        const bytes = typeof source === 'string' ? new TextEncoder().encode(source) : source;
        const cid = cidOfBytes(bytes);
        if (cid !== entry.bundle) {
          throw new NodeError(
            'NODE_BUNDLE_MISMATCH',
            `the bundle given for ${contractId} is ${cid}, the contract runs ${entry.bundle}`,
            'give the bundle that was published',
          );
        }
        const bundle: Bundle = { cid, code: typeof source === 'string' ? source : new TextDecoder().decode(source) };
        return Sandbox.load(this.#pool, bundle);
      })();
      this.#sandboxes.set(contractId, loaded);
      loaded.catch(() => this.#sandboxes.delete(contractId));
    }
    return loaded;
  }
}
