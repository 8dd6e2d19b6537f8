import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { type Kind, SpecError } from '@zi/spec';
import type { ZiHost } from './host.js';
import { decodeMessage, encodeMessage } from './messages.js';
import { PeerFault } from './penalties.js';
import { MAX_REQUEST_BYTES, REQUEST_TIMEOUT_MS } from './protocols.js';

/** Errors of the length-prefix reader that mean the remote broke the framing (NET-3). */
const FRAMING_ERRORS = new Set([
  'InvalidDataLengthError',
  'InvalidDataLengthLengthError',
  'InvalidMessageLengthError',
  'StreamBufferError',
]);

export interface RequestOptions<Req, Res> {
  protocol: string;
  request: Kind<Req>;
  response: Kind<Res>;
  /** the longest response frame accepted */
  maxResponseBytes: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Sends one request on a new stream and reads the one response frame (NET-3). A response that
 * is too long or not a canonical message of the expected kind is the peer's fault.
 *
 * @throws PeerFault when the peer answered with something malformed
 * @throws Error when the peer could not be reached or did not answer in time
 */
export async function requestOnce<Req, Res>(host: ZiHost, peer: PeerId, message: Req, options: RequestOptions<Req, Res>): Promise<Res> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const stream = await host.dialProtocol(peer, options.protocol, { signal });
  const lp = lpStream(stream, { maxDataLength: options.maxResponseBytes, maxBufferSize: options.maxResponseBytes + 16 });
  let frame: Uint8Array;
  try {
    await lp.write(encodeMessage(options.request, message), { signal });
    await stream.close({ signal });
    frame = (await lp.read({ signal })).subarray();
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    if (error instanceof Error && FRAMING_ERRORS.has(error.name))
      throw new PeerFault(peer.toString(), `bad response frame: ${error.message}`);
    throw error;
  }
  try {
    return decodeMessage(options.response, frame, options.maxResponseBytes);
  } catch (error) {
    if (error instanceof SpecError) throw new PeerFault(peer.toString(), `malformed response on ${options.protocol}: ${error.message}`);
    throw error;
  }
}

export interface ServeOptions<Req> {
  protocol: string;
  request: Kind<Req>;
  /** answers a request with the response frame (already encoded) */
  answer(request: Req, peer: PeerId): Uint8Array | Promise<Uint8Array>;
  /** called when a peer sends a malformed request (it is then disconnected by the caller) */
  onFault(fault: PeerFault): void;
  /** called when answering failed for a reason of our own or of the transport */
  onError(error: unknown): void;
}

/**
 * Serves a request/response protocol: one request frame (at most `MAX_REQUEST_BYTES`, read within
 * the request timeout) and one response frame per stream (NET-3).
 */
export async function serve<Req>(host: ZiHost, options: ServeOptions<Req>): Promise<void> {
  await host.handle(options.protocol, (stream: Stream, connection: Connection) => {
    handleStream(stream, connection.remotePeer, options).catch(options.onError);
  });
}

async function handleStream<Req>(stream: Stream, peer: PeerId, options: ServeOptions<Req>): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES, maxBufferSize: MAX_REQUEST_BYTES + 16 });
  const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let request: Req;
  try {
    const frame = (await lp.read({ signal })).subarray();
    request = decodeMessage(options.request, frame, MAX_REQUEST_BYTES);
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    if (error instanceof SpecError || (error instanceof Error && FRAMING_ERRORS.has(error.name))) {
      options.onFault(new PeerFault(peer.toString(), `malformed request on ${options.protocol}: ${error.message}`));
    }
    return;
  }
  let response: Uint8Array;
  try {
    response = await options.answer(request, peer);
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  try {
    await lp.write(response, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await stream.close({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    // The requester went away or stopped reading: its loss, nothing of ours failed.
    stream.abort(error instanceof Error ? error : new Error(String(error)));
  }
}
