import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { HeadInfo } from '../chain/chain.js';
import { createDispatcher, errorResponse, RpcFault, type RpcResponse, type Session } from './dispatch.js';
import { compileParamsSchemas, type RpcBackend } from './methods.js';
import { type HeadJson, RPC_ERROR } from './types.js';
import { headJson } from './views.js';

export interface RpcServerOptions {
  /** default 127.0.0.1: the API can spend the dev accounts of a devnet, so it is local unless asked */
  host?: string;
  /** 0 takes any free port */
  port: number;
  /** a request body (or WebSocket message) above this is refused (default 2 MiB) */
  maxBodyBytes?: number;
  /** the most requests in one batch (default 100) */
  maxBatch?: number;
  /** told about errors that are the node's fault (JSON-RPC -32603) */
  onInternalError?: (error: unknown) => void;
}

export interface RpcServer {
  /** `http://host:port`; the WebSocket endpoint is `ws://host:port/ws` */
  readonly url: string;
  close(): Promise<void>;
}

/** A `newHeads` notification on a WebSocket. */
export interface NewHeadsNotification {
  jsonrpc: '2.0';
  method: 'zi_subscription';
  params: { subscription: string; result: HeadJson };
}

/** A WebSocket connection and its subscriptions. */
interface SocketSession extends Session {
  socket: WebSocket;
}

/**
 * Serves the node's JSON-RPC 2.0 API (api/types.ts) over HTTP (`POST /`) and WebSocket (`/ws`,
 * which adds `zi_subscribe` / `zi_unsubscribe`). Every malformed request gets its JSON-RPC error
 * and the server keeps answering.
 *
 * @example
 * const server = await startRpcServer(node, { port: 0 });
 * await createRpcClient(server.url).call('zi_head', {});
 */
export async function startRpcServer(backend: RpcBackend, options: RpcServerOptions): Promise<RpcServer> {
  compileParamsSchemas();
  const maxBody = options.maxBodyBytes ?? 2 * 1024 * 1024;
  const maxBatch = options.maxBatch ?? 100;
  const sessions = new Set<SocketSession>();

  const { handleText, faultOf } = createDispatcher(backend, { maxBatch, onInternalError: options.onInternalError });

  function serialize(answer: RpcResponse | RpcResponse[]): string {
    try {
      return JSON.stringify(answer);
    } catch (error) {
      return JSON.stringify(errorResponse(null, faultOf(error)));
    }
  }

  function reply(res: ServerResponse, status: number, answer: RpcResponse | RpcResponse[] | undefined): void {
    if (answer === undefined) {
      res.writeHead(204).end();
      return;
    }
    const text = serialize(answer);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  /** The body as text, or undefined when it passed the cap (read to the end and dropped, so the client gets the answer). */
  function readBody(req: IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBody) chunks.push(chunk);
        else if (size > 8 * maxBody) req.destroy();
        else chunks.length = 0;
      });
      req.on('end', () => resolve(size <= maxBody ? Buffer.concat(chunks).toString('utf8') : undefined));
      req.on('error', reject);
      req.on('close', () => reject(new Error('the request was aborted')));
    });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = (status: number, code: string, message: string, hint: string) =>
      reply(res, status, errorResponse(null, new RpcFault(RPC_ERROR.invalidRequest, code, message, hint)));
    const path = new URL(req.url ?? '/', 'http://node').pathname;
    if (path !== '/')
      return fault(
        404,
        'NODE_RPC_NOT_FOUND',
        `nothing is served at ${path.slice(0, 64)}`,
        'POST JSON-RPC to /, or open a WebSocket at /ws',
      );
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return fault(405, 'NODE_RPC_METHOD_NOT_ALLOWED', `${req.method} is not served`, 'POST JSON-RPC requests to /');
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return fault(
        415,
        'NODE_RPC_CONTENT_TYPE',
        'the content type must be application/json',
        'send the header content-type: application/json',
      );
    }
    if (Number(req.headers['content-length'] ?? 0) > 8 * maxBody) {
      res.setHeader('connection', 'close');
      return fault(413, 'NODE_RPC_TOO_LARGE', `the body is over ${maxBody} bytes`, 'send smaller requests (publish big bundles by CID)');
    }
    const text = await readBody(req);
    if (text === undefined)
      return fault(413, 'NODE_RPC_TOO_LARGE', `the body is over ${maxBody} bytes`, 'send smaller requests (publish big bundles by CID)');
    reply(res, 200, await handleText(text, undefined));
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (res.headersSent || req.destroyed) return;
      reply(res, 500, errorResponse(null, faultOf(error)));
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://node').pathname !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session: SocketSession = { subscriptions: new Set(), socket: ws };
      sessions.add(session);
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');
        handleText(text, session).then(
          (answer) => {
            if (answer !== undefined && ws.readyState === ws.OPEN) ws.send(serialize(answer));
          },
          (error: unknown) => options.onInternalError?.(error),
        );
      });
      ws.on('close', () => sessions.delete(session));
      // A broken connection is its client's problem; it closes and leaves the others alone.
      ws.on('error', () => ws.terminate());
    });
  });

  const onHead = (head: HeadInfo) => {
    const result = headJson(head);
    for (const session of sessions) {
      if (session.socket.readyState !== session.socket.OPEN) continue;
      for (const subscription of session.subscriptions) {
        const notification: NewHeadsNotification = { jsonrpc: '2.0', method: 'zi_subscription', params: { subscription, result } };
        session.socket.send(JSON.stringify(notification));
      }
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  backend.on('head', onHead);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    async close() {
      backend.off('head', onHead);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
