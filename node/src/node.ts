import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { SandboxPool } from '@zi/runtime';
import {
  type Block,
  decodeHeader,
  encodeBlock,
  type GenesisConfig,
  normalizeAddress,
  STAKE_ADDRESS,
  type Transaction,
  transactionId,
} from '@zi/spec';
import { type RpcServer, startRpcServer } from './api/server.js';
import type { ContractStatusJson, ResultsPageJson, SendResultJson } from './api/types.js';
import { Chain, type HeadInfo } from './chain/chain.js';
import { ChainQueries } from './chain/queries.js';
import type { DevAccount } from './devnet.js';
import { NodeError } from './errors.js';
import type { BidderService } from './market/bidder.js';
import { ResultStore } from './market/result-store.js';
import { ContractStatusReader } from './market/status.js';
import { Mempool, type MempoolOptions } from './mempool/mempool.js';
import { Miner } from './miner/miner.js';
import { ContentStore } from './network/content-store.js';
import type { NetworkOptions, ZiNetwork } from './network/network.js';
import { readContract, requireContract } from './state/apply.js';

/**
 * When the node makes blocks: `off` never (but `mine()` on demand), `instant` right after
 * transactions arrive (those that arrive together share a block), `interval` every `intervalMs`
 * (empty blocks too), `continuous` back to back, as a testnet miner does.
 */
export type MiningMode = 'off' | 'instant' | 'interval' | 'continuous';

export interface MiningOptions {
  mode: MiningMode;
  /** `interval` mode: ms between blocks (default 1,000) */
  intervalMs?: number;
  /** the address paid the reward and fees; required unless `mode` is `off` (a devnet defaults to its first dev account) */
  miner?: string;
  /** mining threads (default: available parallelism − 1, at least 1) */
  threads?: number;
}

export interface StartNodeOptions {
  /** folder of the node's files (`chain.db`); created when missing */
  dataDir: string;
  genesis: GenesisConfig;
  /** default `{ mode: 'off' }` */
  mining?: MiningOptions;
  /** JSON-RPC over HTTP and WebSocket (default 127.0.0.1:8645; port 0 takes any free port), or `false` for none */
  rpc?: { host?: string; port?: number } | false;
  /** the prefunded accounts of a devnet; giving them makes the node a devnet (zi_mine, zi_devAccounts) */
  devAccounts?: readonly DevAccount[];
  mempool?: MempoolOptions;
  /** the peer-to-peer network (gossip, sync, content, sessions; see the README); default off */
  network?: NetworkOptions;
  /** serve solver sessions for the open contracts this key published (needs `network`); default off */
  bidder?: BidderNodeOptions;
  log?: (event: NodeLogEvent) => void;
}

/** A node that serves the bidder's side of solver sessions (SES-1 … SES-7) over its network. */
export interface BidderNodeOptions {
  /** the bidder's key: its contracts are served, its signature pays their solvers */
  secretKey: Uint8Array;
  /** where batches are validated (default: a pool of 2 sandboxes, closed with the node) */
  sandboxPool?: SandboxPool;
  /** the largest batch, in MCUs (SES-3; default 256) */
  maxBatch?: number;
}

/** What the node reports as it runs (for a CLI to print; the node itself never writes to the console). */
export type NodeLogEvent =
  | { type: 'started'; chain: string; height: number; dataDir: string; mining: MiningMode }
  | { type: 'rpc-listening'; url: string }
  | { type: 'tx-accepted'; id: string; status: 'pending' | 'included' }
  | { type: 'block-mined'; id: string; height: number; txs: number; ms: number }
  | { type: 'network-listening'; peerId: string; addresses: string[] }
  | { type: 'peer-banned'; peer: string; reason: string }
  | { type: 'synced'; peer: string; imported: number; height: number }
  | { type: 'sync-failed'; peer: string; message: string }
  | { type: 'dial-failed'; address: string; message: string }
  | { type: 'bidder-serving'; address: string }
  | { type: 'session-paid'; contract: string; solver: string; seq: number; mcus: number }
  | { type: 'session-refused'; contract: string; solver?: string; reason: string; message: string }
  | { type: 'error'; where: FailureSite; message: string; error: unknown }
  | { type: 'stopped' };

type FailureSite = 'mining' | 'mempool' | 'listener' | 'rpc' | 'network' | 'bidder';

/** The blocks a head change took off and put on the main chain (oldest first for `connected`). */
export interface HeadChange {
  connected: Block[];
  disconnected: Block[];
}

export interface ZiNodeEvents {
  head: [head: HeadInfo, change: HeadChange];
  /** a transaction `submit` admitted to the mempool (the network gossips it) */
  tx: [tx: Transaction];
}

interface MinedBlock {
  id: string;
  height: number;
  txs: string[];
}

const DEFAULT_RPC_PORT = 8645;

/**
 * A running node: chain, mempool, miner and RPC server. Start one with {@link startNode}; it
 * emits `head` after every change of the main chain.
 */
export class ZiNode extends EventEmitter<ZiNodeEvents> {
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly queries: ChainQueries;
  /** the results of the batches this node's bidder signed payouts for (in `chain.db`) */
  readonly results: ResultStore;
  readonly dataDir: string;
  /** true for a devnet: a `zi-devnet…` chain or dev accounts given */
  readonly devnet: boolean;
  readonly devAccounts: readonly DevAccount[];
  readonly miningMode: MiningMode;
  readonly #minerAddress: string | undefined;
  readonly #miner: Miner;
  readonly #log: (event: NodeLogEvent) => void;
  readonly #abort = new AbortController();
  #rpc: RpcServer | undefined;
  #network: ZiNetwork | undefined;
  #bidder: BidderService | undefined;
  #status: ContractStatusReader | undefined;
  /** a sandbox pool the node made for its bidder, closed on stop */
  #ownPool: SandboxPool | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #instant: Promise<MinedBlock | undefined> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #heldTimer: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;

  private constructor(options: StartNodeOptions) {
    super();
    const mining = options.mining ?? { mode: 'off' };
    this.dataDir = options.dataDir;
    this.devAccounts = options.devAccounts ?? [];
    this.devnet = options.genesis.chain.startsWith('zi-devnet') || options.devAccounts !== undefined;
    this.miningMode = mining.mode;
    this.#log = options.log ?? (() => {});
    this.#minerAddress = minerAddressOf(mining, this.devAccounts);
    this.#miner = new Miner(mining.threads === undefined ? {} : { threads: mining.threads });
    mkdirSync(options.dataDir, { recursive: true });
    this.chain = Chain.open(join(options.dataDir, 'chain.db'), options.genesis, {
      onHead: (head, change) => this.#onHead(head, change),
    });
    this.queries = new ChainQueries(this.chain);
    this.results = new ResultStore(this.chain.db);
    this.mempool = new Mempool(this.chain, options.mempool);
  }

  /** @internal use {@link startNode} */
  static async start(options: StartNodeOptions): Promise<ZiNode> {
    checkOptions(options);
    const node = new ZiNode(options);
    try {
      if (options.rpc !== false) {
        node.#rpc = await startRpcServer(node, {
          host: options.rpc?.host ?? '127.0.0.1',
          port: options.rpc?.port ?? DEFAULT_RPC_PORT,
          onInternalError: (error) => node.#fail('rpc', error),
        });
        node.#log({ type: 'rpc-listening', url: node.#rpc.url });
      }
      if (options.network) await node.#startNetwork(options.network);
      if (options.bidder) await node.#startBidder(options.bidder);
      node.#startMining(options.mining?.intervalMs ?? 1000);
      // BLK-8: blocks held for a future time are retried as the clock passes them.
      node.#heldTimer = setInterval(() => node.chain.retryHeld(), 1000);
      node.#heldTimer.unref();
    } catch (error) {
      await node.stop();
      throw error;
    }
    node.#log({
      type: 'started',
      chain: options.genesis.chain,
      height: node.chain.head().height,
      dataDir: node.dataDir,
      mining: node.miningMode,
    });
    return node;
  }

  /** The peer-to-peer network, when started with `network` (else undefined). */
  get network(): ZiNetwork | undefined {
    return this.#network;
  }

  /** The bidder's side of solver sessions, when started with `bidder` (else undefined). */
  get bidder(): BidderService | undefined {
    return this.#bidder;
  }

  /**
   * The multiaddrs of the node serving the bidder's sessions of `contractId` (`zi_sessionPeers`):
   * this node's own addresses when its `bidder` signs that open contract's payouts; else those of a
   * fresh serving announcement of the contract's bidder this node holds (NET-8), when the contract
   * is open without a validator; else none.
   *
   * @throws NodeError NODE_CONTRACT_UNKNOWN
   */
  sessionPeers(contractId: string): string[] {
    if (this.servesSessions(contractId)) return this.#network ? this.#network.addresses() : [];
    return this.#network?.announcedSessionPeers(contractId) ?? [];
  }

  /**
   * True when this node's own `bidder` serves the sessions of `contractId`: the key signs the
   * payouts of that open contract (no validator assigned) and the node has its network.
   *
   * @throws NodeError NODE_CONTRACT_UNKNOWN
   */
  servesSessions(contractId: string): boolean {
    const entry = requireContract(this.chain.state, contractId);
    return (
      this.#network !== undefined &&
      this.#bidder !== undefined &&
      entry.bidder === this.#bidder.address &&
      entry.validator === undefined &&
      entry.status === 'open'
    );
  }

  /**
   * How contract `contractId` is going (`zi_status`): MCUs paid and stored, solvers, escrow, live
   * sessions, the last payout, and why nobody seems to be solving it (see `ContractStatusReader`).
   *
   * @throws NodeError NODE_CONTRACT_UNKNOWN
   */
  contractStatus(contractId: string): ContractStatusJson {
    this.#status ??= new ContractStatusReader(this);
    return this.#status.status(contractId);
  }

  /**
   * A page of the results this node keeps of `contractId` (`zi_results`): whole ranges starting
   * above index `after`, up to `limit` MCUs (default 10,000).
   *
   * @throws NodeError NODE_CONTRACT_UNKNOWN; NODE_NOT_BIDDER when this node keeps no results of
   *   the contract and does not serve its bidder
   */
  resultsPage(contractId: string, options: { after?: number; limit?: number } = {}): ResultsPageJson {
    const entry = requireContract(this.chain.state, contractId);
    const stored = this.results.summary(contractId);
    if (stored.mcus === 0 && this.#bidder?.address !== entry.bidder) {
      throw new NodeError(
        'NODE_NOT_BIDDER',
        `this node keeps no results of contract ${contractId}: the node serving its bidder ${entry.bidder} keeps them`,
        "ask that node (--rpc with its address), or start the bidder's node with --bidder and the bidder's key",
      );
    }
    const page = this.results.page(contractId, options);
    return {
      contract: contractId,
      entries: page.entries,
      pageMcus: page.mcus,
      ...(page.next === undefined ? {} : { next: page.next }),
      mcus: stored.mcus,
      total: entry.mcus,
    };
  }

  /**
   * The bytes of a raw CID (`zi_content`): from this node's content store, else fetched from its
   * peers and checked against the CID (ENC-2).
   *
   * @throws NodeError NODE_CONTENT_NOT_FOUND (or NODE_CONTENT_MISMATCH when peers only sent other bytes)
   */
  async content(cid: string): Promise<Uint8Array> {
    if (this.#network) return this.#network.fetchContent(cid);
    const bytes = await new ContentStore(join(this.dataDir, 'content')).get(cid);
    if (bytes) return bytes;
    throw new NodeError('NODE_CONTENT_NOT_FOUND', `this node does not hold ${cid}`, 'ask a node on the network that has it');
  }

  /** `http://host:port` of the JSON-RPC API (its WebSocket is at `/ws`), or undefined without one. */
  get rpcUrl(): string | undefined {
    return this.#rpc?.url;
  }

  /**
   * Adds a signed transaction to the mempool. In `instant` mode the answer waits for the block
   * mined right after it and says `included` when the transaction is in it.
   *
   * @throws RuleError when the mempool refuses it (see MEM-1 … MEM-6)
   */
  async submit(tx: Transaction): Promise<SendResultJson> {
    if (this.#stopping) throw new NodeError('NODE_STOPPED', 'the node is stopping', 'send it to a running node');
    const result = this.mempool.add(tx);
    this.#log({ type: 'tx-accepted', id: result.id, status: result.status });
    if (result.status === 'pending') {
      try {
        this.emit('tx', tx);
      } catch (error) {
        this.#fail('listener', error);
      }
    }
    if (result.status === 'included' || this.miningMode !== 'instant') return result;
    await this.#instantBlock();
    return { id: result.id, status: this.queries.transactionLocation(result.id) ? 'included' : 'pending' };
  }

  /**
   * Mines `blocks` blocks now, whatever the mining mode, with the mempool's best transactions.
   * Returns their ids (fewer if the node stops meanwhile).
   *
   * @throws NodeError NODE_NO_MINER when no miner address is known
   */
  async mine(blocks = 1): Promise<string[]> {
    if (!Number.isSafeInteger(blocks) || blocks < 1 || blocks > 10_000)
      throw new RangeError('mine: blocks must be an integer from 1 to 10000');
    if (!this.#minerAddress) {
      throw new NodeError(
        'NODE_NO_MINER',
        'this node has no miner address',
        'start it with mining.miner (zi node start --miner <address>)',
      );
    }
    const ids: string[] = [];
    for (let i = 0; i < blocks; i++) {
      const block = await this.#serial(() => this.#mineBlock(false));
      if (!block) break;
      ids.push(block.id);
    }
    return ids;
  }

  /** Stops mining, closes the RPC server (and its WebSockets), the worker threads and the database. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true;
      clearInterval(this.#timer);
      clearInterval(this.#heldTimer);
      this.#abort.abort();
      this.#miner.cancel();
      await this.#rpc?.close();
      await this.#network?.stop();
      await this.#ownPool?.close();
      await this.#loop;
      await this.#tail;
      await this.#miner.close();
      this.chain.close();
      this.#log({ type: 'stopped' });
    })();
    return this.#stopped;
  }

  async #startNetwork(options: NetworkOptions): Promise<void> {
    // Loaded only when asked for: libp2p is big, and needs the Promise.withResolvers polyfill.
    const { startNetwork } = await import('./network/index.js');
    const network = await startNetwork(this, options);
    this.#network = network;
    network.on('error', ({ error }) => this.#fail('network', error));
    network.on('peer-banned', ({ peer, reason }) => this.#log({ type: 'peer-banned', peer, reason }));
    network.on('sync-failed', ({ peer, error }) => this.#log({ type: 'sync-failed', peer, message: messageOf(error) }));
    network.on('dial-failed', ({ address, error }) => this.#log({ type: 'dial-failed', address, message: messageOf(error) }));
    network.on('synced', ({ peer, imported, height }) => {
      if (imported > 0) this.#log({ type: 'synced', peer, imported, height });
    });
    // `instant` mode mines transactions that arrive by gossip too, so a solver's payout submitted
    // to its own node reaches a block when it reaches a mining peer.
    network.on('gossip', (outcome) => {
      if (outcome.topic === 'txs' && outcome.status === 'pending' && this.miningMode === 'instant') void this.#instantBlock();
    });
    this.#log({ type: 'network-listening', peerId: network.peerId, addresses: network.addresses() });
  }

  /** Serves solver sessions for the contracts of `options.secretKey`, with bundles from the content store. */
  async #startBidder(options: BidderNodeOptions): Promise<void> {
    const network = this.#network;
    if (!network) throw new TypeError('startNode: bidder needs network (solver sessions come over the peer-to-peer network)');
    const [{ BidderService }, { SandboxPool }] = await Promise.all([import('./market/bidder.js'), import('@zi/runtime')]);
    if (!options.sandboxPool) this.#ownPool = new SandboxPool({ size: 2 });
    const bidder = new BidderService({
      node: this,
      secretKey: options.secretKey,
      sandboxPool: options.sandboxPool ?? (this.#ownPool as SandboxPool),
      results: this.results,
      // Result bytes by CID too: any peer fetches a batch's results by its payout's `result`.
      keepContent: (bytes) => network.content.put(bytes),
      ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
      // PUB-2: the node stored the inline code of the publish when its block connected; a
      // publish without code is fetched from peers (and checked against the CID, ENC-2).
      bundles: async (contractId) => {
        const entry = readContract(this.chain.state, contractId);
        if (!entry) return undefined;
        try {
          return await network.fetchContent(entry.bundle);
        } catch (error) {
          if (error instanceof NodeError && error.code.startsWith('NODE_CONTENT_')) return undefined;
          throw error;
        }
      },
    });
    this.#bidder = bidder;
    bidder.on('paid', ({ contract, solver, seq, mcus }) => this.#log({ type: 'session-paid', contract, solver, seq, mcus }));
    bidder.on('refused', ({ contract, solver, reason, message }) =>
      this.#log({ type: 'session-refused', contract, ...(solver === undefined ? {} : { solver }), reason, message }),
    );
    await network.onSession((channel) => {
      bidder.handle(channel, { signal: this.#abort.signal }).catch((error: unknown) => {
        // A session cut short by stop() (its sandbox pool closing under it) is no failure.
        if (!this.#stopping) this.#fail('bidder', error);
      });
    });
    // NET-8: solvers connected through other nodes learn where this bidder is served.
    network.announceServing(options.secretKey);
    this.#log({ type: 'bidder-serving', address: bidder.address });
  }

  #startMining(intervalMs: number): void {
    if (this.miningMode === 'interval') {
      let busy = false;
      this.#timer = setInterval(() => {
        if (busy) return;
        busy = true;
        this.#serial(() => this.#mineBlock(false))
          .catch((error: unknown) => this.#fail('mining', error))
          .finally(() => {
            busy = false;
          });
      }, intervalMs);
    } else if (this.miningMode === 'continuous') {
      this.#loop = this.#mineContinuously();
    }
  }

  async #mineContinuously(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.#serial(() => this.#mineBlock(false));
      } catch (error) {
        this.#fail('mining', error);
        await this.#wait(1000);
      }
      // Devnet blocks are mined in this thread: let RPC requests in between blocks.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** The block that `instant` mode mines for the transactions that arrived in this turn of the event loop. */
  #instantBlock(): Promise<MinedBlock | undefined> {
    this.#instant ??= new Promise((resolve) => setImmediate(resolve))
      .then(() => {
        this.#instant = undefined;
        return this.#serial(() => this.#mineBlock(true));
      })
      .catch((error: unknown) => {
        this.#fail('mining', error);
        return undefined;
      });
    return this.#instant;
  }

  /** Runs mining tasks one after another, so two never build on the same head. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Builds, mines and imports one block on the current head. Its time is max(now, parent time +
   * T), waiting until then rather than running ahead of the clock (BLK-7, BLK-8).
   */
  async #mineBlock(onlyWithTxs: boolean): Promise<MinedBlock | undefined> {
    const miner = this.#minerAddress;
    if (!miner) return undefined;
    while (!this.#stopping) {
      const started = performance.now();
      const parent = this.chain.head();
      const earliest = parent.time + this.chain.genesis.minInterval;
      const now = Date.now();
      if (earliest > now) {
        await this.#wait(earliest - now);
        continue;
      }
      const candidates = this.mempool.candidates();
      if (onlyWithTxs && candidates.length === 0) return undefined;
      const { header, txs } = this.chain.prepareBlock(candidates, miner, now);
      if (onlyWithTxs && txs.length === 0) return undefined;
      let headerBytes: Uint8Array;
      try {
        headerBytes = await this.#miner.mineOnce(header);
      } catch (error) {
        // A new head (or stop) cancelled the search: build again on whatever the head is now.
        if (error instanceof NodeError && error.code === 'NODE_MINING_CANCELLED') continue;
        throw error;
      }
      if (this.#stopping) return undefined;
      const result = this.chain.importBlock(encodeBlock({ header: decodeHeader(headerBytes), txs }));
      if (result.status !== 'head') continue;
      const block = { id: result.id, height: result.height, txs: txs.map((tx) => transactionId(tx)) };
      this.#log({ type: 'block-mined', id: block.id, height: block.height, txs: txs.length, ms: Math.round(performance.now() - started) });
      return block;
    }
    return undefined;
  }

  async #wait(ms: number): Promise<void> {
    try {
      await delay(ms, undefined, { signal: this.#abort.signal });
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }

  #onHead(head: HeadInfo, change: HeadChange): void {
    // A search on the old head is wasted work now.
    this.#miner.cancel();
    try {
      this.mempool.onHead(head, change);
    } catch (error) {
      this.#fail('mempool', error);
    }
    try {
      this.emit('head', head, change);
    } catch (error) {
      this.#fail('listener', error);
    }
  }

  #fail(where: FailureSite, error: unknown): void {
    this.#log({ type: 'error', where, message: messageOf(error), error });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function minerAddressOf(mining: MiningOptions, devAccounts: readonly DevAccount[]): string | undefined {
  const address = mining.miner ?? devAccounts[0]?.address;
  if (address === undefined) {
    if (mining.mode === 'off') return undefined;
    throw new TypeError(`startNode: mining.miner is required for mining mode "${mining.mode}"`);
  }
  const normal = normalizeAddress(address);
  if (normal === STAKE_ADDRESS) throw new TypeError('startNode: mining.miner cannot be the stake address 000');
  return normal;
}

function checkOptions(options: StartNodeOptions): void {
  if (typeof options.dataDir !== 'string' || options.dataDir === '') throw new TypeError('startNode: dataDir must be a path');
  const mining = options.mining;
  if (mining && !['off', 'instant', 'interval', 'continuous'].includes(mining.mode)) {
    throw new TypeError(`startNode: mining.mode must be off, instant, interval or continuous, not "${String(mining.mode)}"`);
  }
  if (mining?.intervalMs !== undefined && (!Number.isSafeInteger(mining.intervalMs) || mining.intervalMs < 1)) {
    throw new RangeError('startNode: mining.intervalMs must be a positive integer');
  }
  if (options.bidder && !options.network) {
    throw new TypeError('startNode: bidder needs network (solver sessions come over the peer-to-peer network)');
  }
  const port = options.rpc === false ? undefined : options.rpc?.port;
  if (port !== undefined && (!Number.isSafeInteger(port) || port < 0 || port > 65535)) {
    throw new RangeError('startNode: rpc.port must be an integer from 0 to 65535');
  }
}

/**
 * Opens (or creates) the chain in `dataDir`, starts the RPC server and the chosen mining mode.
 *
 * @example
 * const { genesis, accounts } = devnetConfig();
 * const node = await startNode({ dataDir: '.zi/devnet', genesis, devAccounts: accounts, mining: { mode: 'instant' }, rpc: { port: 0 } });
 * console.log(node.rpcUrl);
 * await node.stop();
 */
export function startNode(options: StartNodeOptions): Promise<ZiNode> {
  return ZiNode.start(options);
}
