import { EventEmitter } from 'node:events';
import { Sandbox, type SandboxPool } from '@zi/runtime';
import {
  type AckMessage,
  addressOf,
  type BatchMessage,
  batchSize,
  bytesEqual,
  cidOfBytes,
  countIndices,
  type IndexRange,
  type LocateMessage,
  locateDigest,
  locateProof,
  MAX_BATCH_RESULT_BYTES,
  MAX_PAYOUT_RANGES,
  type PayoutTx,
  publicKeyOf,
  type RefusalReason,
  type SessionMessage,
  SpecError,
  signSessionMessage,
  transactionSigningBytes,
  verifySessionMessage,
  verifyTransaction,
} from '@zi/spec';
import type { SendResultJson } from '../api/types.js';
import { NodeError } from '../errors.js';
import { MessageReader, type SessionChannel } from './channel.js';
import { holesBetween, pickUnsolved, unionRanges } from './ranges.js';
import { encodeBatchResults } from './results.js';

/** The fee a solver puts on a payout by default: a tenth of the amount, at most 1,000 Li. */
export function defaultPayoutFee(amount: bigint): bigint {
  const tenth = amount / 10n;
  return tenth < 1_000n ? tenth : 1_000n;
}

/** How long a solver waits for each answer of the bidder by default (an ack, a `paid`). */
export const DEFAULT_ANSWER_TIMEOUT_MS = 120_000;

/** Why no answer came, in words. */
const NO_ANSWER = {
  closed: (what: string) => `the bidder closed the session without answering ${what}`,
  aborted: (what: string) => `aborted while waiting for the answer to ${what}`,
  'protocol-error': (what: string) => `the bidder answered ${what} with bytes that are not a session message`,
} as const;

/**
 * SES-8 (the bootstrapping solver): waits counted in blocks of the solver's own chain. Give it to
 * a session to wait `waitBlocks` blocks after the ack before the first batch, and to give up when
 * no ack came within `handshakeBlocks` blocks of the locate.
 */
export interface HandshakeBlocks {
  /** resolves once `count` new blocks joined the solver's main chain; rejects with the signal's reason on abort */
  blocks(count: number, signal: AbortSignal): Promise<void>;
  /** blocks between the ack and the first batch (genesis `bootstrapWaitBlocks`, 1) */
  waitBlocks: number;
  /** blocks without an ack after which the bidder is given up (genesis `bootstrapHandshakeBlocks`, 3) */
  handshakeBlocks: number;
}

/** What a solver needs to know of a contract (the fields of `ContractJson` it uses). */
export interface SolverContract {
  id: string;
  /** the address that signs acks and payouts: the bidder, or its validator when one is assigned */
  bidder: string;
  validator?: string;
  /** Li per MCU (a `ContractJson` gives it as a decimal string) */
  price: bigint | string;
  mcus: number;
  /** raw CID of the metered bundle; when given, the bundle must hash to it */
  bundle?: string;
}

export interface SolverSessionOptions {
  channel: SessionChannel;
  /** the solver's key: it signs the locate; payouts pay its address */
  secretKey: Uint8Array;
  /** the chain id (TX-2) */
  chain: string;
  contract: SolverContract;
  /** the contract's metered bundle (source text or its bytes) */
  bundle: string | Uint8Array;
  sandboxPool: SandboxPool;
  /** sends a paid payout to the chain (a node's `submit`, or the RPC's `zi_sendTransaction`) */
  submit: (payout: PayoutTx) => Promise<SendResultJson>;
  /** resolves `true` once the payout is in a block; needed when `submit` can answer `pending` */
  waitForInclusion?: (id: string, signal?: AbortSignal) => Promise<boolean>;
  /** the solver's libp2p peer id and addresses (SES-1) */
  peer: string;
  addrs?: readonly string[];
  /** the fee of each payout, out of its amount (default {@link defaultPayoutFee}); capped at the amount */
  fee?: bigint | ((amount: bigint) => bigint);
  /** stop after this many MCUs (default: until the input space is done) */
  maxMcus?: number;
  /**
   * how long to wait for each answer of the bidder — the ack, each `paid` — before ending the
   * session `timeout` (default {@link DEFAULT_ANSWER_TIMEOUT_MS}): a bidder that goes silent must
   * not hold the solver for good
   */
  answerTimeoutMs?: number;
  /** SES-8: the bootstrapping solver's waits in blocks (default: none) */
  handshake?: HandshakeBlocks;
  signal?: AbortSignal;
  /** the clock (default `Date.now`) */
  now?: () => number;
  /**
   * TEST SEAM — never set it outside tests. Rewrites each batch just before it is sent, to play a
   * dishonest solver against a real bidder (corrupted results, replayed or oversized ranges). The
   * solver trusts what it returns: it does not fix the CID or the amount.
   */
  tamper?: (batch: BatchMessage) => BatchMessage;
}

/**
 * How a session ended: `done` (the input space is solved), `limit` (`maxMcus` reached), `refused`
 * (the bidder refused a batch or the locate), `closed` (the bidder closed the session), `timeout`
 * (the bidder stopped answering: no ack or no `paid` within `answerTimeoutMs`, or no ack within
 * SES-8's handshake blocks), `aborted` (the signal), `protocol-error` (the bidder sent something
 * wrong: a bad ack or a payout other than the one asked for), `failed` (the solver could not go on:
 * its payout was rejected by the chain or not included, or results too big for a message).
 */
export type SolverOutcome = 'done' | 'limit' | 'refused' | 'closed' | 'timeout' | 'aborted' | 'protocol-error' | 'failed';

/** A batch sent to the bidder: its indices, before any answer. */
export interface SentBatch {
  seq: number;
  ranges: IndexRange[];
  mcus: number;
}

export interface SolverSummary {
  outcome: SolverOutcome;
  /** why, in words */
  message: string;
  refusal?: { seq?: number; reason: RefusalReason; message: string };
  /** batches paid and included (or submitted, without `waitForInclusion`) */
  batches: number;
  mcus: number;
  /** Li received: the payouts' amounts minus their fees */
  earned: bigint;
  fees: bigint;
  /** ids of the payouts submitted, in order */
  payouts: string[];
  /**
   * the batch sent last when the session ended without it being paid and included (no answer,
   * a refusal, a payout the chain did not take): the work this session lost, if any
   */
  unpaid?: SentBatch;
  elapsedMs: number;
}

/** Reported after each batch is paid and its payout is in a block. */
export interface SolverProgress {
  seq: number;
  ranges: IndexRange[];
  /** MCUs of this batch / of the session so far */
  batchMcus: number;
  mcus: number;
  /** Li received for this batch / so far */
  batchEarned: bigint;
  earned: bigint;
  payout: string;
  /** running the batch in the sandbox */
  runMs: number;
  /** from sending the batch to the `paid` answer (the bidder's checks and validation) */
  roundTripMs: number;
  /** from submitting the payout to its inclusion */
  inclusionMs: number;
}

export interface SolverSessionEvents {
  ack: [ack: AckMessage];
  /** SES-8: waiting for `blocks` new blocks after the ack before the first batch */
  waiting: [wait: { blocks: number }];
  /** a batch handed to the channel; its answer is awaited next */
  sent: [batch: SentBatch];
  progress: [progress: SolverProgress];
  end: [summary: SolverSummary];
}

/**
 * The solver's side of a session (SES-1 … SES-8): locate, then batch after batch — run in the
 * sandbox, sent with the unsigned payout, paid, submitted, included — until the work, `maxMcus`,
 * the bidder or the channel ends it. Emits `ack`, `waiting` (SES-8), `sent` for each batch sent, `progress` after each
 * batch is paid and included, and `end`. Each answer is awaited at most `answerTimeoutMs`.
 *
 * @example
 * const session = new SolverSession({ channel, secretKey, chain: 'zi-devnet', contract, bundle, sandboxPool, peer, ...nodePayoutSink(node) });
 * session.on('progress', ({ mcus, earned }) => draw(mcus, earned));
 * const summary = await session.run(); // { outcome: 'done', mcus, earned, … }
 */
export class SolverSession extends EventEmitter<SolverSessionEvents> {
  readonly address: string;
  readonly #options: SolverSessionOptions;
  readonly #price: bigint;
  readonly #signer: string;
  #running = false;

  constructor(options: SolverSessionOptions) {
    super();
    const { maxMcus, contract, answerTimeoutMs, handshake } = options;
    if (maxMcus !== undefined && (!Number.isSafeInteger(maxMcus) || maxMcus < 0)) {
      throw new RangeError('SolverSession: maxMcus must be a non-negative integer');
    }
    if (answerTimeoutMs !== undefined && !(answerTimeoutMs > 0 && answerTimeoutMs <= 2 ** 31 - 1))
      throw new RangeError('SolverSession: answerTimeoutMs must be above 0 ms and at most 2^31 - 1');
    if (handshake && !(Number.isSafeInteger(handshake.waitBlocks) && handshake.waitBlocks >= 0))
      throw new RangeError('SolverSession: handshake.waitBlocks must be a non-negative integer');
    if (handshake && !(Number.isSafeInteger(handshake.handshakeBlocks) && handshake.handshakeBlocks >= 1))
      throw new RangeError('SolverSession: handshake.handshakeBlocks must be a positive integer');
    if (!Number.isSafeInteger(contract.mcus) || contract.mcus < 1)
      throw new RangeError('SolverSession: contract.mcus must be a positive integer');
    this.#price = BigInt(contract.price);
    if (this.#price < 1n) throw new RangeError('SolverSession: contract.price must be at least 1 Li');
    this.address = addressOf(publicKeyOf(options.secretKey));
    this.#signer = contract.validator ?? contract.bidder;
    this.#options = options;
  }

  /**
   * Runs the session to its end and closes the channel. Returns how it ended; throws only when the
   * solver itself cannot work (the bundle does not match the contract, the sandbox fails).
   */
  async run(): Promise<SolverSummary> {
    if (this.#running) throw new TypeError('SolverSession.run: a session runs once');
    this.#running = true;
    const o = this.#options;
    const started = performance.now();
    const summary: SolverSummary = { outcome: 'closed', message: '', batches: 0, mcus: 0, earned: 0n, fees: 0n, payouts: [], elapsedMs: 0 };
    const end = (outcome: SolverOutcome, message: string): SolverSummary => {
      summary.outcome = outcome;
      summary.message = message;
      summary.elapsedMs = performance.now() - started;
      this.emit('end', summary);
      return summary;
    };
    try {
      const sandbox = await this.#load();
      const reader = new MessageReader(o.channel);
      const locate = this.#locate();
      if (!(await this.#send(locate))) return end('closed', 'the bidder closed the session before the locate');
      const first = await this.#read(reader, o.handshake);
      if (first === 'timeout') return end('timeout', this.#noAck());
      if (typeof first === 'string') return end(first, NO_ANSWER[first]('the locate'));
      if (first.type === 'refuse') {
        summary.refusal = { reason: first.reason, message: first.message };
        return end('refused', `the bidder refused the session: ${first.reason}: ${first.message}`);
      }
      if (first.type !== 'ack') return end('protocol-error', `the bidder answered the locate with ${first.type}`);
      const wrong = this.#checkAck(first, locate);
      if (wrong) return end('protocol-error', wrong);
      this.emit('ack', first);
      const ack = first;
      // SES-8: a bootstrapping solver lets a block pass between the handshake and its first work.
      if (o.handshake && o.handshake.waitBlocks > 0) {
        const wait = this.#blocks(o.handshake, o.handshake.waitBlocks);
        this.emit('waiting', { blocks: o.handshake.waitBlocks });
        if (!(await wait)) return end('aborted', 'aborted while waiting for a block after the ack (SES-8)');
      }
      let done: IndexRange[] = [];
      for (let seq = 0; ; seq++) {
        if (o.signal?.aborted) return end('aborted', `aborted after ${summary.batches} batches`);
        const budget = (o.maxMcus ?? Number.POSITIVE_INFINITY) - summary.mcus;
        if (budget <= 0) return end('limit', `stopped after ${summary.mcus} MCUs (maxMcus)`);
        const size = Math.min(batchSize(seq, ack.maxBatch), budget);
        const ranges = pickUnsolved(unionRanges(ack.skip, done), o.contract.mcus, size, MAX_PAYOUT_RANGES);
        if (ranges.length === 0) return end('done', 'every index the bidder offered is solved');
        const runStarted = performance.now();
        const unsigned = await this.#batch(sandbox, seq, ranges);
        const runMs = performance.now() - runStarted;
        if (typeof unsigned === 'string') return end('failed', unsigned);
        const batch = o.tamper ? o.tamper(unsigned) : unsigned;
        const sent = performance.now();
        if (!(await this.#send(batch))) return end('closed', `the bidder closed the session before batch ${seq}`);
        const inFlight = { seq, ranges: batch.payout.ranges, mcus: countIndices(batch.payout.ranges) };
        summary.unpaid = inFlight;
        this.emit('sent', inFlight);
        const answer = await this.#read(reader);
        const roundTripMs = performance.now() - sent;
        if (answer === 'timeout') {
          return end('timeout', `the bidder did not answer batch ${seq} within ${this.#answerTimeoutMs} ms: it is not paying (SES-4)`);
        }
        if (typeof answer === 'string') return end(answer, NO_ANSWER[answer](`batch ${seq}`));
        if (answer.type === 'refuse') {
          summary.refusal = { ...(answer.seq === undefined ? {} : { seq: answer.seq }), reason: answer.reason, message: answer.message };
          return end('refused', `the bidder refused batch ${seq}: ${answer.reason}: ${answer.message}`);
        }
        if (answer.type !== 'paid') return end('protocol-error', `the bidder answered batch ${seq} with ${answer.type}`);
        const payout = answer.payout;
        const bad = this.#checkPaid(answer.seq, payout, batch);
        if (bad) return end('protocol-error', bad);
        const submitted = performance.now();
        const settled = await this.#settle(payout, seq);
        if (settled.id !== undefined) summary.payouts.push(settled.id);
        if (settled.failure !== undefined) return end(o.signal?.aborted ? 'aborted' : 'failed', settled.failure);
        const batchMcus = countIndices(payout.ranges);
        const batchEarned = payout.amount - payout.fee;
        delete summary.unpaid;
        done = unionRanges(done, payout.ranges);
        summary.batches++;
        summary.mcus += batchMcus;
        summary.earned += batchEarned;
        summary.fees += payout.fee;
        this.emit('progress', {
          seq,
          ranges: payout.ranges,
          batchMcus,
          mcus: summary.mcus,
          batchEarned,
          earned: summary.earned,
          payout: settled.id,
          runMs,
          roundTripMs,
          inclusionMs: performance.now() - submitted,
        });
      }
    } finally {
      o.channel.close();
    }
  }

  /** Runs the batch and builds its message with the unsigned payout (SES-4), or says why it cannot be sent. */
  async #batch(sandbox: Sandbox, seq: number, ranges: IndexRange[]): Promise<BatchMessage | string> {
    const o = this.#options;
    const results = await this.#run(sandbox, ranges);
    if (results.length > MAX_BATCH_RESULT_BYTES) {
      return `the results of batch ${seq} are ${results.length} bytes, more than a batch may carry (SES-6)`;
    }
    const amount = this.#price * BigInt(countIndices(ranges));
    const payout = {
      type: 'payout',
      chain: o.chain,
      from: this.#signer,
      fee: this.#fee(amount),
      meta: '',
      contract: o.contract.id,
      solver: this.address,
      ranges,
      result: cidOfBytes(results),
      amount,
    } as const;
    return { type: 'batch', contract: o.contract.id, seq, results, payout };
  }

  /** Submits a paid payout and waits for its block: its id, and what went wrong if anything did. */
  async #settle(payout: PayoutTx, seq: number): Promise<{ id: string; failure?: undefined } | { id?: string; failure: string }> {
    const o = this.#options;
    let result: SendResultJson;
    try {
      result = await o.submit(payout);
    } catch (error) {
      // A domain error (the mempool's RuleError, an RpcError): the chain will not take it.
      if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== 'string') throw error;
      return { failure: `the chain refused the payout of batch ${seq}: ${error.message}` };
    }
    if (result.status === 'included' || !o.waitForInclusion) return { id: result.id };
    let included: boolean;
    try {
      included = await o.waitForInclusion(result.id, o.signal);
    } catch (error) {
      if (!o.signal?.aborted) throw error;
      included = false;
    }
    if (o.signal?.aborted) return { id: result.id, failure: 'aborted while waiting for a payout to be included' };
    return included ? { id: result.id } : { id: result.id, failure: `the payout of batch ${seq} (${result.id}) was not included` };
  }

  async #load(): Promise<Sandbox> {
    const { bundle, contract, sandboxPool } = this.#options;
    const bytes = typeof bundle === 'string' ? new TextEncoder().encode(bundle) : bundle;
    const cid = cidOfBytes(bytes);
    if (contract.bundle !== undefined && cid !== contract.bundle) {
      throw new NodeError(
        'NODE_BUNDLE_MISMATCH',
        `the bundle given hashes to ${cid}, contract ${contract.id} runs ${contract.bundle}`,
        'fetch the bundle the contract was published with',
      );
    }
    return Sandbox.load(sandboxPool, { cid, code: typeof bundle === 'string' ? bundle : new TextDecoder().decode(bundle) });
  }

  /** SES-1 */
  #locate(): LocateMessage {
    const o = this.#options;
    const time = (o.now ?? Date.now)();
    return signSessionMessage<LocateMessage>(
      {
        type: 'locate',
        chain: o.chain,
        contract: o.contract.id,
        solver: this.address,
        peer: o.peer,
        addrs: [...(o.addrs ?? [])],
        time,
        proof: locateProof(this.address, time, o.peer, o.contract.id),
      },
      o.secretKey,
    );
  }

  /** SES-2: the ack is the contract's signer's, for this locate. */
  #checkAck(ack: AckMessage, locate: LocateMessage): string | undefined {
    try {
      verifySessionMessage(ack);
    } catch (error) {
      if (error instanceof SpecError) return `the ack's signature does not verify: ${error.message}`;
      throw error;
    }
    if (ack.signer !== this.#signer) return `the ack is signed by ${ack.signer}, the contract's payouts are signed by ${this.#signer}`;
    if (!bytesEqual(ack.locate, locateDigest(locate))) return 'the ack names another locate message';
    if (ack.contract !== locate.contract || ack.solver !== locate.solver || ack.chain !== locate.chain) {
      return 'the ack is for another contract, solver or chain';
    }
    if (ack.maxBatch < 1) return 'the ack allows batches of 0 MCUs';
    return undefined;
  }

  /** SES-5: the payout is exactly the one sent, signed by the contract's signer. */
  #checkPaid(seq: number, payout: PayoutTx, batch: BatchMessage): string | undefined {
    if (seq !== batch.seq) return `the bidder paid batch ${seq}, batch ${batch.seq} was sent`;
    if (!bytesEqual(transactionSigningBytes(payout), transactionSigningBytes(batch.payout))) {
      return `the payout of batch ${seq} is not the one the solver sent`;
    }
    if (!verifyTransaction(payout)) return `the payout of batch ${seq} is not signed by ${payout.from}`;
    return undefined;
  }

  /** Runs the batch as one span with the holes skipped: results in the format of `encodeBatchResults`. */
  async #run(sandbox: Sandbox, ranges: readonly IndexRange[]): Promise<Uint8Array> {
    const first = ranges[0] as IndexRange;
    const last = ranges[ranges.length - 1] as IndexRange;
    const run = await sandbox.runRange({
      from: first.from,
      count: last.from + last.count - first.from,
      solvedRanges: holesBetween(ranges),
    });
    return encodeBatchResults(run.resultsJson);
  }

  #fee(amount: bigint): bigint {
    const { fee = defaultPayoutFee } = this.#options;
    const value = typeof fee === 'bigint' ? fee : fee(amount);
    if (value < 0n) return 0n;
    return value < amount ? value : amount;
  }

  /** `false` when the channel is closed. */
  async #send(message: LocateMessage | BatchMessage): Promise<boolean> {
    try {
      await this.#options.channel.send(message);
      return true;
    } catch (error) {
      if (error instanceof NodeError && error.code === 'NODE_SESSION_CLOSED') return false;
      throw error;
    }
  }

  get #answerTimeoutMs(): number {
    return this.#options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  }

  #noAck(): string {
    const { handshake } = this.#options;
    const blocks = handshake ? ` or ${handshake.handshakeBlocks} blocks (SES-8)` : '';
    return `the bidder did not acknowledge the locate within ${this.#answerTimeoutMs} ms${blocks}`;
  }

  /** Waits `count` blocks of the solver's chain; `false` when the signal aborted the wait. */
  async #blocks(handshake: HandshakeBlocks, count: number): Promise<boolean> {
    const stop = new AbortController();
    const { signal } = this.#options;
    const onAbort = (): void => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) return false;
      await handshake.blocks(count, stop.signal);
      return true;
    } catch (error) {
      if (stop.signal.aborted) return false;
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The bidder's next message, or why there is none: `timeout` after `answerTimeoutMs`, or — with
   * `handshake` (while waiting for the ack) — once its `handshakeBlocks` blocks have passed.
   */
  async #read(
    reader: MessageReader,
    handshake?: HandshakeBlocks,
  ): Promise<SessionMessage | 'closed' | 'aborted' | 'protocol-error' | 'timeout'> {
    const { signal } = this.#options;
    const waiting = new AbortController();
    let timedOut = false;
    const giveUp = (): void => {
      timedOut = true;
      waiting.abort();
    };
    const timer = setTimeout(giveUp, this.#answerTimeoutMs);
    const onAbort = (): void => waiting.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) waiting.abort(signal.reason);
    // The blocks' wait rejects when the read ends first (the `waiting` signal): nothing to report then.
    handshake?.blocks(handshake.handshakeBlocks, waiting.signal).then(giveUp, () => undefined);
    try {
      const message = await reader.next(waiting.signal);
      if (message !== undefined) return message;
    } catch (error) {
      if (error instanceof NodeError && error.code === 'NODE_SESSION_MALFORMED') return 'protocol-error';
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      waiting.abort();
    }
    if (signal?.aborted) return 'aborted';
    return timedOut ? 'timeout' : 'closed';
  }
}
