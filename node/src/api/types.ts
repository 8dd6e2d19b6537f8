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

/**
 * A page of a contract's results from the result store of its bidder's node (`zi_results`): the
 * results of whole paid ranges, in index order. Ranges never share an index (PAY-5), so pages
 * joined in order are one index-ordered result set.
 */
export interface ResultsPageJson {
  contract: string;
  /** the JSON text of `[[index, output], …]`, indices ascending: what `union` and `render` take */
  entries: string;
  /** MCUs of the ranges on this page */
  pageMcus: number;
  /** the `after` of the next page; absent on the last page */
  next?: number;
  /** MCUs whose results the store holds (over every page) */
  mcus: number;
  /** the contract's input space */
  total: number;
}

/** Why the node thinks nobody is solving a contract (`zi_status`): a stable code and a sentence. */
export type DiagnosisCode =
  | 'DONE'
  | 'CLOSED'
  | 'NO_PEERS'
  | 'NOT_SERVING'
  | 'BUNDLE_UNAVAILABLE'
  | 'PRICE_BELOW_OTHERS'
  | 'ESCROW_LOW'
  | 'REFUSING'
  | 'NO_SOLVERS';

export interface DiagnosisJson {
  code: DiagnosisCode;
  text: string;
}

/** What one solver was paid for a contract, from the payouts in the main chain. */
export interface SolverShareJson {
  address: string;
  mcus: number;
  batches: number;
  /** Li paid (before the payout fees the solver gave the miners) */
  amount: string;
}

/** A batch the bidder's node refused, from its in-memory ring of recent refusals. */
export interface RefusalJson {
  /** ms since the epoch */
  time: number;
  solver?: string;
  seq?: number;
  reason: string;
  message: string;
}

/** How a contract is going, as its bidder wants to see it (`zi_status`). */
export interface ContractStatusJson {
  contract: string;
  name: string;
  bidder: string;
  status: 'open' | 'closed';
  /** every MCU is paid */
  done: boolean;
  price: string;
  gasPerMcu: number;
  /** the input space */
  mcus: number;
  /** MCUs paid in the main chain */
  paidMcus: number;
  solvedRanges: RangeJson[];
  /** MCUs whose results this node's result store holds */
  storedMcus: number;
  /** payouts in the main chain */
  batches: number;
  /** batches whose results this node's result store holds */
  storedBatches: number;
  /** per solver, most MCUs first */
  solvers: SolverShareJson[];
  /** Li locked in escrow at publish */
  budget: string;
  /** Li paid out */
  spent: string;
  /** Li left in escrow */
  left: string;
  /** this node serves the bidder's side of the contract's solver sessions */
  serving: boolean;
  /** solver sessions live now, when this node serves the contract */
  sessions?: number;
  /** the newest payout in the main chain */
  lastPaid?: { payout: string; height: number; time: number };
  head: { height: number; time: number };
  /** the contract's recent refusals, newest first (only a serving node keeps them) */
  refusals: RefusalJson[];
  /** why nobody seems to be solving; empty while batches are being paid */
  diagnosis: DiagnosisJson[];
}

/** Bytes of the content store (`zi_content`). */
export interface ContentJson {
  cid: string;
  /** base64; check them against `cid` before use (ENC-2) */
  bytes: string;
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
  /** multiaddrs of the node serving the bidder's side of the contract's solver sessions: this node's own when its bidder serves it, else those of the bidder's fresh serving announcement (NET-8); none when neither */
  zi_sessionPeers: [{ contract: string }, string[]];
  /** a page of the contract's results from this node's result store (its bidder's node) */
  zi_results: [{ contract: string; after?: number; limit?: number }, ResultsPageJson];
  /** progress, payouts, sessions and why nobody is solving */
  zi_status: [{ contract: string }, ContractStatusJson];
  /** an object by raw CID: from this node's content store, else from its peers */
  zi_content: [{ cid: string }, ContentJson];
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
