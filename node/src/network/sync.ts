import type { PeerId } from '@libp2p/interface';
import type { Chain } from '../chain/chain.js';
import { RuleError } from '../state/rule-error.js';
import type { ZiHost } from './host.js';
import { encodeMessage, type SyncRequest, type SyncResponse, syncRequest, syncResponse } from './messages.js';
import { PeerFault } from './penalties.js';
import {
  BLOCKS_RESPONSE_BUDGET,
  MAX_BLOCKS_PER_REQUEST,
  MAX_BLOCKS_RESPONSE_BYTES,
  MAX_LOCATOR_ENTRIES,
  MAX_SMALL_RESPONSE_BYTES,
  type NetworkIds,
} from './protocols.js';
import { requestOnce, serve } from './request.js';

/** What one sync with a peer did. */
export interface SyncResult {
  peer: string;
  /** blocks imported that were new to the chain */
  imported: number;
  /** the head height afterwards */
  height: number;
  /** why it stopped when it did not catch up: the peer had no more work, or was on another genesis */
  outcome: 'caught-up' | 'not-ahead' | 'other-genesis' | 'stalled';
}

/**
 * NET-5: the block locator of a main chain: the ten highest heights one by one, then steps that
 * double, down to the genesis, at most `MAX_LOCATOR_ENTRIES` entries, highest first.
 */
export function locatorHeights(head: number): number[] {
  const heights: number[] = [];
  let step = 1;
  for (let height = head; height > 0 && heights.length < MAX_LOCATOR_ENTRIES - 1; height -= step) {
    heights.push(height);
    if (heights.length >= 10) step *= 2;
  }
  heights.push(0);
  return heights;
}

/**
 * The answer to a sync request, from the main chain (NET-4). `blocks` sends the main-chain
 * blocks from `from` on, at most `count`, stopping before the response would pass
 * `BLOCKS_RESPONSE_BUDGET` (but always with at least one block when there is one).
 */
export function answerSync(chain: Chain, request: SyncRequest): SyncResponse {
  switch (request.type) {
    case 'status': {
      const head = chain.head();
      return { type: 'status', genesis: chain.genesisId, head: head.id, height: head.height, work: head.work.toString() };
    }
    case 'locate': {
      for (const { height, id } of request.locator) if (chain.idAt(height) === id) return { type: 'located', height };
      return { type: 'error', code: 'NO_COMMON_BLOCK', message: 'no block of the locator is on this main chain' };
    }
    case 'blocks': {
      const blocks: Uint8Array[] = [];
      let size = 0;
      for (let height = request.from; height < request.from + request.count; height++) {
        const id = chain.idAt(height);
        const bytes = id === undefined ? undefined : chain.blockBytes(id);
        if (bytes === undefined) break;
        if (blocks.length > 0 && size + bytes.length > BLOCKS_RESPONSE_BUDGET) break;
        blocks.push(bytes);
        size += bytes.length;
      }
      return { type: 'blocks', blocks };
    }
  }
}

export interface SyncOptions {
  host: ZiHost;
  ids: NetworkIds;
  chain: Chain;
  /** called around each import of a synced block, so its head event is known to come from sync */
  importing(active: boolean): void;
  onFault(fault: PeerFault): void;
  onResult(result: SyncResult): void;
  /** a sync that stopped for another reason than a fault of the peer (it went away, a timeout) */
  onError(error: unknown, peer: string): void;
}

/** How many times a sync starts over from the fork point when the peer's chain moves under it. */
const MAX_ROUNDS = 3;

/**
 * Chain sync (NET-3 … NET-5): serves status, locate and block-range requests from the chain, and
 * catches up with peers that have more work. Syncs run one at a time; asking again for a peer
 * already waiting is a no-op.
 */
export class Syncer {
  readonly #options: SyncOptions;
  readonly #waiting = new Map<string, PeerId>();
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: SyncOptions) {
    this.#options = options;
  }

  /** Registers the protocol handler. */
  async start(): Promise<void> {
    const { host, ids, chain } = this.#options;
    await serve(host, {
      protocol: ids.syncProtocol,
      request: syncRequest,
      answer: (request) => encodeMessage(syncResponse, answerSync(chain, request)),
      onFault: (fault) => this.#options.onFault(fault),
      onError: (error) => this.#options.onError(error, 'server'),
    });
  }

  /** Stops scheduling, aborts the sync in flight and waits for it to end. */
  async stop(): Promise<void> {
    this.#waiting.clear();
    this.#abort.abort();
    await this.#running;
  }

  /** Syncs with `peer` soon (after the syncs already waiting). Resolves when the queue has run. */
  schedule(peer: PeerId): Promise<void> {
    if (this.#abort.signal.aborted) return Promise.resolve();
    this.#waiting.set(peer.toString(), peer);
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#waiting.size > 0 && !this.#abort.signal.aborted) {
      const [key, peer] = this.#waiting.entries().next().value as [string, PeerId];
      this.#waiting.delete(key);
      try {
        this.#options.onResult(await this.syncWith(peer));
      } catch (error) {
        if (error instanceof PeerFault) this.#options.onFault(error);
        else if (!this.#abort.signal.aborted) this.#options.onError(error, key);
      }
    }
  }

  /**
   * Catches up with one peer: asks its status; if it claims more work, finds the highest block
   * both main chains share (a locator, NET-5) and imports the peer's main chain from there, up to
   * 256 blocks a request, until the peer has no more.
   *
   * @throws PeerFault when the peer answers out of protocol or serves an invalid block
   */
  async syncWith(peer: PeerId): Promise<SyncResult> {
    const { chain } = this.#options;
    const name = peer.toString();
    const result = (imported: number, outcome: SyncResult['outcome']): SyncResult => ({
      peer: name,
      imported,
      height: chain.head().height,
      outcome,
    });
    const status = await this.#request(peer, { type: 'status' }, MAX_SMALL_RESPONSE_BYTES);
    if (status.type !== 'status') throw new PeerFault(name, `answered status with ${status.type}`);
    if (status.genesis !== chain.genesisId) return result(0, 'other-genesis');
    let imported = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (BigInt(status.work) <= chain.head().work || chain.blockBytes(status.head) !== undefined) {
        return result(imported, imported > 0 ? 'caught-up' : 'not-ahead');
      }
      const fork = await this.#forkPoint(peer);
      const progress = await this.#importFrom(peer, fork + 1);
      imported += progress.imported;
      if (progress.complete) return result(imported, 'caught-up');
    }
    return result(imported, 'stalled');
  }

  /** NET-5: the height of the highest locator block on the peer's main chain. */
  async #forkPoint(peer: PeerId): Promise<number> {
    const { chain } = this.#options;
    const locator = locatorHeights(chain.head().height).map((height) => ({ height, id: chain.idAt(height) as string }));
    const answer = await this.#request(peer, { type: 'locate', locator }, MAX_SMALL_RESPONSE_BYTES);
    if (answer.type !== 'located' || !locator.some((entry) => entry.height === answer.height)) {
      throw new PeerFault(peer.toString(), 'answered a locator with no height of it (both chains share the genesis)');
    }
    return answer.height;
  }

  /**
   * Imports the peer's main chain from `from` until it sends no more blocks. Stops early
   * (`complete: false`) when a block does not follow the previous one, as happens when the
   * peer's main chain changed between two requests.
   */
  async #importFrom(peer: PeerId, from: number): Promise<{ imported: number; complete: boolean }> {
    let imported = 0;
    let height = from;
    for (;;) {
      const answer = await this.#request(peer, { type: 'blocks', from: height, count: MAX_BLOCKS_PER_REQUEST }, MAX_BLOCKS_RESPONSE_BYTES);
      if (answer.type !== 'blocks') throw new PeerFault(peer.toString(), `answered a blocks request with ${answer.type}`);
      if (answer.blocks.length === 0) return { imported, complete: true };
      for (const bytes of answer.blocks) {
        const status = this.#import(peer, bytes, height);
        if (status === 'orphan' || status === 'future') return { imported, complete: false };
        if (status === 'head' || status === 'side') imported++;
        height++;
      }
    }
  }

  #import(peer: PeerId, bytes: Uint8Array, height: number): string {
    if (this.#abort.signal.aborted) throw this.#abort.signal.reason;
    let outcome: { status: string; height: number };
    this.#options.importing(true);
    try {
      outcome = this.#options.chain.importBlock(bytes);
    } catch (error) {
      if (error instanceof RuleError) throw new PeerFault(peer.toString(), `served an invalid block at height ${height}: ${error.message}`);
      throw error;
    } finally {
      this.#options.importing(false);
    }
    if (outcome.height !== height) throw new PeerFault(peer.toString(), `served a block of height ${outcome.height} for height ${height}`);
    return outcome.status;
  }

  #request(peer: PeerId, message: SyncRequest, maxResponseBytes: number): Promise<SyncResponse> {
    const { host, ids } = this.#options;
    return requestOnce(host, peer, message, {
      protocol: ids.syncProtocol,
      request: syncRequest,
      response: syncResponse,
      maxResponseBytes,
      signal: this.#abort.signal,
    });
  }
}
