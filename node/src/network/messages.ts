import { decodeCbor, encodeCbor, type Infer, type Kind, kinds, MAX_BLOCK_BYTES, MAX_SERVING_BYTES } from '@zi/spec';
import { MAX_BLOCKS_PER_REQUEST, MAX_CONTENT_BYTES, MAX_LOCATOR_ENTRIES, MAX_SESSION_PEER_ADDRS } from './protocols.js';

const { byteString, cid, list, literal, struct, tagged, text, uint } = kinds;

/** NET-3: cumulative work as a decimal integer (2^256 has 78 digits). */
const workText = text(80, /^(0|[1-9][0-9]*)$/);

/** A request on `/zi/<chain>/sync/1` (NET-3, NET-4). */
export const syncRequest = tagged({
  status: struct({ type: literal('status') }),
  locate: struct({
    type: literal('locate'),
    locator: list(struct({ height: uint(), id: cid('dag-cbor') }), MAX_LOCATOR_ENTRIES, 1),
  }),
  blocks: struct({ type: literal('blocks'), from: uint(), count: uint(MAX_BLOCKS_PER_REQUEST) }),
});
export type SyncRequest = Infer<typeof syncRequest>;

/** A response on `/zi/<chain>/sync/1`: one frame per request. */
export const syncResponse = tagged({
  status: struct({ type: literal('status'), genesis: cid('dag-cbor'), head: cid('dag-cbor'), height: uint(), work: workText }),
  located: struct({ type: literal('located'), height: uint() }),
  blocks: struct({ type: literal('blocks'), blocks: list(byteString(MAX_BLOCK_BYTES), MAX_BLOCKS_PER_REQUEST) }),
  error: struct({ type: literal('error'), code: text(64, /^[A-Z0-9_]+$/), message: text(256) }),
});
export type SyncResponse = Infer<typeof syncResponse>;

/** A request on `/zi/<chain>/content/1` (NET-6). */
export const contentRequest = tagged({
  get: struct({ type: literal('get'), cid: cid('raw') }),
});
export type ContentRequest = Infer<typeof contentRequest>;

/** A response on `/zi/<chain>/content/1`. */
export const contentResponse = tagged({
  content: struct({ type: literal('content'), bytes: byteString(MAX_CONTENT_BYTES) }),
  missing: struct({ type: literal('missing') }),
});
export type ContentResponse = Infer<typeof contentResponse>;

/** A request on `/zi/<chain>/bidder/1`: where are the sessions of this contract served? */
export const bidderRequest = tagged({
  sessionPeers: struct({ type: literal('sessionPeers'), contract: cid('dag-cbor') }),
});
export type BidderRequest = Infer<typeof bidderRequest>;

/**
 * A response on `/zi/<chain>/bidder/1`: the responder's own multiaddrs when it serves the
 * contract's bidder (`sessionPeers`), else the bidder's latest serving announcement it holds
 * (`announced`, NET-8: the requester checks it as if gossiped), else `sessionPeers` with none.
 */
export const bidderResponse = tagged({
  sessionPeers: struct({ type: literal('sessionPeers'), addrs: list(text(256), MAX_SESSION_PEER_ADDRS) }),
  announced: struct({ type: literal('announced'), announcement: byteString(MAX_SERVING_BYTES) }),
});
export type BidderResponse = Infer<typeof bidderResponse>;

/** A message as one canonical DAG-CBOR frame (ENC-1). */
export function encodeMessage<T>(kind: Kind<T>, message: T): Uint8Array {
  return encodeCbor(kind.toWire(message));
}

/**
 * Reads a frame as a message of `kind`: canonical DAG-CBOR (ENC-3) of at most `maxBytes`, with
 * exactly the fields listed (ENC-5).
 *
 * @throws SpecError when the frame is not such a message
 */
export function decodeMessage<T>(kind: Kind<T>, frame: Uint8Array, maxBytes: number): T {
  return kind.fromWire(decodeCbor(frame, maxBytes), 'message');
}
