import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { isCidOfBytes } from '@zi/spec';
import { NodeError } from '../errors.js';
import type { ContentStore } from './content-store.js';
import { isRawCid } from './content-store.js';
import type { ZiHost } from './host.js';
import { type ContentResponse, contentRequest, contentResponse, encodeMessage } from './messages.js';
import { PeerFault } from './penalties.js';
import { MAX_CONTENT_BYTES, MAX_CONTENT_RESPONSE_BYTES, type NetworkIds } from './protocols.js';
import { requestOnce, serve } from './request.js';

export interface ContentExchangeOptions {
  host: ZiHost;
  ids: NetworkIds;
  store: ContentStore;
  onFault(fault: PeerFault): void;
  onError(error: unknown): void;
  /** an object fetched from a peer was stored */
  onStored(cid: string): void;
}

/**
 * Content exchange (NET-6): serves the local content store on `/zi/<chain>/content/1` and fetches
 * objects by raw CID from peers, keeping only bytes that hash to the CID asked for (ENC-2).
 */
export class ContentExchange {
  readonly #options: ContentExchangeOptions;

  constructor(options: ContentExchangeOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const { host, ids, store } = this.#options;
    await serve(host, {
      protocol: ids.contentProtocol,
      request: contentRequest,
      answer: async ({ cid }) => {
        const bytes = await store.get(cid, MAX_CONTENT_BYTES);
        const response: ContentResponse = bytes ? { type: 'content', bytes } : { type: 'missing' };
        return encodeMessage(contentResponse, response);
      },
      onFault: (fault) => this.#options.onFault(fault),
      onError: (error) => this.#options.onError(error),
    });
  }

  /**
   * The bytes of `cid`: from the local store, else from `peers` (default: every connected peer)
   * in turn. What a peer sends is checked against the CID (ENC-2) and stored; a peer that sends
   * other bytes is banned (NET-7) and the next one is asked.
   *
   * @throws TypeError when `cid` is not a raw CID
   * @throws NodeError NODE_CONTENT_MISMATCH when the only answers did not match the CID,
   *   NODE_CONTENT_NOT_FOUND when no peer had it
   */
  async fetch(cid: string, peers?: readonly (PeerId | string)[], signal?: AbortSignal): Promise<Uint8Array> {
    if (!isRawCid(cid)) throw new TypeError(`fetchContent: "${String(cid).slice(0, 80)}" is not a raw CID (bafkrei…)`);
    const { host, ids, store } = this.#options;
    const local = await store.get(cid);
    if (local) return local;
    const candidates = (peers ?? host.getPeers()).map((peer) => (typeof peer === 'string' ? peerIdFromString(peer) : peer));
    let mismatches = 0;
    const failures: string[] = [];
    for (const peer of candidates) {
      let response: ContentResponse;
      try {
        response = await requestOnce(
          host,
          peer,
          { type: 'get', cid },
          {
            protocol: ids.contentProtocol,
            request: contentRequest,
            response: contentResponse,
            maxResponseBytes: MAX_CONTENT_RESPONSE_BYTES,
            ...(signal ? { signal } : {}),
          },
        );
      } catch (error) {
        if (error instanceof PeerFault) this.#options.onFault(error);
        if (signal?.aborted) throw error;
        failures.push(`${peer}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (response.type === 'missing') continue;
      // ENC-2: bytes fetched by CID are used only if they hash to it.
      if (!isCidOfBytes(cid, response.bytes)) {
        mismatches++;
        this.#options.onFault(new PeerFault(peer.toString(), `sent bytes that are not ${cid}`));
        continue;
      }
      await store.put(response.bytes);
      this.#options.onStored(cid);
      return response.bytes;
    }
    if (mismatches > 0) {
      throw new NodeError(
        'NODE_CONTENT_MISMATCH',
        `${mismatches} peer(s) sent bytes for ${cid} that do not hash to it; they were refused`,
        'ask other peers: those have been disconnected',
      );
    }
    throw new NodeError(
      'NODE_CONTENT_NOT_FOUND',
      `none of ${candidates.length} peer(s) had ${cid}${failures.length > 0 ? ` (${failures.join('; ')})` : ''}`,
      'connect to a peer that has it (the publisher, or a node that saw its publish transaction)',
    );
  }
}
