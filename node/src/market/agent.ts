import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { RuntimeError, Sandbox, type SandboxPool } from '@zi/runtime';
import { addressOf, batchSize, cidOfBytes, publicKeyOf } from '@zi/spec';
import { NodeError } from '../errors.js';
import type { ZiNetwork } from '../network/network.js';
import { SERVING_WAIT_MS } from '../network/protocols.js';
import type { ZiNode } from '../node.js';
import { decodeSolved, solvedKey } from '../state/entries.js';
import type { SessionChannel } from './channel.js';
import { type PayoutSink, waitForInclusion } from './inclusion.js';
import { pickUnsolved } from './ranges.js';
import { type HandshakeBlocks, type SentBatch, type SolverProgress, SolverSession, type SolverSummary } from './solver.js';

export interface SolverAgentOptions {
  /** the solver's node, with its network: contracts come from its chain, payouts go to its mempool */
  node: ZiNode;
  /** the solver's key: it signs locates; payouts pay its address */
  secretKey: Uint8Array;
  /** where MCUs run; also the trials */
  sandboxPool: SandboxPool;
  /** sessions run at once on a contract, each on its own lease (default: the pool's size, so every core works) */
  sessions?: number;
  /** stop after this many MCUs in all (default: no limit) */
  maxMcus?: number;
  /** MCUs of the trial that measures a contract's gas per MCU on this machine (default 8) */
  trialMcus?: number;
  /** how long each session waits for each answer of a bidder (default `DEFAULT_ANSWER_TIMEOUT_MS`, 2 minutes) */
  answerTimeoutMs?: number;
  /**
   * SES-8, the bootstrapping solver: take only contracts whose first batch pays above the genesis
   * `bootstrapMinPrice` (10 Li), wait `bootstrapWaitBlocks` (1) block after each ack before the first
   * batch, and give up on a bidder that does not ack within `bootstrapHandshakeBlocks` (3) blocks
   */
  bootstrapping?: boolean;
  signal?: AbortSignal;
}

/** An open contract as the solver sees it, measured on this machine. */
export interface ContractOffer {
  id: string;
  name: string;
  bidder: string;
  /** Li per MCU */
  price: bigint;
  mcus: number;
  /** MCUs not paid yet */
  unpaid: number;
  bundle: string;
  /** what the bidder declared (the most an MCU may use) */
  gasPerMcu: number;
  /** what the trial's MCUs used, on average (at least 1) */
  measuredGasPerMcu: number;
  /** the trial's rate on one core */
  mcusPerSecond: number;
  /** Li per gas: price ÷ measured gas per MCU; offers are ranked by it */
  score: number;
}

/**
 * Why a contract was passed over: its bundle cannot be had or run, no peer serves its bidder, its
 * bidder was dropped earlier in the run (`bidder-not-paying`, `bidder-silent`), or — bootstrapping —
 * its first batch pays too little (`below-bootstrap-price`, SES-8).
 */
export interface SkippedContract {
  contract: string;
  reason:
    | 'bundle-unavailable'
    | 'bundle-broken'
    | 'trial-failed'
    | 'no-bidder'
    | 'bidder-unreachable'
    | 'bidder-not-paying'
    | 'bidder-silent'
    | 'below-bootstrap-price';
  message: string;
}

/**
 * A bidder the agent stops working for, for the rest of the run: `not-paying` (it left a batch
 * unpaid: no `paid` within the answer timeout, or a payout the chain did not take — SES-4), or
 * `silent` (no ack within the answer timeout, or within SES-8's handshake blocks).
 */
export interface DroppedBidder {
  bidder: string;
  reason: 'not-paying' | 'silent';
  /** the contract whose session showed it */
  contract: string;
  message: string;
}

/** One session's end, as the agent reports it. */
export interface AgentSessionEnd {
  contract: string;
  summary: SolverSummary;
}

export interface SolverAgentEvents {
  /** the open contracts worth working on, best first */
  ranked: [offers: ContractOffer[]];
  /** the contract the agent works on now */
  contract: [offer: ContractOffer];
  skipped: [skipped: SkippedContract];
  /** a bidder acknowledged a session's locate */
  handshake: [handshake: { contract: string; bidder: string }];
  /** SES-8: a session waits for `blocks` new blocks after the handshake before its first batch */
  waiting: [wait: { contract: string; blocks: number }];
  /** a batch sent to the bidder, its answer awaited */
  sent: [sent: SentBatch & { contract: string }];
  /** a batch paid and in the solver's chain */
  progress: [progress: SolverProgress & { contract: string; totalMcus: number; totalEarned: bigint }];
  session: [end: AgentSessionEnd];
  /** a bidder given up on for the rest of the run */
  dropped: [dropped: DroppedBidder];
}

/** How a run ended: `limit` (maxMcus), `idle` (no open contract left to work on), `aborted` (the signal). */
export interface SolverAgentSummary {
  outcome: 'limit' | 'idle' | 'aborted';
  mcus: number;
  batches: number;
  /** Li received, fees taken off */
  earned: bigint;
  /** the contracts worked on, in order */
  contracts: string[];
  elapsedMs: number;
}

/** How long a session waits for a payout's block before it gives the payout up (unless 12 blocks pass first). */
const INCLUSION_TIMEOUT_MS = 120_000;
/** A payout wait this long without a new block asks the peers for the blocks it may have missed. */
const QUIET_MS = 2_000;
/** How long the agent waits for a peer to relay blocks and transactions before its first session on a contract. */
const GOSSIP_WAIT_MS = 10_000;

/** Why a session's end means "leave this contract" rather than "open another session". */
const LEAVE = new Set<SolverSummary['outcome']>(['refused', 'closed', 'timeout', 'protocol-error', 'failed', 'aborted']);

/**
 * Resolves once `count` new blocks joined `node`'s main chain (head changes; a reorg counts as
 * one); rejects with the signal's reason on abort.
 *
 * @example
 * await waitForBlocks(node, 1, signal); // the next block
 */
export function waitForBlocks(node: ZiNode, count: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (count <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let seen = 0;
    const done = (): void => {
      node.off('head', onHead);
      signal?.removeEventListener('abort', onAbort);
    };
    const onHead = (): void => {
      if (++seen < count) return;
      done();
      resolve();
    };
    const onAbort = (): void => {
      done();
      reject(signal?.reason);
    };
    node.on('head', onHead);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A solver that picks its own work: it ranks the open contracts on its node's chain by Li per gas
 * (the price ÷ the gas per MCU a short trial measures on this machine), takes the best, finds the
 * node serving its bidder (`findSessionPeers`), and runs `sessions` {@link SolverSession}s at once
 * over the network — each on its own lease — until the contract is done, the bidder refuses or
 * goes away, or `maxMcus` is reached; then it moves on to the next contract. A bidder that leaves
 * a batch unpaid or never acks is dropped: none of its contracts is worked on again in the run.
 * With `bootstrapping` it follows SES-8.
 *
 * @example
 * const agent = new SolverAgent({ node, secretKey, sandboxPool, maxMcus: 1000 });
 * agent.on('progress', ({ contract, totalMcus, totalEarned }) => print(contract, totalMcus, totalEarned));
 * const summary = await agent.run(); // { outcome: 'limit', mcus: 1000, earned, … }
 */
export class SolverAgent extends EventEmitter<SolverAgentEvents> {
  readonly address: string;
  readonly #options: SolverAgentOptions;
  readonly #network: ZiNetwork;
  readonly #sessions: number;
  readonly #trialMcus: number;
  /** MCUs promised to sessions running or done: never above maxMcus */
  #reserved = 0;
  /** sessions of the contract in hand about to ask for a share of maxMcus */
  #waiting = 0;
  #mcus = 0;
  #batches = 0;
  #earned = 0n;
  /** bidders given up on, by address */
  readonly #dropped = new Map<string, DroppedBidder>();
  /** contracts already reported as passed over for a reason that lasts the run */
  readonly #told = new Set<string>();

  constructor(options: SolverAgentOptions) {
    super();
    const { sessions = options.sandboxPool.size, trialMcus = 8, maxMcus, answerTimeoutMs } = options;
    if (!options.node.network) throw new TypeError('SolverAgent: the node needs its network (startNode with `network`)');
    if (!Number.isSafeInteger(sessions) || sessions < 1) throw new RangeError('SolverAgent: sessions must be a positive integer');
    if (!Number.isSafeInteger(trialMcus) || trialMcus < 1) throw new RangeError('SolverAgent: trialMcus must be a positive integer');
    if (maxMcus !== undefined && (!Number.isSafeInteger(maxMcus) || maxMcus < 0))
      throw new RangeError('SolverAgent: maxMcus must be a non-negative integer');
    if (answerTimeoutMs !== undefined && !(answerTimeoutMs > 0 && answerTimeoutMs <= 2 ** 31 - 1))
      throw new RangeError('SolverAgent: answerTimeoutMs must be above 0 ms and at most 2^31 - 1');
    this.address = addressOf(publicKeyOf(options.secretKey));
    this.#options = options;
    this.#network = options.node.network;
    this.#sessions = sessions;
    this.#trialMcus = trialMcus;
  }

  /** Bidders given up on so far in this agent's runs. */
  get dropped(): DroppedBidder[] {
    return [...this.#dropped.values()];
  }

  /**
   * The open contracts worth a session, best first: open, without an assigned validator (VAL-1),
   * with escrow for at least one MCU and MCUs unpaid, of a bidder not dropped, (bootstrapping) whose
   * first batch pays enough, whose bundle can be had and runs. Emits `skipped` for those passed over.
   */
  async rank(exclude: ReadonlySet<string> = new Set()): Promise<ContractOffer[]> {
    const { node } = this.#options;
    const offers: ContractOffer[] = [];
    const minPrice = node.chain.genesis.market.bootstrapMinPrice;
    for (const { id, entry } of node.queries.contracts()) {
      if (exclude.has(id) || entry.status !== 'open' || entry.validator !== undefined) continue;
      if (entry.escrow < entry.price || entry.paid >= entry.mcus) continue;
      if (this.#options.signal?.aborted) break;
      const dropped = this.#dropped.get(entry.bidder);
      if (dropped) {
        this.#skipOnce(
          id,
          dropped.reason === 'not-paying' ? 'bidder-not-paying' : 'bidder-silent',
          `its bidder ${entry.bidder} was given up on: ${dropped.message}`,
        );
        continue;
      }
      // SES-8: batch 0 holds one MCU (SES-3), so the first batch pays the price per MCU.
      const firstBatch = entry.price * BigInt(batchSize(0, 1));
      if (this.#options.bootstrapping && firstBatch <= minPrice) {
        this.#skipOnce(
          id,
          'below-bootstrap-price',
          `its first batch pays ${firstBatch} Li; a bootstrapping solver takes only work paying above ${minPrice} Li (SES-8)`,
        );
        continue;
      }
      const sandbox = await this.#load(id, entry.bundle);
      if (!sandbox) continue;
      const solved = decodeSolved(node.chain.state.get(solvedKey(id)));
      const [range] = pickUnsolved(solved, entry.mcus, this.#trialMcus, 1);
      if (!range) continue;
      let measured: { gas: number; mcus: number; ms: number };
      try {
        const started = performance.now();
        const run = await sandbox.runRange({ from: range.from, count: range.count });
        measured = { gas: run.gas, mcus: run.mcus, ms: performance.now() - started };
      } catch (error) {
        if (!(error instanceof RuntimeError)) throw error;
        this.#skip(id, 'trial-failed', `the trial run failed: ${error.message}`);
        continue;
      }
      if (measured.mcus === 0) {
        this.#skip(id, 'trial-failed', 'the trial ran no MCU');
        continue;
      }
      const measuredGasPerMcu = Math.max(1, Math.round(measured.gas / measured.mcus));
      offers.push({
        id,
        name: entry.name,
        bidder: entry.bidder,
        price: entry.price,
        mcus: entry.mcus,
        unpaid: entry.mcus - entry.paid,
        bundle: entry.bundle,
        gasPerMcu: entry.gasPerMcu,
        measuredGasPerMcu,
        mcusPerSecond: measured.ms > 0 ? (measured.mcus * 1000) / measured.ms : measured.mcus * 1000,
        score: Number(entry.price) / measuredGasPerMcu,
      });
    }
    offers.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    this.emit('ranked', offers);
    return offers;
  }

  /** Works until `maxMcus`, the signal, or no contract left to work on. */
  async run(): Promise<SolverAgentSummary> {
    const started = performance.now();
    const contracts: string[] = [];
    const left = new Set<string>();
    const end = (outcome: SolverAgentSummary['outcome']): SolverAgentSummary => ({
      outcome,
      mcus: this.#mcus,
      batches: this.#batches,
      earned: this.#earned,
      contracts,
      elapsedMs: performance.now() - started,
    });
    for (;;) {
      if (this.#options.signal?.aborted) return end('aborted');
      if (this.#budgetLeft() <= 0) return end('limit');
      const [offer] = await this.rank(left);
      if (!offer) return end(this.#options.signal?.aborted ? 'aborted' : 'idle');
      // One pass per contract: once its bidder refuses, goes away or runs out of work, move on.
      left.add(offer.id);
      contracts.push(offer.id);
      this.emit('contract', offer);
      await this.#solve(offer);
    }
  }

  /** Runs sessions on one contract, `sessions` at once, until each one's lease of work ends. */
  async #solve(offer: ContractOffer): Promise<void> {
    const { signal } = this.#options;
    const addrs = await this.#network.findSessionPeers(offer.id, undefined, signal, { waitMs: SERVING_WAIT_MS });
    const [address] = addrs;
    if (address === undefined) {
      this.#skip(offer.id, 'no-bidder', 'no connected peer serves the sessions of this contract');
      return;
    }
    const bundle = await this.#network.fetchContent(offer.bundle);
    // A payout gossiped before any peer listens goes nowhere, and a session would wait for it.
    await this.#gossipReady();
    // Once the bidder is dropped, its other sessions of this contract stop too.
    const leave = new AbortController();
    const sessionSignal = signal ? AbortSignal.any([signal, leave.signal]) : leave.signal;
    const worker = async (): Promise<void> => {
      for (let first = true; ; first = false) {
        if (!first) this.#waiting++;
        if (sessionSignal.aborted) {
          this.#waiting--;
          return;
        }
        const share = this.#reserve();
        if (share === 0) return;
        let channel: SessionChannel;
        try {
          channel = await this.#network.openSession(address, sessionSignal);
        } catch (error) {
          this.#release(share);
          if (!sessionSignal.aborted) {
            this.#skip(offer.id, 'bidder-unreachable', `cannot open a session: ${error instanceof Error ? error.message : String(error)}`);
          }
          return;
        }
        const summary = await this.#session(channel, offer, bundle, share, sessionSignal);
        this.#release(share - summary.mcus);
        this.emit('session', { contract: offer.id, summary });
        const dropped = droppedBy(summary);
        if (dropped && !this.#dropped.has(offer.bidder)) {
          const entry = { bidder: offer.bidder, reason: dropped, contract: offer.id, message: summary.message };
          this.#dropped.set(offer.bidder, entry);
          this.emit('dropped', entry);
          leave.abort();
        }
        // `done`: the lease is solved; a new locate gets a new one. Nothing done: nothing is left.
        if (LEAVE.has(summary.outcome) || summary.mcus === 0) return;
      }
    };
    this.#waiting = this.#sessions;
    await Promise.all(Array.from({ length: this.#sessions }, worker));
  }

  async #session(
    channel: SessionChannel,
    offer: ContractOffer,
    bundle: Uint8Array,
    share: number,
    signal: AbortSignal,
  ): Promise<SolverSummary> {
    const { node, secretKey, sandboxPool, answerTimeoutMs, bootstrapping } = this.#options;
    const { market } = node.chain.genesis;
    const handshake: HandshakeBlocks | undefined = bootstrapping
      ? {
          blocks: (count, wait) => waitForBlocks(node, count, wait),
          waitBlocks: market.bootstrapWaitBlocks,
          handshakeBlocks: market.bootstrapHandshakeBlocks,
        }
      : undefined;
    const session = new SolverSession({
      channel,
      secretKey,
      chain: node.chain.genesis.chain,
      contract: { id: offer.id, bidder: offer.bidder, price: offer.price, mcus: offer.mcus, bundle: offer.bundle },
      bundle,
      sandboxPool,
      peer: this.#network.peerId,
      addrs: this.#network.addresses(),
      ...this.#payoutSink(),
      ...(Number.isFinite(share) ? { maxMcus: share } : {}),
      ...(answerTimeoutMs === undefined ? {} : { answerTimeoutMs }),
      ...(handshake ? { handshake } : {}),
      signal,
    });
    session.on('ack', () => this.emit('handshake', { contract: offer.id, bidder: offer.bidder }));
    session.on('waiting', ({ blocks }) => this.emit('waiting', { contract: offer.id, blocks }));
    session.on('sent', (sent) => this.emit('sent', { ...sent, contract: offer.id }));
    session.on('progress', (progress) => {
      this.#mcus += progress.batchMcus;
      this.#batches++;
      this.#earned += progress.batchEarned;
      this.emit('progress', { ...progress, contract: offer.id, totalMcus: this.#mcus, totalEarned: this.#earned });
    });
    return session.run();
  }

  /**
   * Payouts go to the node's mempool (and out by gossip); a payout counts as paid once it is in the
   * node's main chain. The wait ends `false` after 12 blocks without it or `INCLUSION_TIMEOUT_MS`;
   * when no block comes for `QUIET_MS` the node syncs with its peers, so a block whose gossip was
   * missed (a peer that had not yet seen this node's subscription) does not leave the session
   * waiting for good.
   */
  #payoutSink(): PayoutSink {
    const { node } = this.#options;
    const network = this.#network;
    return {
      submit: (payout) => node.submit(payout),
      waitForInclusion: async (id, signal) => {
        const deadline = AbortSignal.timeout(INCLUSION_TIMEOUT_MS);
        let blocks = 12;
        while (blocks > 0) {
          const startHeight = node.chain.head().height;
          const quiet = AbortSignal.any([deadline, AbortSignal.timeout(QUIET_MS), ...(signal ? [signal] : [])]);
          let included: boolean | undefined;
          try {
            included = await waitForInclusion(node, id, { maxBlocks: blocks, signal: quiet });
          } catch (error) {
            if (signal?.aborted) throw error;
            if (!quiet.aborted) throw error;
          }
          if (included !== undefined) return included;
          if (deadline.aborted) return false;
          blocks -= Math.max(0, node.chain.head().height - startHeight);
          await Promise.all(network.peers().map((peer) => network.sync(peer)));
          if (node.queries.transactionLocation(id)) return true;
        }
        return false;
      },
    };
  }

  /**
   * Resolves once a connected peer subscribes to both the block and the transaction gossip (at
   * once when one does), or after `GOSSIP_WAIT_MS` (a session then runs anyway and its payout
   * wait decides).
   */
  async #gossipReady(): Promise<void> {
    const { blocksTopic, txsTopic } = this.#network.ids;
    const pubsub = this.#network.host.services.pubsub;
    const ready = (): boolean => {
      const blocks = new Set(pubsub.getSubscribers(blocksTopic).map((peer) => peer.toString()));
      return pubsub.getSubscribers(txsTopic).some((peer) => blocks.has(peer.toString()));
    };
    if (ready()) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pubsub.removeEventListener('subscription-change', check);
        this.#options.signal?.removeEventListener('abort', done);
        resolve();
      };
      const check = (): void => {
        if (ready()) done();
      };
      const timer = setTimeout(done, GOSSIP_WAIT_MS);
      pubsub.addEventListener('subscription-change', check);
      this.#options.signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** The contract's bundle, checked against its CID, loaded in the pool; `undefined` when it cannot be had. */
  async #load(contract: string, cid: string): Promise<Sandbox | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.#network.fetchContent(cid, undefined, this.#options.signal);
    } catch (error) {
      if (!(error instanceof NodeError)) throw error;
      this.#skip(contract, 'bundle-unavailable', error.message);
      return undefined;
    }
    try {
      return await Sandbox.load(this.#options.sandboxPool, { cid: cidOfBytes(bytes), code: new TextDecoder().decode(bytes) });
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      this.#skip(contract, 'bundle-broken', error.message);
      return undefined;
    }
  }

  #budgetLeft(): number {
    const { maxMcus } = this.#options;
    return maxMcus === undefined ? Number.POSITIVE_INFINITY : maxMcus - this.#reserved;
  }

  /**
   * A session's share of the MCUs left: an even split among the sessions waiting for one, so
   * together they never pass maxMcus, and each runs one long session rather than many short ones
   * (every new session starts again at batches of 1 MCU, SES-3).
   */
  #reserve(): number {
    const left = this.#budgetLeft();
    if (!Number.isFinite(left)) return left;
    const share = Math.min(left, Math.ceil(left / Math.max(1, this.#waiting)));
    this.#waiting = Math.max(0, this.#waiting - 1);
    this.#reserved += share;
    return share;
  }

  /** Gives back what a session did not use. */
  #release(unused: number): void {
    if (Number.isFinite(unused)) this.#reserved -= unused;
  }

  #skip(contract: string, reason: SkippedContract['reason'], message: string): void {
    this.emit('skipped', { contract, reason, message });
  }

  /** Reports a contract passed over for a reason that lasts the run, once. */
  #skipOnce(contract: string, reason: SkippedContract['reason'], message: string): void {
    if (this.#told.has(contract)) return;
    this.#told.add(contract);
    this.#skip(contract, reason, message);
  }
}

/**
 * Whether a session's end shows its bidder cannot be worked for: a batch sent and left unpaid — no
 * `paid` in time, or a signed payout the chain refused or never included (SES-4) — or no ack.
 */
function droppedBy(summary: SolverSummary): DroppedBidder['reason'] | undefined {
  if (summary.unpaid && (summary.outcome === 'timeout' || summary.outcome === 'failed')) return 'not-paying';
  if (summary.outcome === 'timeout') return 'silent';
  return undefined;
}
