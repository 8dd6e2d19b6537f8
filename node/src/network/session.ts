import type { Connection, Stream } from '@libp2p/interface';
import { type ByteStream, byteStream, LengthPrefixedDecoder } from '@libp2p/utils';
import { decodeSessionMessage, MAX_SESSION_MESSAGE_BYTES, type SessionMessage, SpecError } from '@zi/spec';
import { NodeError } from '../errors.js';
import { encodeChannelMessage, type SessionChannel } from '../market/channel.js';
import type { ZiHost } from './host.js';
import { PeerFault, SessionLimits } from './penalties.js';
import { MAX_SESSION_BUFFER_BYTES, REQUEST_TIMEOUT_MS } from './protocols.js';

/** Called with every session a peer opens: the channel and the peer's id. */
export type SessionHandler = (channel: SessionChannel, peer: string) => void;

export interface StreamChannelOptions {
  /** the peer at the other end */
  peer: string;
  /** the peer broke the framing or sent bytes that are not a session message (NET-7) */
  onFault(fault: PeerFault): void;
  /** how long a closed channel waits for the peer to close its end before resetting the stream (default 15 s) */
  lingerMs?: number;
}

/** Errors of the reader that mean the peer broke the framing (NET-3), not that it went away. */
const FRAMING_ERRORS = new Set(['InvalidMessageLengthError', 'InvalidDataLengthError', 'InvalidParametersError', 'StreamBufferError']);

const closedError = () => new NodeError('NODE_SESSION_CLOSED', 'the session channel is closed', 'open a new session (send a new locate)');

/** The unsigned-varint length prefix of a frame (NET-3). */
function lengthPrefix(length: number): Uint8Array {
  const bytes: number[] = [];
  let rest = length;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}

function concat(prefix: Uint8Array, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(prefix.length + body.length);
  frame.set(prefix);
  frame.set(body, prefix.length);
  return frame;
}

/**
 * A {@link SessionChannel} over one libp2p stream of `/zi/<chain>/session/1`: each message is a
 * frame of an unsigned-varint length and the canonical DAG-CBOR of one session message (at most
 * `MAX_SESSION_MESSAGE_BYTES`, SES-6), in both directions, for as long as the session lasts.
 *
 * A frame over the limit, more unread bytes than two frames, or bytes that are not a session
 * message are the peer's fault: `onFault` is told (the network bans the peer), the stream is
 * reset and the iterator throws `NODE_SESSION_MALFORMED`. A peer that closes or resets the stream
 * just ends the session. `close` ends the writing side once what was sent is flushed (so a
 * last `refuse` still arrives) and stops reading.
 */
class StreamChannel implements SessionChannel {
  readonly #stream: Stream;
  readonly #bytes: ByteStream<Stream>;
  readonly #decoder = new LengthPrefixedDecoder({ maxDataLength: MAX_SESSION_MESSAGE_BYTES, maxBufferSize: MAX_SESSION_BUFFER_BYTES });
  readonly #frames: { subarray(): Uint8Array }[] = [];
  readonly #options: StreamChannelOptions;
  /** aborts a pending read when this end closes */
  readonly #reading = new AbortController();
  readonly #ended = new AbortController();
  #closed = false;

  constructor(stream: Stream, options: StreamChannelOptions) {
    this.#stream = stream;
    this.#options = options;
    // Listens from now on: what the peer sends before the first read is kept.
    this.#bytes = byteStream(stream, { maxBufferSize: MAX_SESSION_BUFFER_BYTES });
    // The peer closing its writing side ends the session too: a solver or bidder that closes its
    // end reads nothing more (SessionChannel.close), so nothing sent after it would be seen.
    const end = (): void => this.#ended.abort();
    if (stream.status !== 'open' || stream.remoteWriteStatus !== 'writable') end();
    stream.addEventListener('close', end, { once: true });
    stream.addEventListener('remoteCloseWrite', end, { once: true });
  }

  get ended(): AbortSignal {
    return this.#ended.signal;
  }

  async send(message: SessionMessage): Promise<void> {
    const bytes = encodeChannelMessage(message);
    if (this.#closed || this.#stream.writeStatus !== 'writable') throw closedError();
    try {
      await this.#bytes.write(concat(lengthPrefix(bytes.length), bytes));
    } catch {
      // The stream was closed or reset under the write: the session is over either way.
      throw closedError();
    }
  }

  get messages(): AsyncIterable<SessionMessage> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<SessionMessage>> => {
          const message = await this.#next();
          return message === undefined ? { done: true, value: undefined } : { done: false, value: message };
        },
      }),
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reading.abort();
    this.#ended.abort();
    const stream = this.#stream;
    // Graceful: what was sent (a refusal, the last `paid`) is flushed before the end of the stream.
    stream.close({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch((error: unknown) => stream.abort(asError(error)));
    // A peer that never closes its end must not hold the stream open for good.
    const linger = setTimeout(() => {
      if (stream.status !== 'closed') stream.abort(new Error('the peer did not close its end of the session'));
    }, this.#options.lingerMs ?? REQUEST_TIMEOUT_MS);
    linger.unref();
    stream.addEventListener('close', () => clearTimeout(linger), { once: true });
  }

  /** The next message; `undefined` once either end closed. */
  async #next(): Promise<SessionMessage | undefined> {
    for (;;) {
      const frame = this.#frames.shift();
      if (frame !== undefined) return this.#decode(frame.subarray());
      if (this.#closed) return undefined;
      let chunk: Awaited<ReturnType<ByteStream<Stream>['read']>>;
      try {
        chunk = await this.#bytes.read({ signal: this.#reading.signal });
      } catch (error) {
        if (error instanceof Error && error.name === 'StreamBufferError')
          this.#fault(`sent more than ${MAX_SESSION_BUFFER_BYTES} unread bytes`);
        // This end closed, or the peer reset the stream or went away: not a fault (NET-7).
        return undefined;
      }
      if (chunk === null) return undefined;
      try {
        for (const decoded of this.#decoder.decode(chunk)) this.#frames.push(decoded);
      } catch (error) {
        if (error instanceof Error && FRAMING_ERRORS.has(error.name)) this.#fault(`bad session frame: ${error.message}`);
        throw error;
      }
    }
  }

  #decode(frame: Uint8Array): SessionMessage {
    try {
      return decodeSessionMessage(frame);
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      this.#fault(`sent bytes that are not a session message: ${error.message}`);
    }
  }

  /** NET-7: the peer broke the protocol. The session ends here and the peer is reported. */
  #fault(message: string): never {
    this.#closed = true;
    this.#reading.abort();
    this.#ended.abort();
    this.#stream.abort(new Error(message));
    this.#options.onFault(new PeerFault(this.#options.peer, message));
    throw new NodeError('NODE_SESSION_MALFORMED', `peer ${this.#options.peer} ${message}`, 'nothing to do: the peer was disconnected');
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Wraps a stream of the session protocol as a {@link SessionChannel}.
 *
 * @example
 * const stream = await connection.newStream(ids.sessionProtocol);
 * const channel = streamChannel(stream, { peer: connection.remotePeer.toString(), onFault });
 * await channel.send(locate);
 */
export function streamChannel(stream: Stream, options: StreamChannelOptions): SessionChannel {
  return new StreamChannel(stream, options);
}

/**
 * Opens a session stream on `connection` (the solver's side).
 *
 * @throws Error when the peer does not speak the protocol or does not answer in time
 */
export async function openSessionStream(
  connection: Connection,
  protocol: string,
  options: { onFault(fault: PeerFault): void; signal?: AbortSignal },
): Promise<SessionChannel> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const stream = await connection.newStream(protocol, { signal });
  return streamChannel(stream, { peer: connection.remotePeer.toString(), onFault: options.onFault });
}

/**
 * Serves the session protocol (the bidder's side): every stream a peer opens becomes a channel
 * handed to `handler`, within `limits` (default {@link SessionLimits}' defaults): an open past a
 * peer's limits is reset unread, and a peer that keeps trying is reported as a fault (NET-7).
 */
export async function serveSessions(
  host: ZiHost,
  protocol: string,
  options: { handler: SessionHandler; onFault(fault: PeerFault): void; onError(error: unknown): void; limits?: SessionLimits },
): Promise<void> {
  const limits = options.limits ?? new SessionLimits();
  await host.handle(protocol, (stream: Stream, connection: Connection) => {
    const peer = connection.remotePeer.toString();
    const admission = limits.admit(peer);
    if (admission !== 'open') {
      stream.abort(new Error('too many sessions from this peer'));
      if (admission === 'fault') options.onFault(new PeerFault(peer, 'opened sessions faster than it was allowed, again and again'));
      return;
    }
    stream.addEventListener('close', () => limits.closed(peer), { once: true });
    try {
      options.handler(streamChannel(stream, { peer, onFault: options.onFault }), peer);
    } catch (error) {
      stream.abort(asError(error));
      options.onError(error);
    }
  });
}
