import { decodeSessionMessage, encodeSessionMessage, MAX_SESSION_MESSAGE_BYTES, type SessionMessage, SpecError } from '@zi/spec';
import { NodeError } from '../errors.js';

/**
 * The bytes a channel sends for `message`: its canonical encoding, refused over the SES-6 size limit
 * (what every {@link SessionChannel} implementation sends through).
 */
export function encodeChannelMessage(message: SessionMessage): Uint8Array {
  const bytes = encodeSessionMessage(message);
  if (bytes.length > MAX_SESSION_MESSAGE_BYTES) {
    throw new NodeError(
      'NODE_SESSION_MESSAGE_TOO_LARGE',
      `the ${message.type} message is ${bytes.length} bytes, more than ${MAX_SESSION_MESSAGE_BYTES} (SES-6)`,
      'send smaller batches',
    );
  }
  return bytes;
}

/**
 * One end of a solver session (SES-1 … SES-7): what the bidder and the solver need from a
 * transport, and nothing more. A libp2p stream carries it as length-prefixed
 * `encodeSessionMessage` bytes; {@link createChannelPair} connects two ends in one process.
 *
 * - `send` resolves once the message is queued for the peer (it waits while the peer's queue is
 *   full) and rejects with `NODE_SESSION_CLOSED` once either end has closed.
 * - `messages` yields the peer's messages in order and ends when the peer closes (after the
 *   messages it sent before) or this end closes. Bytes that are not a session message throw
 *   `NODE_SESSION_MALFORMED` from the iterator. One consumer at a time.
 * - `close` ends the session both ways; calling it again does nothing.
 * - `ended` aborts once the session is over at either end: this end closed it, or the peer closed
 *   its end, reset the stream or went away. Nothing sent after that reaches anyone, so a bidder
 *   checks it before it signs a payout for a solver that may be gone.
 */
export interface SessionChannel {
  send(message: SessionMessage): Promise<void>;
  readonly messages: AsyncIterable<SessionMessage>;
  close(): void;
  readonly ended: AbortSignal;
}

export interface ChannelPairOptions {
  /** messages queued per direction before `send` waits (default 16) */
  capacity?: number;
}

const closedError = () => new NodeError('NODE_SESSION_CLOSED', 'the session channel is closed', 'open a new session (send a new locate)');

/** One direction of a pair: a bounded queue of encoded messages. */
class ByteQueue {
  readonly #items: Uint8Array[] = [];
  readonly #readers: Array<(bytes: Uint8Array | undefined) => void> = [];
  readonly #writers: Array<{ bytes: Uint8Array; resolve: () => void; reject: (error: Error) => void }> = [];
  readonly #capacity: number;
  /** no more writes; readers drain what is queued */
  #ended = false;
  /** no more reads either: what is queued is dropped */
  #aborted = false;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(bytes: Uint8Array): Promise<void> {
    if (this.#ended) return Promise.reject(closedError());
    const reader = this.#readers.shift();
    if (reader) {
      reader(bytes);
      return Promise.resolve();
    }
    if (this.#items.length < this.#capacity) {
      this.#items.push(bytes);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#writers.push({ bytes, resolve, reject }));
  }

  shift(): Promise<Uint8Array | undefined> {
    const bytes = this.#items.shift();
    if (bytes) {
      const writer = this.#writers.shift();
      if (writer) {
        this.#items.push(writer.bytes);
        writer.resolve();
      }
      return Promise.resolve(bytes);
    }
    if (this.#ended || this.#aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#readers.push(resolve));
  }

  /** The writer is done: queued messages are still delivered, waiting writers fail. */
  end(): void {
    this.#ended = true;
    for (const writer of this.#writers.splice(0)) writer.reject(closedError());
    if (this.#items.length === 0) for (const reader of this.#readers.splice(0)) reader(undefined);
  }

  /** The reader is gone: nothing more is delivered. */
  abort(): void {
    this.#aborted = true;
    this.#items.length = 0;
    this.end();
  }
}

class ChannelEnd implements SessionChannel {
  readonly #inbound: ByteQueue;
  readonly #outbound: ByteQueue;
  /** shared by both ends: either one closing ends the session */
  readonly #ended: AbortController;

  constructor(inbound: ByteQueue, outbound: ByteQueue, ended: AbortController) {
    this.#inbound = inbound;
    this.#outbound = outbound;
    this.#ended = ended;
  }

  get ended(): AbortSignal {
    return this.#ended.signal;
  }

  async send(message: SessionMessage): Promise<void> {
    await this.#outbound.push(encodeChannelMessage(message));
  }

  get messages(): AsyncIterable<SessionMessage> {
    const inbound = this.#inbound;
    return {
      [Symbol.asyncIterator]: () => ({
        async next(): Promise<IteratorResult<SessionMessage>> {
          const bytes = await inbound.shift();
          if (bytes === undefined) return { done: true, value: undefined };
          try {
            return { done: false, value: decodeSessionMessage(bytes) };
          } catch (error) {
            if (!(error instanceof SpecError)) throw error;
            throw new NodeError(
              'NODE_SESSION_MALFORMED',
              `the peer sent bytes that are not a session message: ${error.message}`,
              error.hint,
            );
          }
        },
      }),
    };
  }

  close(): void {
    this.#outbound.end();
    this.#inbound.abort();
    this.#ended.abort();
  }
}

/**
 * Two connected ends of a session in one process. Every message is encoded to its canonical
 * bytes on `send` and decoded on the other side, exactly as a network stream would, so the wire
 * format is exercised; each direction holds at most `capacity` messages.
 *
 * @example
 * const [bidderEnd, solverEnd] = createChannelPair();
 * void bidder.handle(bidderEnd);
 * await new SolverSession({ channel: solverEnd, ... }).run();
 */
export function createChannelPair(options: ChannelPairOptions = {}): [SessionChannel, SessionChannel] {
  const capacity = options.capacity ?? 16;
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('createChannelPair: capacity must be a positive integer');
  const aToB = new ByteQueue(capacity);
  const bToA = new ByteQueue(capacity);
  const ended = new AbortController();
  return [new ChannelEnd(bToA, aToB, ended), new ChannelEnd(aToB, bToA, ended)];
}

/**
 * Reads a channel one message at a time, with an abort signal: `next` resolves to the next message,
 * or `undefined` when the channel ended or the signal aborted.
 */
export class MessageReader {
  readonly #iterator: AsyncIterator<SessionMessage>;

  constructor(channel: SessionChannel) {
    this.#iterator = channel.messages[Symbol.asyncIterator]();
  }

  async next(signal?: AbortSignal): Promise<SessionMessage | undefined> {
    if (signal?.aborted) return undefined;
    const read = this.#iterator.next().then((result) => (result.done ? undefined : result.value));
    if (!signal) return read;
    let onAbort = (): void => {};
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([read, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      // A read still pending after an abort ends when the channel is closed; its outcome is moot.
      read.catch(() => undefined);
    }
  }
}
