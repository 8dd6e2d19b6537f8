import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { SubscriptionChangeData } from '@libp2p/gossipsub';
import type { IdentifyResult, PeerId, PrivateKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { type Block, encodeBlock, encodeTransaction, type ServingAnnouncement, type Transaction } from '@zi/spec';
import type { Chain, HeadInfo } from '../chain/chain.js';
import { ChainQueries } from '../chain/queries.js';
import { NodeError } from '../errors.js';
import type { SessionChannel } from '../market/channel.js';
import type { Mempool } from '../mempool/mempool.js';
import { readContract } from '../state/apply.js';
import { Bootstrap, parseAddresses } from './bootstrap.js';
import { ContentExchange } from './content.js';
import { ContentStore } from './content-store.js';
import { Gossip, type GossipOutcome, type Verdict } from './gossip.js';
import { createHost, type ZiHost } from './host.js';
import { type BidderResponse, bidderRequest, bidderResponse, encodeMessage } from './messages.js';
import { loadPeerKey } from './peer-key.js';
import { PeerFault, PeerPenalties } from './penalties.js';
import { MAX_SESSION_PEER_ADDRS, MAX_SMALL_RESPONSE_BYTES, type NetworkIds, networkIds } from './protocols.js';
import { requestOnce, serve } from './request.js';
import { peerOfAddress, ServingAnnouncer, ServingBook, servingVerdict } from './serving.js';
import { openSessionStream, type SessionHandler, serveSessions } from './session.js';
import { Syncer, type SyncResult } from './sync.js';

export interface NetworkOptions {
  /** multiaddrs to listen on (default `/ip4/127.0.0.1/tcp/0`) */
  listen?: string[];
  /** peers to connect to and stay connected to (multiaddrs ending in `/p2p/<peer id>`) */
  bootstrap?: string[];
}

/** What the network reports as it runs. */
export interface NetworkEvents {
  gossip: [outcome: GossipOutcome];
  synced: [result: SyncResult];
  'peer-connected': [peer: string];
  'peer-disconnected': [peer: string];
  'peer-banned': [ban: { peer: string; reason: string }];
  /** an object was added to the content store (fetched, or the code of a connected publish) */
  content: [cid: string];
  /** a bootstrap peer could not be dialled (it is dialled again, waiting longer each time) */
  'dial-failed': [failure: { address: string; error: unknown }];
  /** a sync stopped because the peer went away or did not answer in time */
  'sync-failed': [failure: { peer: string; error: unknown }];
  /** a valid serving announcement was kept (from gossip, or a peer's answer on the bidder protocol; NET-8) */
  serving: [announcement: ServingAnnouncement];
  /** this node announced that it serves its bidder's sessions (NET-8) */
  announced: [announcement: ServingAnnouncement];
  /** a failure of the node's own; a peer's fault is `peer-banned` instead */
  error: [failure: { where: 'gossip' | 'sync' | 'content' | 'session' | 'serving' | 'listener'; error: unknown }];
}

/** What the network needs of the node it serves. */
export interface NetworkNode {
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly dataDir: string;
  /** true when this node's own bidder serves the sessions of the contract (`ZiNode.servesSessions`); never when absent */
  servesSessions?(contractId: string): boolean;
  on(event: 'head', listener: (head: HeadInfo, change: { connected: Block[]; disconnected: Block[] }) => void): unknown;
  on(event: 'tx', listener: (tx: Transaction) => void): unknown;
  off(event: 'head', listener: (head: HeadInfo, change: { connected: Block[]; disconnected: Block[] }) => void): unknown;
  off(event: 'tx', listener: (tx: Transaction) => void): unknown;
}

/** At most this many blocks of one head change are published (a long reorg's peers sync instead). */
const MAX_PUBLISHED_PER_HEAD = 8;

/** Options of {@link ZiNetwork.findSessionPeers}. */
export interface FindSessionPeersOptions {
  /**
   * When no peer names the bidder, wait up to this long (ms) for its serving announcement to
   * arrive by gossip (NET-8; default 0: do not wait). `SERVING_WAIT_MS` is the solver agent's.
   */
  waitMs?: number;
}

/**
 * A node's peer-to-peer network: block and transaction gossip (NET-2), chain sync (NET-3 …
 * NET-5), content exchange (NET-6), peer penalties (NET-7) and serving announcements (NET-8)
 * over one libp2p host. Start it with {@link startNetwork} (or `startNode({ network: {} })`).
 */
export class ZiNetwork extends EventEmitter<NetworkEvents> {
  readonly host: ZiHost;
  readonly ids: NetworkIds;
  /** `<dataDir>/content`: what this node serves by CID */
  readonly content: ContentStore;
  readonly #node: NetworkNode;
  readonly #penalties: PeerPenalties;
  readonly #gossip: Gossip;
  readonly #syncer: Syncer;
  readonly #exchange: ContentExchange;
  readonly #bootstrap: Bootstrap;
  /** NET-8: the latest valid serving announcement of each bidder */
  readonly #book = new ServingBook();
  readonly #queries: ChainQueries;
  /** the 32-byte Ed25519 seed of the node's libp2p key: it signs the node's serving announcements */
  readonly #peerSeed: Uint8Array;
  #announcer: ServingAnnouncer | undefined;
  /** bidders with an open contract without a validator, at head `head` (rebuilt when the head moves) */
  #openBidders: { head: string; bidders: Set<string> } | undefined;
  #syncImporting = false;
  #stopped: Promise<void> | undefined;

  private constructor(node: NetworkNode, host: ZiHost, penalties: PeerPenalties, privateKey: PrivateKey, options: NetworkOptions) {
    super();
    this.#node = node;
    this.host = host;
    this.#queries = new ChainQueries(node.chain);
    // loadPeerKey gives Ed25519 keys only; libp2p keeps them as seed ‖ public key.
    this.#peerSeed = privateKey.raw.slice(0, 32);
    this.#penalties = penalties;
    this.ids = networkIds(node.chain.genesis.chain);
    this.content = new ContentStore(join(node.dataDir, 'content'));
    const onFault = (fault: PeerFault) => this.#penalties.ban(fault.peer, fault.message);
    this.#gossip = new Gossip({
      host,
      ids: this.ids,
      chain: node.chain,
      mempool: node.mempool,
      serving: (bytes) => this.#servingVerdict(bytes),
      onOutcome: (outcome) => this.#onGossip(outcome),
      onError: (error) => this.#report('gossip', error),
    });
    this.#syncer = new Syncer({
      host,
      ids: this.ids,
      chain: node.chain,
      importing: (active) => {
        this.#syncImporting = active;
      },
      onFault,
      onResult: (result) => this.#synced(result),
      onError: (error, peer) => this.#emitSafely('sync-failed', { peer, error }),
    });
    this.#exchange = new ContentExchange({
      host,
      ids: this.ids,
      store: this.content,
      onFault,
      onError: (error) => this.#report('content', error),
      onStored: (cid) => this.#emitSafely('content', cid),
    });
    this.#bootstrap = new Bootstrap({
      host,
      addresses: options.bootstrap ?? [],
      onError: (error, address) => this.#emitSafely('dial-failed', { address, error }),
    });
  }

  /** @internal use {@link startNetwork} */
  static async start(node: NetworkNode, options: NetworkOptions = {}): Promise<ZiNetwork> {
    parseAddresses(options.listen ?? [], 'network.listen');
    parseAddresses(options.bootstrap ?? [], 'network.bootstrap');
    const privateKey = await loadPeerKey(node.dataDir);
    let network: ZiNetwork | undefined;
    const penalties = new PeerPenalties((peer, reason) => {
      if (network) network.#banned(peer, reason);
    });
    const ids = networkIds(node.chain.genesis.chain);
    const host = await createHost({
      privateKey,
      ...(options.listen ? { listen: options.listen } : {}),
      topics: [ids.blocksTopic, ids.txsTopic, ids.servingTopic],
      connectionGater: penalties.gater(),
    });
    network = new ZiNetwork(node, host, penalties, privateKey, options);
    try {
      await network.#start();
    } catch (error) {
      await network.stop();
      throw error;
    }
    return network;
  }

  async #start(): Promise<void> {
    await this.#syncer.start();
    await this.#exchange.start();
    await serve(this.host, {
      protocol: this.ids.bidderProtocol,
      request: bidderRequest,
      answer: ({ contract }) => encodeMessage(bidderResponse, this.#bidderAnswer(contract)),
      onFault: (fault) => this.#penalties.ban(fault.peer, fault.message),
      onError: (error) => this.#report('session', error),
    });
    this.host.addEventListener('peer:identify', this.#onIdentify);
    this.host.addEventListener('peer:connect', this.#onConnect);
    this.host.addEventListener('peer:disconnect', this.#onDisconnect);
    this.host.services.pubsub.addEventListener('subscription-change', this.#onSubscriptionChange);
    this.#node.on('head', this.#onHead);
    this.#node.on('tx', this.#onTx);
    await this.host.start();
    this.#gossip.start();
    this.#bootstrap.start();
  }

  /** This node's peer id (`12D3KooW…`), the same across restarts (`<dataDir>/peer-key`). */
  get peerId(): string {
    return this.host.peerId.toString();
  }

  /** The multiaddrs other nodes can dial, each ending in `/p2p/<peer id>`. */
  addresses(): string[] {
    return this.host.getMultiaddrs().map((address) => address.toString());
  }

  /** Peer ids of the connected peers. */
  peers(): string[] {
    return this.host.getPeers().map((peer) => peer.toString());
  }

  /** Connects to a peer by multiaddr and returns its peer id. */
  async connect(address: string | Multiaddr, signal?: AbortSignal): Promise<string> {
    const target = typeof address === 'string' ? multiaddr(address) : address;
    const connection = await this.host.dial(target, signal ? { signal } : {});
    return connection.remotePeer.toString();
  }

  /**
   * Syncs with a connected peer (done by itself on every new connection and on every orphan
   * block); resolves when the syncs waiting have run. Results come as `synced` events.
   */
  sync(peer: PeerId | string): Promise<void> {
    return this.#syncer.schedule(typeof peer === 'string' ? peerIdFromString(peer) : peer);
  }

  /**
   * The bytes of a raw CID: from `<dataDir>/content`, else fetched from `peers` (default: every
   * connected peer) in turn and checked against the CID (ENC-2).
   *
   * @throws NodeError NODE_CONTENT_NOT_FOUND, NODE_CONTENT_MISMATCH
   */
  fetchContent(cid: string, peers?: readonly (PeerId | string)[], signal?: AbortSignal): Promise<Uint8Array> {
    return this.#exchange.fetch(cid, peers, signal);
  }

  /**
   * Opens a solver session with a bidder's node (`/zi/<chain>/session/1`), given its peer id (of a
   * connected peer) or a multiaddr ending in `/p2p/<peer id>`; when a serving announcement names
   * more addresses of that peer (NET-8), they are dialled too and the first that answers is used.
   * Run a `SolverSession` on the channel.
   *
   * @throws Error when the peer cannot be reached, does not serve sessions, or does not answer in 15 s
   */
  async openSession(target: string | Multiaddr, signal?: AbortSignal): Promise<SessionChannel> {
    const address = typeof target !== 'string' ? target : target.startsWith('/') ? this.#dialTarget(target) : peerIdFromString(target);
    const connection = await this.host.dial(address, signal ? { signal } : {});
    return openSessionStream(connection, this.ids.sessionProtocol, {
      onFault: (fault) => this.#penalties.ban(fault.peer, fault.message),
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * The multiaddrs of the node serving the bidder's side of `contract`'s sessions: from this node's
   * fresh serving announcements (NET-8) first; else it asks `peers` (default: every connected peer)
   * in turn (`/zi/<chain>/bidder/1`) and returns the first answer that names any — a peer's own
   * multiaddrs (only addresses of the peer that answered are kept), or a serving announcement it
   * holds, checked here as if gossiped (a peer answering with an invalid one is banned); else,
   * with `waitMs`, the addresses of the bidder's announcement when one arrives in time. `[]` when
   * none does. A peer that does not speak the protocol or does not answer is skipped. An
   * announcement naming this node itself is never an answer.
   */
  async findSessionPeers(
    contract: string,
    peers?: readonly (PeerId | string)[],
    signal?: AbortSignal,
    options: FindSessionPeersOptions = {},
  ): Promise<string[]> {
    const announced = this.announcedSessionPeers(contract);
    if (announced.length > 0) return announced;
    const candidates = (peers ?? this.host.getPeers()).map((peer) => (typeof peer === 'string' ? peerIdFromString(peer) : peer));
    for (const peer of candidates) {
      if (signal?.aborted) break;
      let response: BidderResponse;
      try {
        response = await requestOnce(
          this.host,
          peer,
          { type: 'sessionPeers', contract },
          {
            protocol: this.ids.bidderProtocol,
            request: bidderRequest,
            response: bidderResponse,
            maxResponseBytes: MAX_SMALL_RESPONSE_BYTES,
            ...(signal ? { signal } : {}),
          },
        );
      } catch (error) {
        if (error instanceof PeerFault) this.#penalties.ban(error.peer, error.message);
        continue;
      }
      if (response.type === 'announced') {
        // NET-8: the peer only relays; the announcement must stand on its own signatures.
        const verdict = this.#servingVerdict(response.announcement);
        if (verdict.error !== undefined) this.#report('serving', verdict.error);
        if (verdict.verdict === 'reject') {
          this.#penalties.ban(peer.toString(), `answered with a serving announcement that breaks ${verdict.rule ?? 'NET-8'}`);
          continue;
        }
        const addrs = this.announcedSessionPeers(contract);
        if (addrs.length > 0) return addrs;
        continue;
      }
      const own = response.addrs.filter((address) => {
        try {
          return multiaddr(address).toString().endsWith(`/p2p/${peer.toString()}`);
        } catch {
          return false;
        }
      });
      if (own.length > 0) return own;
    }
    const { waitMs = 0 } = options;
    if (waitMs > 0 && !signal?.aborted) return this.#awaitAnnouncement(contract, waitMs, signal);
    return [];
  }

  /**
   * The addresses a fresh serving announcement (NET-8) gives for the node serving `contract`'s
   * bidder, when the contract is open without a validator in the head state; `[]` otherwise, and
   * when the announcement names this node itself.
   */
  announcedSessionPeers(contract: string): string[] {
    const held = this.#announcementFor(contract);
    return held ? [...held.announcement.addrs] : [];
  }

  /**
   * NET-8: announces, signed by `bidderSecretKey` and this node's libp2p key, that this node serves
   * that bidder's sessions — now when a peer listens, whenever a peer subscribes to the serving
   * topic or a contract of the bidder connects (paced), and every 5 minutes — until the network stops.
   *
   * @throws TypeError when this node already announces a bidder
   */
  announceServing(bidderSecretKey: Uint8Array): void {
    if (this.#announcer) throw new TypeError('announceServing: this node already announces a bidder');
    const topic = this.ids.servingTopic;
    this.#announcer = new ServingAnnouncer({
      chain: this.#node.chain.genesis.chain,
      bidderSecretKey,
      peerSecretKey: this.#peerSeed,
      peer: this.peerId,
      addresses: () => this.addresses(),
      heard: () => this.host.services.pubsub.getSubscribers(topic).length > 0,
      publish: (bytes, announcement) => {
        this.#gossip.publishServing(bytes);
        this.#emitSafely('announced', announcement);
      },
      onError: (error) => this.#report('serving', error),
    });
    this.#announcer.start();
  }

  /**
   * Serves sessions that peers open (the bidder's side): `handler` gets each one's channel and the
   * peer id, and owns the channel from then on (a `BidderService.handle`, typically). Until this is
   * called the node does not speak the session protocol. Returns a function that stops serving.
   */
  async onSession(handler: SessionHandler): Promise<() => Promise<void>> {
    const protocol = this.ids.sessionProtocol;
    await serveSessions(this.host, protocol, {
      handler: (channel, peer) => {
        try {
          handler(channel, peer);
        } catch (error) {
          channel.close();
          this.#report('session', error);
        }
      },
      onFault: (fault) => this.#penalties.ban(fault.peer, fault.message),
      onError: (error) => this.#report('session', error),
    });
    return () => this.host.unhandle(protocol);
  }

  /** True while `peer` is banned (NET-7). */
  isBanned(peer: string): boolean {
    return this.#penalties.isBanned(peer);
  }

  /** Stops gossip, sync, bootstrap dials and the libp2p host. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#node.off('head', this.#onHead);
      this.#node.off('tx', this.#onTx);
      this.host.removeEventListener('peer:identify', this.#onIdentify);
      this.host.removeEventListener('peer:connect', this.#onConnect);
      this.host.removeEventListener('peer:disconnect', this.#onDisconnect);
      this.host.services.pubsub.removeEventListener('subscription-change', this.#onSubscriptionChange);
      this.#announcer?.stop();
      this.#peerSeed.fill(0);
      this.#bootstrap.stop();
      this.#gossip.stop();
      await this.#syncer.stop();
      await this.host.stop();
    })();
    return this.#stopped;
  }

  readonly #onHead = (_head: HeadInfo, change: { connected: Block[] }): void => {
    this.#keepCode(change.connected);
    this.#pokeOnPublish(change.connected);
    // Blocks that sync brings in are already known to the peer they came from; the new head is
    // published once that sync ends.
    if (this.#syncImporting) return;
    for (const block of change.connected.slice(-MAX_PUBLISHED_PER_HEAD)) this.#gossip.publishBlock(encodeBlock(block));
  };

  readonly #onTx = (tx: Transaction): void => {
    this.#gossip.publishTx(encodeTransaction(tx));
  };

  readonly #onIdentify = (event: CustomEvent<IdentifyResult>): void => {
    if (event.detail.protocols.includes(this.ids.syncProtocol)) this.#schedule(event.detail.peerId);
  };

  /** NET-8: a peer that starts listening to serving announcements hears the bidder's soon. */
  readonly #onSubscriptionChange = (event: CustomEvent<SubscriptionChangeData>): void => {
    if (event.detail.subscriptions.some((s) => s.topic === this.ids.servingTopic && s.subscribe)) this.#announcer?.poke();
  };

  readonly #onConnect = (event: CustomEvent<PeerId>): void => {
    this.#emitSafely('peer-connected', event.detail.toString());
  };

  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    this.#emitSafely('peer-disconnected', event.detail.toString());
  };

  #schedule(peer: PeerId): void {
    this.#syncer.schedule(peer).catch((error: unknown) => this.#report('sync', error));
  }

  #synced(result: SyncResult): void {
    // NET-3: a peer of another genesis has nothing for this node (and this node nothing for it).
    if (result.outcome === 'other-genesis') this.#hangUp(result.peer);
    if (result.imported > 0) {
      const head = this.#node.chain.head();
      const bytes = this.#node.chain.blockBytes(head.id);
      if (bytes) this.#gossip.publishBlock(bytes);
    }
    this.#emitSafely('synced', result);
  }

  #onGossip(outcome: GossipOutcome): void {
    if (outcome.verdict === 'reject') {
      const reason = `${outcome.topic} gossip broke ${outcome.rule ?? 'a rule'}`;
      if (outcome.malformed) this.#penalties.ban(outcome.peer, reason);
      else this.#penalties.strike(outcome.peer, reason);
    }
    if (outcome.error !== undefined) this.#report('gossip', outcome.error);
    // BLK-13: a block whose parent is unknown means the peer is ahead of us.
    if (outcome.status === 'orphan') {
      const peer = this.host.getPeers().find((p) => p.toString() === outcome.peer);
      if (peer) this.#schedule(peer);
    }
    this.#emitSafely('gossip', outcome);
  }

  /** Keeps the inline code of connected publish transactions (PUB-2), so this node can serve it. */
  #keepCode(blocks: readonly Block[]): void {
    for (const block of blocks) {
      for (const tx of block.txs) {
        if (tx.type === 'publish' && tx.code !== undefined) {
          this.content.put(tx.code).then(
            (cid) => this.#emitSafely('content', cid),
            (error: unknown) => this.#report('content', error),
          );
        }
      }
    }
  }

  /**
   * What this node answers on `/zi/<chain>/bidder/1`: its own addresses when it serves `contract`,
   * else the fresh announcement it holds of the contract's bidder (NET-8), else none.
   */
  #bidderAnswer(contract: string): BidderResponse {
    let serves = false;
    try {
      serves = this.#node.servesSessions?.(contract) ?? false;
    } catch (error) {
      // An unknown contract is not served here; anything else is our own failure.
      if (!(error instanceof NodeError)) this.#report('session', error);
    }
    if (serves) return { type: 'sessionPeers', addrs: this.addresses().slice(0, MAX_SESSION_PEER_ADDRS) };
    const held = this.#announcementFor(contract);
    return held ? { type: 'announced', announcement: held.bytes } : { type: 'sessionPeers', addrs: [] };
  }

  /** The fresh announcement of `contract`'s bidder, when the contract is open without a validator (not this node's own). */
  #announcementFor(contract: string): ReturnType<ServingBook['fresh']> {
    const entry = readContract(this.#node.chain.state, contract);
    if (entry?.status !== 'open' || entry.validator !== undefined) return undefined;
    const held = this.#book.fresh(entry.bidder);
    return held && held.announcement.peer !== this.peerId ? held : undefined;
  }

  /**
   * NET-8 on bytes from gossip or a peer's answer: the verdict, and a `serving` event when kept. A
   * failure of our own while checking is an `ignore` carrying the error (never the peer's fault).
   */
  #servingVerdict(bytes: Uint8Array): Verdict {
    let verdict: ReturnType<typeof servingVerdict>;
    try {
      verdict = servingVerdict(
        {
          chain: this.#node.chain.genesis.chain,
          book: this.#book,
          now: Date.now(),
          hasOpenContract: (bidder) => this.#openBiddersNow().has(bidder),
        },
        bytes,
      );
    } catch (error) {
      return { verdict: 'ignore', error };
    }
    const { announcement } = verdict;
    if (verdict.stored && announcement) this.#emitSafely('serving', announcement);
    return {
      verdict: verdict.verdict,
      ...(announcement ? { id: announcement.bidder } : {}),
      ...(verdict.rule === undefined ? {} : { rule: verdict.rule }),
      ...(verdict.reason === undefined ? {} : { reason: verdict.reason }),
      ...(verdict.malformed ? { malformed: true } : {}),
    };
  }

  /** Bidders with an open contract and no validator in the head state, computed once per head. */
  #openBiddersNow(): Set<string> {
    const head = this.#node.chain.head().id;
    if (this.#openBidders?.head !== head) {
      const bidders = new Set<string>();
      for (const { entry } of this.#queries.contracts()) {
        if (entry.status === 'open' && entry.validator === undefined) bidders.add(entry.bidder);
      }
      this.#openBidders = { head, bidders };
    }
    return this.#openBidders.bidders;
  }

  /** A contract of the announced bidder connected: its solvers may look for it now. */
  #pokeOnPublish(blocks: readonly Block[]): void {
    const announcer = this.#announcer;
    if (!announcer) return;
    const published = blocks.some((block) => block.txs.some((tx) => tx.type === 'publish' && tx.from === announcer.bidder));
    if (published) announcer.poke();
  }

  /** A multiaddr, with the other addresses a fresh announcement gives for its peer (NET-8). */
  #dialTarget(address: string): Multiaddr | Multiaddr[] {
    const target = multiaddr(address);
    const peer = peerOfAddress(target);
    if (peer === undefined) return target;
    const others = this.#book.addressesOf(peer).filter((other) => other !== target.toString());
    return others.length > 0 ? [target, ...others.map((other) => multiaddr(other))] : target;
  }

  /** Resolves with the addresses of `contract`'s bidder once its announcement arrives, `[]` after `waitMs` or on abort. */
  #awaitAnnouncement(contract: string, waitMs: number, signal?: AbortSignal): Promise<string[]> {
    const bidder = readContract(this.#node.chain.state, contract)?.bidder;
    if (bidder === undefined) return Promise.resolve([]);
    return new Promise((resolve) => {
      const finish = (addrs: string[]): void => {
        clearTimeout(timer);
        this.off('serving', onServing);
        signal?.removeEventListener('abort', onAbort);
        resolve(addrs);
      };
      const onServing = (announcement: ServingAnnouncement): void => {
        if (announcement.bidder !== bidder) return;
        const addrs = this.announcedSessionPeers(contract);
        if (addrs.length > 0) finish(addrs);
      };
      const onAbort = (): void => finish([]);
      const timer = setTimeout(() => finish([]), waitMs);
      this.on('serving', onServing);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #banned(peer: string, reason: string): void {
    this.#hangUp(peer);
    this.#emitSafely('peer-banned', { peer, reason });
  }

  #hangUp(peer: string): void {
    const target = this.host.getPeers().find((p) => p.toString() === peer);
    // A hang-up fails only when the connection is already gone, which is what was wanted.
    if (target) this.host.hangUp(target).catch(() => undefined);
  }

  #report(where: NetworkEvents['error'][0]['where'], error: unknown): void {
    this.#emitSafely('error', { where, error });
  }

  /** Listeners are the caller's code: their failures must not reach libp2p's event loop. */
  #emitSafely<E extends keyof NetworkEvents>(event: E, ...args: NetworkEvents[E]): void {
    if (event === 'error' && this.listenerCount('error') === 0) return;
    try {
      (this.emit as (event: E, ...args: NetworkEvents[E]) => boolean)(event, ...args);
    } catch (error) {
      if (event !== 'error') this.#report('listener', error);
    }
  }
}

/**
 * Starts the network of a node: loads (or makes) its peer key, listens, subscribes to block and
 * transaction gossip, serves sync and content requests, and dials the bootstrap peers.
 *
 * @example
 * const network = await startNetwork(node, { bootstrap: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…'] });
 * network.addresses(); // ['/ip4/127.0.0.1/tcp/40123/p2p/12D3KooW…']
 */
export function startNetwork(node: NetworkNode, options: NetworkOptions = {}): Promise<ZiNetwork> {
  return ZiNetwork.start(node, options);
}
