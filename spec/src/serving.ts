import { base58 } from '@scure/base';
import { addressBytes, addressOf } from './address.js';
import { bytesEqual, concatBytes } from './bytes.js';
import { decodeCbor, encodeCbor } from './codec/cbor.js';
import { address, bytes, type Infer, list, mapped, struct, text, uint, wireError } from './codec/kinds.js';
import { SpecError } from './errors.js';
import { PUBLIC_KEY_BYTES, publicKeyOf, SIGNATURE_BYTES, sign, verify } from './keys.js';
import { domainSigningBytes } from './signing.js';
import { CHAIN_ID_PATTERN } from './tx.js';

/** Domain separation of serving announcements (KEY-6, NET-8): no other signature can be replayed as one. */
export const SERVING_SIGNING_DOMAIN = 'zi-serving/1';
/** NET-8: an announcement names at most this many multiaddrs … */
export const MAX_SERVING_ADDRS = 16;
/** … each of at most this many UTF-8 bytes. */
export const MAX_SERVING_ADDR_BYTES = 256;
/** NET-8: the canonical bytes of an announcement are at most this long (checked before decoding, ENC-4). */
export const MAX_SERVING_BYTES = 6 * 1024;
/** NET-8: an announcement is fresh while its `time` is within this of the receiver's clock (either way). */
export const SERVING_FRESH_MS = 10 * 60_000;
/** NET-8: a node serving a bidder announces again at least this often, well inside the freshness window. */
export const SERVING_REANNOUNCE_MS = 5 * 60_000;

/**
 * The multihash prefix of a libp2p peer id that inlines an Ed25519 public key: identity hash
 * (0x00) of 36 bytes (0x24), then the key's protobuf: `Type = Ed25519` (0x08 0x01) and `Data` of
 * 32 bytes (0x12 0x20).
 */
const ED25519_PEER_ID_PREFIX = new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]);
/** An Ed25519 peer id in base58btc text is 52 characters and starts `12D3KooW`. */
const PEER_ID_PATTERN = /^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/;

/**
 * The 32-byte Ed25519 public key a libp2p peer id inlines (NET-8): the base58btc text of an
 * identity multihash of the key's protobuf, as libp2p writes Ed25519 peer ids (`12D3KooW…`).
 *
 * @throws SpecError SPEC_PEER_ID_INVALID for any other text (another key type, a hashed id, a typo)
 * @example
 * peerIdPublicKey(peerIdOf(publicKey)); // publicKey
 */
export function peerIdPublicKey(peer: string): Uint8Array {
  let decoded: Uint8Array | undefined;
  if (typeof peer === 'string' && PEER_ID_PATTERN.test(peer)) {
    try {
      decoded = base58.decode(peer);
    } catch {
      decoded = undefined;
    }
  }
  const prefix = ED25519_PEER_ID_PREFIX.length;
  if (
    decoded === undefined ||
    decoded.length !== prefix + PUBLIC_KEY_BYTES ||
    !bytesEqual(decoded.subarray(0, prefix), ED25519_PEER_ID_PREFIX)
  ) {
    throw new SpecError(
      'SPEC_PEER_ID_INVALID',
      `${JSON.stringify(String(peer).slice(0, 80))} is not the peer id of an Ed25519 libp2p key`,
      'use the peer id a Zi node prints (12D3KooW…, 52 characters)',
    );
  }
  return decoded.slice(prefix);
}

/**
 * The libp2p peer id (base58btc text) of a 32-byte Ed25519 public key: what libp2p prints for a
 * node whose identity is that key.
 *
 * @example
 * peerIdOf(publicKeyOf(peerSecretKey)); // '12D3KooW…'
 */
export function peerIdOf(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new TypeError(`peerIdOf: publicKey must be ${PUBLIC_KEY_BYTES} bytes`);
  }
  return base58.encode(concatBytes(ED25519_PEER_ID_PREFIX, publicKey));
}

/** A peer id field: text that names an Ed25519 libp2p key (NET-8). */
const peerId = mapped(
  text(52, PEER_ID_PATTERN),
  (value, path) => {
    try {
      peerIdPublicKey(value);
    } catch {
      throw wireError(path, 'the peer id of an Ed25519 libp2p key', value);
    }
    return value;
  },
  (value) => value,
);

const sig = bytes(SIGNATURE_BYTES);

/**
 * NET-8: a node announces that it serves a bidder's solver sessions. `bidder` signs `sig` (the key
 * that signs the bidder's acks and payouts), and the node's libp2p key — the one `peer` names —
 * signs `peerSig`, both over the same bytes (KEY-6, domain `zi-serving/1`). Every address ends in
 * `/p2p/<peer>`, so a solver dials that node and no other.
 */
export const servingAnnouncement = struct({
  chain: text(32, CHAIN_ID_PATTERN),
  bidder: address(),
  peer: peerId,
  addrs: list(text(MAX_SERVING_ADDR_BYTES, /^\/\S+$/), MAX_SERVING_ADDRS, 1),
  /** ms since the epoch, by the announcing node's clock */
  time: uint(),
  sig,
  peerSig: sig,
});

export type ServingAnnouncement = Infer<typeof servingAnnouncement>;
/** An announcement before its two signatures. */
export type UnsignedServingAnnouncement = Omit<ServingAnnouncement, 'sig' | 'peerSig'>;

/**
 * NET-8: every address names the announcing peer, so that neither the bidder nor a node passing
 * the announcement on can send solvers to dial anybody else.
 */
function checkAddresses(announcement: UnsignedServingAnnouncement, path: string): void {
  const suffix = `/p2p/${announcement.peer}`;
  announcement.addrs.forEach((addr, i) => {
    if (!addr.endsWith(suffix)) throw wireError(`${path}.addrs[${i}]`, `a multiaddr ending in ${suffix}`, addr);
  });
}

/** The canonical bytes of a serving announcement (ENC-1). */
export function encodeServingAnnouncement(announcement: ServingAnnouncement): Uint8Array {
  checkAddresses(announcement, 'announcement');
  return encodeCbor(servingAnnouncement.toWire(announcement));
}

/**
 * Reads a serving announcement from bytes: at most `MAX_SERVING_BYTES` (ENC-4), canonical
 * (ENC-3), exactly its fields (ENC-5), an Ed25519 peer id and addresses that end in its
 * `/p2p/<peer>` (NET-8). The signatures are checked by {@link verifyServingAnnouncement}.
 *
 * @throws SpecError SPEC_CBOR_*, SPEC_FIELD_*
 */
export function decodeServingAnnouncement(data: Uint8Array): ServingAnnouncement {
  const announcement = servingAnnouncement.fromWire(decodeCbor(data, MAX_SERVING_BYTES), 'announcement');
  checkAddresses(announcement, 'announcement');
  return announcement;
}

/**
 * Checks the parts of a serving announcement read from JSON that its schema cannot state (the
 * addresses' `/p2p/` suffix), as {@link decodeServingAnnouncement} does for bytes.
 *
 * @throws SpecError SPEC_FIELD_INVALID
 */
export function checkServingAnnouncement(announcement: UnsignedServingAnnouncement, path = 'announcement'): void {
  checkAddresses(announcement, path);
}

/**
 * The bytes both keys sign (KEY-6, NET-8): `"zi-serving/1" || 0x00 || dagCbor(announcement
 * without sig and peerSig)`.
 */
export function servingSigningBytes(announcement: UnsignedServingAnnouncement): Uint8Array {
  const wire = servingAnnouncement.toWire({
    ...announcement,
    sig: new Uint8Array(SIGNATURE_BYTES),
    peerSig: new Uint8Array(SIGNATURE_BYTES),
  });
  const unsigned = { ...(wire as Record<string, unknown>) };
  delete unsigned.peerSig;
  return domainSigningBytes(SERVING_SIGNING_DOMAIN, unsigned);
}

/**
 * Signs a serving announcement with the bidder's key (`sig`) and the node's libp2p key
 * (`peerSig`, the 32-byte Ed25519 seed of the key `peer` names).
 *
 * @throws TypeError when a key is not the one its field names, or the addresses do not end in `/p2p/<peer>`
 * @example
 * const announcement = signServingAnnouncement({ chain, bidder, peer, addrs, time: Date.now() }, bidderKey, peerKey);
 */
export function signServingAnnouncement(
  announcement: UnsignedServingAnnouncement,
  bidderSecretKey: Uint8Array,
  peerSecretKey: Uint8Array,
): ServingAnnouncement {
  const { chain, bidder, peer, addrs, time } = announcement;
  const unsigned = { chain, bidder, peer, addrs: [...addrs], time };
  if (addressOf(publicKeyOf(bidderSecretKey)) !== bidder) {
    throw new TypeError('signServingAnnouncement: bidderSecretKey is not the key of bidder');
  }
  if (!bytesEqual(publicKeyOf(peerSecretKey), peerIdPublicKey(peer))) {
    throw new TypeError('signServingAnnouncement: peerSecretKey is not the key peer names');
  }
  try {
    checkAddresses(unsigned, 'announcement');
  } catch (error) {
    throw new TypeError(`signServingAnnouncement: ${(error as Error).message}`);
  }
  const message = servingSigningBytes(unsigned);
  return { ...unsigned, sig: sign(message, bidderSecretKey), peerSig: sign(message, peerSecretKey) };
}

/**
 * NET-8: checks both signatures of a serving announcement — `sig` by `bidder`, `peerSig` by the key
 * `peer` names — with the KEY-4 rule (`check`: `verify`, or a fast path that gives the same answer
 * on every input, KEY-5). Freshness and replacement are the receiver's (NET-8).
 *
 * @throws SpecError SPEC_SERVING_SIGNATURE, SPEC_SERVING_PEER_SIGNATURE
 */
export function verifyServingAnnouncement(
  announcement: ServingAnnouncement,
  check: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean = verify,
): void {
  const message = servingSigningBytes(announcement);
  if (!check(announcement.sig, message, addressBytes(announcement.bidder))) {
    throw new SpecError(
      'SPEC_SERVING_SIGNATURE',
      `the serving announcement is not signed by its bidder ${announcement.bidder}`,
      'sign it with the key that signs the bidder’s payouts (NET-8)',
    );
  }
  if (!check(announcement.peerSig, message, peerIdPublicKey(announcement.peer))) {
    throw new SpecError(
      'SPEC_SERVING_PEER_SIGNATURE',
      `the serving announcement is not signed by the key of peer ${announcement.peer}`,
      'sign it with the libp2p key of the announcing node (NET-8)',
    );
  }
}
