import { WebSocket } from 'ws';
import { NodeError } from '../errors.js';
import type { HeadJson, RpcErrorData, RpcMethod, RpcMethods } from './types.js';

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

/** What a `newHeads` subscription reports to. */
export interface NewHeadsHandlers {
  /** every head the node's main chain moves to, in order */
  onHead: (head: HeadJson) => void;
  /** the connection ended without `close()` (the node stopped, the network failed) */
  onClose?: (error?: Error) => void;
}

/** A live `newHeads` subscription over the node's WebSocket. */
export interface NewHeadsSubscription {
  /** the subscription id the node gave (`0x…`) */
  readonly id: string;
  /** unsubscribes and closes the connection */
  close(): Promise<void>;
}

/**
 * Subscribes to the node's new heads over its WebSocket (`ws://host:port/ws`, topic `newHeads`).
 * Resolves once the node has confirmed the subscription.
 *
 * @example
 * const sub = await subscribeNewHeads('http://127.0.0.1:8645', { onHead: (head) => console.log(head.height) });
 * await sub.close();
 *
 * @throws NodeError NODE_UNREACHABLE when no node answers; RpcError when the node refuses the subscription
 */
export function subscribeNewHeads(url: string, handlers: NewHeadsHandlers): Promise<NewHeadsSubscription> {
  const wsUrl = `${url.replace(/^http/, 'ws').replace(/\/+$/, '')}/ws`;
  const socket = new WebSocket(wsUrl);
  let id: string | undefined;
  let closing = false;
  let closed = false;
  return new Promise((resolve, reject) => {
    // onClose at most once, and never after close(): an error is followed by a close event.
    const ended = (error?: Error): void => {
      if (closing || closed) return;
      closed = true;
      handlers.onClose?.(error);
    };
    const fail = (error: Error): void => {
      if (id === undefined) reject(error);
      else ended(error);
    };
    socket.on('open', () => {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'zi_subscribe', params: { topic: 'newHeads' } }));
    });
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
      let message: { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: RpcErrorData }; params?: unknown };
      try {
        message = JSON.parse(text);
      } catch {
        return fail(
          new NodeError(
            'NODE_RPC_BAD_ANSWER',
            `the node at ${url} sent a WebSocket message that is not JSON`,
            'check that the URL points at a Zi node',
          ),
        );
      }
      if (message.id === 1) {
        if (message.error) {
          socket.close();
          return reject(new RpcError(message.error.code, message.error.message, message.error.data));
        }
        id = String(message.result);
        const subscriptionId = id;
        return resolve({
          id: subscriptionId,
          close: () =>
            new Promise<void>((done) => {
              closing = true;
              if (socket.readyState === WebSocket.CLOSED) return done();
              socket.once('close', () => done());
              socket.close();
            }),
        });
      }
      const params = message.params as { subscription?: unknown; result?: HeadJson } | undefined;
      if (id !== undefined && params?.subscription === id && params.result) handlers.onHead(params.result);
    });
    socket.on('error', (error) => {
      if (id === undefined) {
        reject(
          new NodeError(
            'NODE_UNREACHABLE',
            `no node answers at ${wsUrl} (${reasonOf(error)})`,
            'start one with `zi dev` (or `zi node start`), or pass --rpc with its address',
          ),
        );
      } else fail(error);
    });
    socket.on('close', () => {
      if (id === undefined)
        reject(
          new NodeError(
            'NODE_UNREACHABLE',
            `the node at ${wsUrl} closed the connection before subscribing`,
            'check that the URL points at a Zi node',
          ),
        );
      else ended();
    });
  });
}
