/**
 * The JSON-RPC 2.0 API of a node (HTTP POST to `/`, WebSocket at `/ws`): method names, params
 * and results in their JSON form. Amounts are decimal strings of Li, bytes lower-case hex,
 * addresses `zi1…`, ids CIDs; transactions and headers use the spec's JSON form (SCH-1).
 */

export interface HeadJson {
  id: string;
  height: number;
  time: number;
  difficulty: number;
  /** cumulative work, decimal */
  work: string;
  txCount: number;
}

export interface ChainJson {
  chain: string;
  genesisId: string;
  genesis: Record<string, unknown>;
  /** true when the node runs a devnet and can mine on demand */
  devnet: boolean;
}

export interface BlockJson {
  id: string;
  height: number;
  main: boolean;
  header: Record<string, unknown>;
  /** transaction JSON when asked with `txs: true`, else ids */
  txs: (string | Record<string, unknown>)[];
}

export interface TransactionInfoJson {
  id: string;
  status: 'pending' | 'included';
  tx: Record<string, unknown>;
  block?: string;
  height?: number;
  index?: number;
}

export interface AccountJson {
  address: string;
  balance: string;
  nonce: number;
  /** the nonce the next transaction should use, counting pending ones */
  nextNonce: number;
  stake: string;
}

export interface RangeJson {
  from: number;
  count: number;
}

export interface ContractJson {
  id: string;
  bidder: string;
  name: string;
  bundle: string;
  manifest: string;
  mcus: number;
  gasPerMcu: number;
  price: string;
  budget: string;
  escrow: string;
  validationFee: string;
  validator?: string;
  status: 'open' | 'closed';
  height: number;
  paid: number;
  spent: string;
  payouts: number;
  solvedRanges: RangeJson[];
}

export interface PayoutJson {
  id: string;
  height: number;
  solver: string;
  ranges: RangeJson[];
  amount: string;
  fee: string;
  result: string;
}

export interface SendResultJson {
  id: string;
  status: 'pending' | 'included';
}

export interface DevAccountJson {
  address: string;
  /** hex secret key; only a devnet hands these out */
  secretKey: string;
  balance: string;
}

/** Method → [params, result]. */
export interface RpcMethods {
  zi_chain: [Record<string, never>, ChainJson];
  zi_head: [Record<string, never>, HeadJson];
  zi_block: [{ id?: string; height?: number; txs?: boolean }, BlockJson];
  zi_transaction: [{ id: string }, TransactionInfoJson];
  zi_account: [{ address: string }, AccountJson];
  zi_contract: [{ id: string }, ContractJson];
  zi_contracts: [{ status?: 'open' | 'closed' | 'all'; bidder?: string; limit?: number }, ContractJson[]];
  zi_payouts: [{ contract: string; limit?: number }, PayoutJson[]];
  zi_sendTransaction: [{ tx?: Record<string, unknown>; raw?: string }, SendResultJson];
  zi_pending: [Record<string, never>, string[]];
  zi_mine: [{ blocks?: number }, string[]];
  zi_devAccounts: [Record<string, never>, DevAccountJson[]];
  /** multiaddrs of the node serving the bidder's side of the contract's solver sessions (none: not this node) */
  zi_sessionPeers: [{ contract: string }, string[]];
}

export type RpcMethod = keyof RpcMethods;

/** The `data` of a JSON-RPC error the node returns: the stable code, the broken rule, a hint. */
export interface RpcErrorData {
  code: string;
  rule?: string;
  hint?: string;
}

/** JSON-RPC error codes: the standard ones, and -32000 for domain errors (see `data.code`). */
export const RPC_ERROR = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  rejected: -32000,
} as const;
