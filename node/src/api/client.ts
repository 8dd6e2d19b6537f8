import { NodeError } from '../errors.js';
import type { RpcErrorData, RpcMethod, RpcMethods } from './types.js';

/** A node's JSON-RPC API from another process (the CLI, tests). */
export interface RpcClient {
  readonly url: string;
  call<M extends RpcMethod>(method: M, params: RpcMethods[M][0]): Promise<RpcMethods[M][1]>;
}

/** The error a node answered with: `code`/`rule`/`hint` from its `data`. */
export class RpcError extends NodeError {
  readonly rule: string | undefined;
  readonly rpcCode: number;
  constructor(rpcCode: number, message: string, data: RpcErrorData | undefined) {
    super(data?.code ?? 'NODE_RPC_ERROR', message, data?.hint ?? 'see the node’s log');
    this.name = 'RpcError';
    this.rule = data?.rule;
    this.rpcCode = rpcCode;
  }
}

/**
 * A client of the node at `url` (e.g. `http://127.0.0.1:8645`).
 *
 * @example
 * const head = await createRpcClient('http://127.0.0.1:8645').call('zi_head', {});
 */
export function createRpcClient(url: string): RpcClient {
  let nextId = 1;
  return {
    url,
    async call(method, params) {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
        });
      } catch (error) {
        throw new NodeError(
          'NODE_UNREACHABLE',
          `no node answers at ${url} (${reasonOf(error)})`,
          'start one with `zi dev` (or `zi node start`), or pass --rpc with its address',
        );
      }
      const text = await response.text();
      let body: { result?: unknown; error?: { code: number; message: string; data?: RpcErrorData } };
      try {
        body = JSON.parse(text);
      } catch {
        throw new NodeError(
          'NODE_RPC_BAD_ANSWER',
          `the node at ${url} answered with something that is not JSON-RPC`,
          'check that --rpc points at a Zi node',
        );
      }
      if (body.error) throw new RpcError(body.error.code, body.error.message, body.error.data);
      return body.result as never;
    },
  };
}

/** The most specific reason fetch gives: its cause's code (ECONNREFUSED, ENOTFOUND …) when there is one. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (error as Error).message;
}
