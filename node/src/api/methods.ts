import {
  type Block,
  bytesOfCid,
  decodeBlock,
  decodeTransaction,
  fromHex,
  genesisToJson,
  MAX_TX_BYTES,
  normalizeAddress,
  parseJson,
  type Transaction,
  toHex,
  transactionId,
  transactionToJson,
} from '@zi/spec';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Chain, HeadInfo } from '../chain/chain.js';
import { type ChainQueries, contractIdOfDigest } from '../chain/queries.js';
import type { DevAccount } from '../devnet.js';
import { NodeError } from '../errors.js';
import { DEFAULT_PAGE_MCUS, MAX_PAGE_MCUS } from '../market/result-store.js';
import type { Mempool } from '../mempool/mempool.js';
import { isRawCid } from '../network/content-store.js';
import { requireContract } from '../state/apply.js';
import { accountKey, decodeAccount, decodeSolved, decodeStake, solvedKey, validatorKey } from '../state/entries.js';
import type { ContractStatusJson, ResultsPageJson, RpcMethod, RpcMethods, SendResultJson } from './types.js';
import { contractJson, headerJson, headJson, payoutJson } from './views.js';

/** What the RPC methods need of a node (a `ZiNode` is one). */
export interface RpcBackend {
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly queries: ChainQueries;
  readonly devnet: boolean;
  readonly devAccounts: readonly DevAccount[];
  submit(tx: Transaction): Promise<SendResultJson>;
  mine(blocks?: number): Promise<string[]>;
  /** the multiaddrs serving the bidder's sessions of a contract (see `ZiNode.sessionPeers`) */
  sessionPeers(contractId: string): string[];
  /** a page of the results the node keeps of a contract (see `ZiNode.resultsPage`) */
  resultsPage(contractId: string, options: { after?: number; limit?: number }): ResultsPageJson;
  /** how a contract is going (see `ZiNode.contractStatus`) */
  contractStatus(contractId: string): ContractStatusJson;
  /** an object of the content store by raw CID, else from peers (see `ZiNode.content`) */
  content(cid: string): Promise<Uint8Array>;
  on(event: 'head', listener: (head: HeadInfo) => void): unknown;
  off(event: 'head', listener: (head: HeadInfo) => void): unknown;
}

/** Params that do not match their method's schema: JSON-RPC -32602. */
export class RpcParamsError extends NodeError {
  constructor(message: string, hint: string) {
    super('NODE_RPC_PARAMS', message, hint);
    this.name = 'RpcParamsError';
  }
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const cidText = { type: 'string', minLength: 1, maxLength: 128 };
const addressText = { type: 'string', minLength: 1, maxLength: 128 };
const limit = { type: 'integer', minimum: 1, maximum: MAX_LIMIT };
const object = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  ...extra,
});

/** The JSON Schema of each method's params (named params only). */
export const PARAMS_SCHEMAS: Record<RpcMethod | 'zi_subscribe' | 'zi_unsubscribe', Record<string, unknown>> = {
  zi_chain: object({}),
  zi_head: object({}),
  zi_block: object(
    { id: cidText, height: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, txs: { type: 'boolean' } },
    [],
    {
      not: { required: ['id', 'height'] },
    },
  ),
  zi_transaction: object({ id: cidText }, ['id']),
  zi_account: object({ address: addressText }, ['address']),
  zi_contract: object({ id: cidText }, ['id']),
  zi_contracts: object({ status: { type: 'string', enum: ['open', 'closed', 'all'] }, bidder: addressText, limit }),
  zi_payouts: object({ contract: cidText, limit }, ['contract']),
  zi_sendTransaction: object({ tx: { type: 'object' }, raw: { type: 'string', maxLength: 2 * MAX_TX_BYTES + 2 } }, [], {
    oneOf: [{ required: ['tx'] }, { required: ['raw'] }],
  }),
  zi_pending: object({}),
  zi_mine: object({ blocks: { type: 'integer', minimum: 1, maximum: MAX_LIMIT } }),
  zi_devAccounts: object({}),
  zi_sessionPeers: object({ contract: cidText }, ['contract']),
  zi_results: object(
    {
      contract: cidText,
      after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_MCUS },
    },
    ['contract'],
  ),
  zi_status: object({ contract: cidText }, ['contract']),
  zi_content: object({ cid: cidText }, ['cid']),
  zi_subscribe: object({ topic: { type: 'string', enum: ['newHeads'] } }, ['topic']),
  zi_unsubscribe: object({ subscription: { type: 'string', minLength: 1, maxLength: 64 } }, ['subscription']),
};

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/**
 * Checks a method's params against its schema (compiled once per method).
 *
 * @throws RpcParamsError naming the first mismatch
 */
export function checkParams(method: keyof typeof PARAMS_SCHEMAS, params: unknown): void {
  const validate = validatorOf(method);
  if (!validate(params)) {
    throw new RpcParamsError(
      `${method} params: ${describe(validate.errors?.[0])}`,
      `see the method table in the node README for ${method}`,
    );
  }
}

function validatorOf(method: keyof typeof PARAMS_SCHEMAS): ValidateFunction {
  let validate = validators.get(method);
  if (!validate) {
    // strictRequired off: `oneOf`/`not` name properties that the enclosing schema defines.
    ajv ??= new Ajv({ allErrors: false, strict: true, strictRequired: false });
    validate = ajv.compile(PARAMS_SCHEMAS[method]);
    validators.set(method, validate);
  }
  return validate;
}

/** Compiles every params schema now (a server does it at start, so a bad schema never waits for its first request). */
export function compileParamsSchemas(): void {
  for (const method of Object.keys(PARAMS_SCHEMAS) as (keyof typeof PARAMS_SCHEMAS)[]) validatorOf(method);
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'do not match the schema';
  const where = error.instancePath === '' ? '' : `${error.instancePath} `;
  const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
  return `${where}${error.message ?? 'is invalid'}${extra}`;
}

type Handler<M extends RpcMethod> = (backend: RpcBackend, params: RpcMethods[M][0]) => RpcMethods[M][1] | Promise<RpcMethods[M][1]>;

function requireDevnet(backend: RpcBackend, method: string): void {
  if (!backend.devnet) {
    throw new NodeError('NODE_NOT_DEVNET', `${method} is only answered by a devnet node`, 'run `zi dev` for a local devnet');
  }
}

function blockOf(chain: Chain, id: string): Block {
  const bytes = chain.blockBytes(id);
  if (!bytes) throw new NodeError('NODE_BLOCK_UNKNOWN', `there is no block ${id}`, 'check the id (zi_head gives the newest)');
  return decodeBlock(bytes);
}

/** The canonical text of a contract id: state keys hold only its digest (STATE-3). */
function contractIdOf(text: string): string {
  return contractIdOfDigest(bytesOfCid(text));
}

/** Every method of api/types.ts. */
export const HANDLERS: { [M in RpcMethod]: Handler<M> } = {
  zi_chain: ({ chain, devnet }) => ({
    chain: chain.genesis.chain,
    genesisId: chain.genesisId,
    genesis: genesisToJson(chain.genesis),
    devnet,
  }),

  zi_head: ({ chain }) => headJson(chain.head()),

  zi_block: ({ chain }, params) => {
    const id = params.id ?? (params.height === undefined ? chain.head().id : chain.idAt(params.height));
    if (id === undefined) {
      throw new NodeError(
        'NODE_BLOCK_UNKNOWN',
        `the main chain has no block at height ${params.height}`,
        'zi_head gives the current height',
      );
    }
    const block = blockOf(chain, id);
    return {
      id,
      height: block.header.height,
      main: chain.isMain(id),
      header: headerJson(block.header),
      txs: block.txs.map((tx) => (params.txs ? transactionToJson(tx) : transactionId(tx))),
    };
  },

  zi_transaction: ({ chain, mempool, queries }, { id }) => {
    const pending = mempool.get(id);
    if (pending) return { id, status: 'pending', tx: transactionToJson(pending) };
    const location = queries.transactionLocation(id);
    const tx = location ? blockOf(chain, location.block).txs[location.index] : undefined;
    if (!location || !tx) {
      throw new NodeError(
        'NODE_TX_UNKNOWN',
        `transaction ${id} is neither pending nor in the main chain`,
        'send it again with zi_sendTransaction',
      );
    }
    return { id, status: 'included', tx: transactionToJson(tx), block: location.block, height: location.height, index: location.index };
  },

  zi_account: ({ chain, mempool }, params) => {
    const address = normalizeAddress(params.address);
    const account = decodeAccount(chain.state.get(accountKey(address)));
    return {
      address,
      balance: account.balance.toString(),
      nonce: account.nonce,
      nextNonce: mempool.nextNonce(address),
      stake: decodeStake(chain.state.get(validatorKey(address))).toString(),
    };
  },

  zi_contract: ({ chain }, params) => {
    const id = contractIdOf(params.id);
    const entry = requireContract(chain.state, id);
    return contractJson(id, entry, decodeSolved(chain.state.get(solvedKey(id))));
  },

  zi_contracts: ({ chain, queries }, params) => {
    const status = params.status ?? 'all';
    const bidder = params.bidder === undefined ? undefined : normalizeAddress(params.bidder);
    return queries
      .contracts()
      .filter(({ entry }) => (status === 'all' || entry.status === status) && (bidder === undefined || entry.bidder === bidder))
      .sort((a, b) => b.entry.height - a.entry.height || (a.id < b.id ? -1 : 1))
      .slice(0, params.limit ?? DEFAULT_LIMIT)
      .map(({ id, entry }) => contractJson(id, entry, decodeSolved(chain.state.get(solvedKey(id)))));
  },

  zi_payouts: ({ chain, queries }, params) => {
    const contract = contractIdOf(params.contract);
    const blocks = new Map<string, Block>();
    return queries.payouts(contract, params.limit ?? DEFAULT_LIMIT).map((row) => {
      let block = blocks.get(row.block);
      if (!block) {
        block = blockOf(chain, row.block);
        blocks.set(row.block, block);
      }
      const tx = block.txs[row.index];
      if (tx?.type !== 'payout') throw new Error(`the txs table points payout ${row.id} at a ${tx?.type ?? 'missing'} transaction`);
      return payoutJson(row.id, row.height, tx);
    });
  },

  zi_sendTransaction: (backend, params) => {
    const tx = params.raw === undefined ? parseJson('transaction', params.tx) : decodeTransaction(fromHex(params.raw));
    return backend.submit(tx);
  },

  zi_pending: ({ mempool }) => mempool.pending(),

  zi_mine: (backend, params) => {
    requireDevnet(backend, 'zi_mine');
    return backend.mine(params.blocks ?? 1);
  },

  zi_devAccounts: (backend) => {
    requireDevnet(backend, 'zi_devAccounts');
    return backend.devAccounts.map((account) => ({
      address: account.address,
      secretKey: toHex(account.secretKey),
      balance: decodeAccount(backend.chain.state.get(accountKey(account.address))).balance.toString(),
    }));
  },

  zi_sessionPeers: (backend, params) => backend.sessionPeers(contractIdOf(params.contract)),

  zi_results: (backend, params) =>
    backend.resultsPage(contractIdOf(params.contract), {
      limit: params.limit ?? DEFAULT_PAGE_MCUS,
      ...(params.after === undefined ? {} : { after: params.after }),
    }),

  zi_status: (backend, params) => backend.contractStatus(contractIdOf(params.contract)),

  zi_content: async (backend, params) => {
    if (!isRawCid(params.cid))
      throw new RpcParamsError(
        `zi_content params: "${params.cid.slice(0, 80)}" is not a raw CID`,
        'content is named by raw CIDs (bafkrei…)',
      );
    const bytes = await backend.content(params.cid);
    return { cid: params.cid, bytes: Buffer.from(bytes).toString('base64') };
  },
};

export function isRpcMethod(method: string): method is RpcMethod {
  return Object.hasOwn(HANDLERS, method);
}
