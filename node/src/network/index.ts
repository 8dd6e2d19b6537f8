// Before anything from libp2p: Node 20 lacks Promise.withResolvers, which libp2p calls.
import './polyfill.js';

export { ContentExchange } from './content.js';
export { ContentStore, isRawCid } from './content-store.js';
export { blockVerdict, Gossip, type GossipOutcome, type GossipVerdict, txVerdict, type Verdict } from './gossip.js';
export { createHost, DEFAULT_LISTEN, type HostOptions, type ZiHost } from './host.js';
export {
  type ContentRequest,
  type ContentResponse,
  contentRequest,
  contentResponse,
  decodeMessage,
  encodeMessage,
  type SyncRequest,
  type SyncResponse,
  syncRequest,
  syncResponse,
} from './messages.js';
export {
  type FindSessionPeersOptions,
  type NetworkEvents,
  type NetworkNode,
  type NetworkOptions,
  startNetwork,
  ZiNetwork,
} from './network.js';
export { loadPeerKey, PEER_KEY_FILE } from './peer-key.js';
export { PeerFault, PeerPenalties } from './penalties.js';
export * from './protocols.js';
export {
  announceableAddresses,
  type HeldAnnouncement,
  isFresh,
  peerOfAddress,
  ServingAnnouncer,
  type ServingAnnouncerOptions,
  ServingBook,
  type ServingBookOptions,
  type ServingContext,
  type ServingVerdict,
  servingVerdict,
} from './serving.js';
export { openSessionStream, type SessionHandler, type StreamChannelOptions, serveSessions, streamChannel } from './session.js';
export { answerSync, locatorHeights, Syncer, type SyncResult } from './sync.js';
