import { randomBytes } from 'node:crypto';
import { SpecError } from '@zi/spec';
import { NodeError } from '../errors.js';
import { RuleError } from '../state/rule-error.js';
import { checkParams, HANDLERS, isRpcMethod, type RpcBackend, RpcParamsError } from './methods.js';
import { RPC_ERROR, type RpcErrorData } from './types.js';

/** One JSON-RPC 2.0 answer. */
export interface RpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data: RpcErrorData };
}

/** A WebSocket connection: its subscription ids (HTTP requests have none). */
export interface Session {
  subscriptions: Set<string>;
}

/** Nesting deeper than this is refused before parsing: no request needs it, and deep values cost stack. */
const MAX_DEPTH = 64;
const MAX_SUBSCRIPTIONS = 32;

/** A failure already in JSON-RPC terms: the error code and the `data` (stable code, hint) to answer with. */
export class RpcFault extends Error {
  readonly rpcCode: number;
  readonly data: RpcErrorData;
  constructor(rpcCode: number, code: string, message: string, hint: string) {
    super(message);
    this.rpcCode = rpcCode;
    this.data = { code, hint };
  }
}

/** The error answer to request `id`. */
export function errorResponse(id: RpcResponse['id'], fault: RpcFault): RpcResponse {
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
 * The JSON-RPC 2.0 side of the API, whatever carries it: reads a body (a request, a batch or
 * garbage), checks each request, runs its method and turns every failure into its error answer
 * (domain errors -32000 with the rule, malformed values -32602, our own faults -32603).
 */
export function createDispatcher(
  backend: RpcBackend,
  options: { maxBatch: number; onInternalError?: ((error: unknown) => void) | undefined },
): {
  handleText(text: string, session: Session | undefined): Promise<RpcResponse | RpcResponse[] | undefined>;
  faultOf(error: unknown): RpcFault;
} {
  const { maxBatch } = options;

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

  return { handleText, faultOf };
}
