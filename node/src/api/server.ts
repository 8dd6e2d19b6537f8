import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpecError } from '@zi/spec';
import { type WebSocket, WebSocketServer } from 'ws';
import type { HeadInfo } from '../chain/chain.js';
import { NodeError } from '../errors.js';
import { RuleError } from '../state/rule-error.js';
import { checkParams, compileParamsSchemas, HANDLERS, isRpcMethod, type RpcBackend, RpcParamsError } from './methods.js';
import { type HeadJson, RPC_ERROR, type RpcErrorData } from './types.js';
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

interface RpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data: RpcErrorData };
}

/** A WebSocket connection's subscriptions. */
interface Session {
  subscriptions: Set<string>;
  socket: WebSocket;
}

/** Nesting deeper than this is refused before parsing: no request needs it, and deep values cost stack. */
const MAX_DEPTH = 64;
const MAX_SUBSCRIPTIONS = 32;

class RpcFault extends Error {
  readonly rpcCode: number;
  readonly data: RpcErrorData;
  constructor(rpcCode: number, code: string, message: string, hint: string) {
    super(message);
    this.rpcCode = rpcCode;
    this.data = { code, hint };
  }
}

function errorResponse(id: RpcResponse['id'], fault: RpcFault): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code: fault.rpcCode, message: fault.message, data: fault.data } };
}

/** True when JSON text nests arrays/objects deeper than `limit` (a scan, so it cannot overflow the stack). */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

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
  const sessions = new Set<Session>();

  function faultOf(error: unknown): RpcFault {
    if (error instanceof RpcFault) return error;
    if (error instanceof RuleError) {
      const fault = new RpcFault(RPC_ERROR.rejected, error.code, error.message, error.hint);
      fault.data.rule = error.rule;
      return fault;
    }
    if (error instanceof RpcParamsError || error instanceof SpecError)
      return new RpcFault(RPC_ERROR.invalidParams, error.code, error.message, error.hint);
    if (error instanceof NodeError) return new RpcFault(RPC_ERROR.rejected, error.code, error.message, error.hint);
    options.onInternalError?.(error);
    return new RpcFault(RPC_ERROR.internal, 'NODE_INTERNAL', 'internal error', 'see the node’s log; report a bug if it repeats');
  }

  async function dispatch(method: string, params: Record<string, unknown>, session: Session | undefined): Promise<unknown> {
    if (method === 'zi_subscribe' || method === 'zi_unsubscribe') {
      if (!session) {
        throw new RpcFault(
          RPC_ERROR.methodNotFound,
          'NODE_RPC_WS_ONLY',
          `${method} needs a WebSocket`,
          'connect to ws://…/ws to subscribe',
        );
      }
      checkParams(method, params);
      if (method === 'zi_unsubscribe') return session.subscriptions.delete(params.subscription as string);
      if (session.subscriptions.size >= MAX_SUBSCRIPTIONS) {
        throw new NodeError(
          'NODE_RPC_TOO_MANY_SUBSCRIPTIONS',
          `a connection may hold ${MAX_SUBSCRIPTIONS} subscriptions`,
          'unsubscribe first',
        );
      }
      const id = `0x${randomBytes(16).toString('hex')}`;
      session.subscriptions.add(id);
      return id;
    }
    if (!isRpcMethod(method)) {
      throw new RpcFault(
        RPC_ERROR.methodNotFound,
        'NODE_RPC_METHOD_UNKNOWN',
        `there is no method "${method.slice(0, 64)}"`,
        'see the method table in the node README',
      );
    }
    checkParams(method, params);
    const handler = HANDLERS[method] as (backend: RpcBackend, params: unknown) => unknown;
    return await handler(backend, params);
  }

  async function handleOne(request: unknown, session: Session | undefined): Promise<RpcResponse | undefined> {
    if (!isObject(request)) {
      return errorResponse(
        null,
        new RpcFault(
          RPC_ERROR.invalidRequest,
          'NODE_RPC_INVALID_REQUEST',
          'a request must be a JSON object',
          'send {"jsonrpc":"2.0","id":1,"method":…,"params":{…}}',
        ),
      );
    }
    const { id } = request;
    const validId = id === undefined || id === null || typeof id === 'string' || typeof id === 'number';
    const answerId = validId ? (id ?? null) : null;
    if (!validId || request.jsonrpc !== '2.0' || typeof request.method !== 'string') {
      return errorResponse(
        answerId,
        new RpcFault(
          RPC_ERROR.invalidRequest,
          'NODE_RPC_INVALID_REQUEST',
          !validId
            ? 'id must be a string, a number or null'
            : request.jsonrpc !== '2.0'
              ? 'jsonrpc must be "2.0"'
              : 'method must be a string',
          'send {"jsonrpc":"2.0","id":1,"method":…,"params":{…}}',
        ),
      );
    }
    const params = request.params ?? {};
    let response: RpcResponse;
    if (!isObject(params)) {
      response = errorResponse(
        answerId,
        new RpcFault(
          RPC_ERROR.invalidParams,
          'NODE_RPC_PARAMS',
          'params must be an object (named params)',
          'pass params as {"name": value}',
        ),
      );
    } else {
      try {
        response = { jsonrpc: '2.0', id: answerId, result: await dispatch(request.method, params, session) };
      } catch (error) {
        response = errorResponse(answerId, faultOf(error));
      }
    }
    // A notification (no id) gets no answer (JSON-RPC 2.0 §4.1).
    return id === undefined ? undefined : response;
  }

  /** One body (an HTTP request or a WebSocket message): a request, a batch, or garbage. */
  async function handleText(text: string, session: Session | undefined): Promise<RpcResponse | RpcResponse[] | undefined> {
    if (nestsDeeperThan(text, MAX_DEPTH)) {
      return errorResponse(
        null,
        new RpcFault(
          RPC_ERROR.invalidRequest,
          'NODE_RPC_TOO_DEEP',
          `the JSON nests deeper than ${MAX_DEPTH} levels`,
          'no method takes values nested that deep',
        ),
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return errorResponse(
        null,
        new RpcFault(RPC_ERROR.parse, 'NODE_RPC_PARSE', 'the request is not valid JSON', 'send a JSON-RPC 2.0 request as UTF-8 JSON'),
      );
    }
    if (!Array.isArray(body)) return handleOne(body, session);
    if (body.length === 0 || body.length > maxBatch) {
      return errorResponse(
        null,
        new RpcFault(
          RPC_ERROR.invalidRequest,
          'NODE_RPC_BATCH_SIZE',
          `a batch holds 1 to ${maxBatch} requests, this one ${body.length}`,
          'split the batch',
        ),
      );
    }
    // Requests start in batch order and then run concurrently (JSON-RPC 2.0 §6 allows any order):
    // a sender's nonces are admitted in sequence, and sends of one batch share an instant block.
    const answers = await Promise.all(body.map((request) => handleOne(request, session)));
    const responses = answers.filter((answer): answer is RpcResponse => answer !== undefined);
    return responses.length > 0 ? responses : undefined;
  }

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
      const session: Session = { subscriptions: new Set(), socket: ws };
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
