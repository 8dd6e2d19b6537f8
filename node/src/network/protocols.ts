import { MAX_BLOCK_BYTES, MAX_SESSION_MESSAGE_BYTES } from '@zi/spec';

/**
 * The network's names and limits (NET-1 … in the node README). Every id carries the chain id, so
 * nodes of different chains never exchange gossip or requests.
 */
export interface NetworkIds {
  /** gossip of whole blocks (canonical block bytes) */
  blocksTopic: string;
  /** gossip of transactions (canonical transaction bytes) */
  txsTopic: string;
  /** request/response: status, fork point, main-chain block ranges */
  syncProtocol: string;
  /** request/response: bytes by raw CID */
  contentProtocol: string;
  /** a long-lived stream of length-prefixed session messages between a solver and a bidder (SES-1 … SES-7) */
  sessionProtocol: string;
  /** request/response: which node serves the bidder's side of a contract's sessions */
  bidderProtocol: string;
  /** gossip of signed serving announcements: which node serves a bidder's sessions (NET-8) */
  servingTopic: string;
}

/**
 * The topic and protocol ids of a chain.
 *
 * @example
 * networkIds('zi-devnet').blocksTopic; // '/zi/zi-devnet/blocks/1'
 */
export function networkIds(chain: string): NetworkIds {
  if (typeof chain !== 'string' || !/^[a-z0-9][a-z0-9-]{0,31}$/.test(chain)) {
    throw new TypeError('networkIds: chain must be a chain id (TX-1: ^[a-z0-9][a-z0-9-]{0,31}$)');
  }
  return {
    blocksTopic: `/zi/${chain}/blocks/1`,
    txsTopic: `/zi/${chain}/txs/1`,
    syncProtocol: `/zi/${chain}/sync/1`,
    contentProtocol: `/zi/${chain}/content/1`,
    sessionProtocol: `/zi/${chain}/session/1`,
    bidderProtocol: `/zi/${chain}/bidder/1`,
    servingTopic: `/zi/${chain}/serving/1`,
  };
}

/** NET-4: the most blocks one `blocks` request may ask for. */
export const MAX_BLOCKS_PER_REQUEST = 256;
/** NET-4: the most entries of a `locate` request (ten recent heights, then doubling steps back). */
export const MAX_LOCATOR_ENTRIES = 64;
/** NET-3: a sync or content request frame is at most this long. */
export const MAX_REQUEST_BYTES = 8 * 1024;
/** NET-4: a `blocks` response frame is at most this long; a server stops adding blocks before it. */
export const MAX_BLOCKS_RESPONSE_BYTES = 16 * 1024 * 1024 + 64 * 1024;
/** NET-4: what a server packs into one `blocks` response (it always sends at least one block). */
export const BLOCKS_RESPONSE_BUDGET = 16 * 1024 * 1024;
/** NET-3: any other sync response frame (status, located, error) is at most this long. */
export const MAX_SMALL_RESPONSE_BYTES = 8 * 1024;
/** NET-6: the largest content object served or fetched. */
export const MAX_CONTENT_BYTES = 16 * 1024 * 1024;
/** NET-6: a content response frame: the object plus its CBOR wrapping. */
export const MAX_CONTENT_RESPONSE_BYTES = MAX_CONTENT_BYTES + 1024;
/** NET-2: a gossip frame carries one block at most (ENC-4) plus gossipsub's own fields. */
export const MAX_GOSSIP_FRAME_BYTES = MAX_BLOCK_BYTES + 64 * 1024;
/**
 * A session stream holds at most this many unread bytes: two whole frames (SES-6). The session is
 * lock-step (each side answers before the other sends again), so a peer that sends more is at fault.
 */
export const MAX_SESSION_BUFFER_BYTES = 2 * (MAX_SESSION_MESSAGE_BYTES + 16);
/** A `sessionPeers` answer lists at most this many multiaddrs. */
export const MAX_SESSION_PEER_ADDRS = 16;
/** How long one request may take before the requester gives up on the peer. */
export const REQUEST_TIMEOUT_MS = 15_000;
/** NET-8: bidders whose announcement a node keeps (they had an open contract when it came); the stalest go first. */
export const MAX_SERVING_ANNOUNCEMENTS = 10_000;
/** NET-8: announcements kept of bidders with no open contract yet (kept apart, so a flood of new keys evicts none of the others). */
export const MAX_UNPROVEN_ANNOUNCEMENTS = 1_000;
/** NET-8: announcements a bidder's node makes in a burst when asked to (peers subscribing, a contract connecting) … */
export const SERVING_BURST = 4;
/** … and how often it earns one back (ms). */
export const SERVING_REFILL_MS = 15_000;
/** How long a solver looking for a bidder that no peer names waits for its announcement to arrive (ms). */
export const SERVING_WAIT_MS = 10_000;
