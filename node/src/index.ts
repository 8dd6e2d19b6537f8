export {
  createRpcClient,
  type NewHeadsHandlers,
  type NewHeadsSubscription,
  type RpcClient,
  RpcError,
  subscribeNewHeads,
} from './api/client.js';
export { type NewHeadsNotification, type RpcServer, type RpcServerOptions, startRpcServer } from './api/server.js';
export type * from './api/types.js';
export { RPC_ERROR } from './api/types.js';
export { ChainQueries, contractIdOfDigest } from './chain/queries.js';
export { verifyFast } from './crypto/ed25519-fast.js';
export { DEVNET_TIME, type DevAccount, type DevnetConfigOptions, devAccounts, devnetConfig } from './devnet.js';
export { NodeError } from './errors.js';
export {
  type AgentSessionEnd,
  type ContractOffer,
  type DroppedBidder,
  type SkippedContract,
  SolverAgent,
  type SolverAgentEvents,
  type SolverAgentOptions,
  type SolverAgentSummary,
  waitForBlocks,
} from './market/agent.js';
export {
  type BidderPaidEvent,
  type BidderRefusal,
  type BidderRefusedEvent,
  BidderService,
  type BidderServiceEvents,
  type BidderServiceOptions,
  type BidderSessionReport,
  type BundleSource,
} from './market/bidder.js';
export { type ChannelPairOptions, createChannelPair, MessageReader, type SessionChannel } from './market/channel.js';
export { nodePayoutSink, type PayoutSink, type WaitForInclusionOptions, waitForInclusion } from './market/inclusion.js';
export { type PublishFieldOptions, type PublishFields, publishFields } from './market/publish.js';
export {
  type BatchResultSink,
  DEFAULT_PAGE_MCUS,
  MAX_PAGE_MCUS,
  type ResultPage,
  ResultStore,
  type StoredBatch,
  type StoredSummary,
} from './market/result-store.js';
export { encodeBatchResults, readBatchResults } from './market/results.js';
export {
  DEFAULT_ANSWER_TIMEOUT_MS,
  defaultPayoutFee,
  type HandshakeBlocks,
  type SentBatch,
  type SolverContract,
  type SolverOutcome,
  type SolverProgress,
  SolverSession,
  type SolverSessionEvents,
  type SolverSessionOptions,
  type SolverSummary,
} from './market/solver.js';
export { type ContractStatusOptions, ContractStatusReader } from './market/status.js';
export { type AddResult, Mempool, type MempoolOptions } from './mempool/mempool.js';
export { Miner, type MinerOptions } from './miner/miner.js';
export { ContentStore, isRawCid } from './network/content-store.js';
export type { NetworkEvents, NetworkOptions, ZiNetwork } from './network/network.js';
export { MAX_BLOCKS_PER_REQUEST, MAX_CONTENT_BYTES, type NetworkIds, networkIds } from './network/protocols.js';
export type { SessionHandler } from './network/session.js';
export {
  type BidderNodeOptions,
  type HeadChange,
  type MiningMode,
  type MiningOptions,
  type NodeLogEvent,
  type StartNodeOptions,
  startNode,
  ZiNode,
  type ZiNodeEvents,
} from './node.js';
export {
  defaultKeysDir,
  type Keystore,
  type KeystoreOptions,
  type NewWalletOptions,
  openKeystore,
  type WalletInfo,
  type WalletListing,
} from './wallet/keystore.js';
