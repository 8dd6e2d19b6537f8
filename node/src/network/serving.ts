import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import {
  addressOf,
  decodeServingAnnouncement,
  encodeServingAnnouncement,
  MAX_SERVING_ADDR_BYTES,
  MAX_SERVING_ADDRS,
  publicKeyOf,
  SERVING_FRESH_MS,
  SERVING_REANNOUNCE_MS,
  type ServingAnnouncement,
  SpecError,
  signServingAnnouncement,
  utf8Bytes,
  verifyServingAnnouncement,
} from '@zi/spec';
import { verifyFast } from '../crypto/ed25519-fast.js';
import { MAX_SERVING_ANNOUNCEMENTS, MAX_UNPROVEN_ANNOUNCEMENTS, SERVING_BURST, SERVING_REFILL_MS } from './protocols.js';

/** A valid announcement as a node keeps it: decoded, and its canonical bytes to hand on (NET-8). */
export interface HeldAnnouncement {
  announcement: ServingAnnouncement;
  bytes: Uint8Array;
}

/** True while an announcement's `time` is within {@link SERVING_FRESH_MS} of `now`, either way (NET-8). */
export function isFresh(announcement: ServingAnnouncement, now: number): boolean {
  return Math.abs(now - announcement.time) <= SERVING_FRESH_MS;
}

export interface ServingBookOptions {
  /** bidders whose announcement was passed on (they had an open contract when it came; default 10,000) */
  capacity?: number;
  /** bidders with no open contract yet when theirs came (default 1,000) */
  unprovenCapacity?: number;
  now?: () => number;
}

/**
 * NET-8: the latest valid serving announcement per bidder. Two bounded maps, each evicting the
 * entry updated longest ago: announcements of bidders with an open contract when they came, and
 * the others ("unproven": a bidder whose contract this node has not seen yet). Keys are free to
 * make, so the unproven map is small and flooding it never evicts a real bidder's entry.
 */
export class ServingBook {
  readonly #proven = new Map<string, HeldAnnouncement>();
  readonly #unproven = new Map<string, HeldAnnouncement>();
  readonly #capacity: number;
  readonly #unprovenCapacity: number;
  readonly #now: () => number;

  constructor(options: ServingBookOptions = {}) {
    const { capacity = MAX_SERVING_ANNOUNCEMENTS, unprovenCapacity = MAX_UNPROVEN_ANNOUNCEMENTS } = options;
    for (const [name, value] of Object.entries({ capacity, unprovenCapacity })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`ServingBook: ${name} must be a positive integer`);
    }
    this.#capacity = capacity;
    this.#unprovenCapacity = unprovenCapacity;
    this.#now = options.now ?? Date.now;
  }

  /** Bidders held. */
  get size(): number {
    return this.#proven.size + this.#unproven.size;
  }

  /** The bidder's latest announcement, while fresh. */
  fresh(bidder: string): HeldAnnouncement | undefined {
    const held = this.#held(bidder);
    return held && isFresh(held.announcement, this.#now()) ? held : undefined;
  }

  /** True when `announcement` is newer than what is held for its bidder (NET-8: newer replaces older). */
  isNewer(announcement: ServingAnnouncement): boolean {
    const held = this.#held(announcement.bidder);
    return held === undefined || held.announcement.time < announcement.time;
  }

  /** Keeps a verified announcement, in place of the bidder's older one. */
  put(held: HeldAnnouncement, proven: boolean): void {
    const { bidder } = held.announcement;
    this.#proven.delete(bidder);
    this.#unproven.delete(bidder);
    const map = proven ? this.#proven : this.#unproven;
    map.set(bidder, held);
    const capacity = proven ? this.#capacity : this.#unprovenCapacity;
    // A Map iterates in insertion order, and `put` re-inserts: the first key is the stalest.
    for (const oldest of map.keys()) {
      if (map.size <= capacity) break;
      map.delete(oldest);
    }
  }

  /** The addresses fresh announcements give for `peer`, for dialling it by any of them. */
  addressesOf(peer: string): string[] {
    const now = this.#now();
    for (const map of [this.#proven, this.#unproven]) {
      for (const { announcement } of map.values()) {
        if (announcement.peer === peer && isFresh(announcement, now)) return [...announcement.addrs];
      }
    }
    return [];
  }

  #held(bidder: string): HeldAnnouncement | undefined {
    return this.#proven.get(bidder) ?? this.#unproven.get(bidder);
  }
}

/** What a node makes of a serving announcement it received (NET-8). */
export interface ServingVerdict {
  verdict: 'accept' | 'ignore' | 'reject';
  rule?: string;
  /** the bytes were not a well-formed announcement of this chain (NET-7: a ban) */
  malformed?: boolean;
  /** why an announcement was ignored */
  reason?: 'stale' | 'duplicate' | 'no-open-contract';
  /** the announcement, when it decoded */
  announcement?: ServingAnnouncement;
  /** true when the book took it (accepted, or kept as unproven) */
  stored?: boolean;
}

/** What {@link servingVerdict} needs of the node. */
export interface ServingContext {
  /** this chain's id (NET-1) */
  chain: string;
  book: ServingBook;
  now: number;
  /** true when `bidder` has an open contract without a validator in the head state */
  hasOpenContract(bidder: string): boolean;
}

/**
 * NET-8: checks a serving announcement and keeps it when valid. Not a well-formed announcement of
 * this chain (ENC-3, ENC-4, ENC-5, an address that is no multiaddr of `peer`): `reject`, malformed.
 * A signature that fails (KEY-4): `reject`. Older than what is held, or dated more than 10 minutes
 * from this node's clock: `ignore` (clocks differ; nothing to hold against the sender). A bidder
 * with no open contract here: kept as unproven and `ignore`d (not passed on: keys cost nothing,
 * contracts do). Else kept and `accept`ed, so it is passed on.
 */
export function servingVerdict(context: ServingContext, bytes: Uint8Array): ServingVerdict {
  let announcement: ServingAnnouncement;
  try {
    announcement = decodeServingAnnouncement(bytes);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const rule = error.code === 'SPEC_CBOR_TOO_LARGE' ? 'ENC-4' : error.code.startsWith('SPEC_CBOR') ? 'ENC-3' : 'NET-8';
    return { verdict: 'reject', rule, malformed: true };
  }
  if (announcement.chain !== context.chain) return { verdict: 'reject', rule: 'NET-1', malformed: true, announcement };
  if (!announcement.addrs.every((address) => isMultiaddrOf(address, announcement.peer))) {
    return { verdict: 'reject', rule: 'NET-8', malformed: true, announcement };
  }
  // Cheap checks before the two signatures: nothing ignored is kept or passed on.
  if (!isFresh(announcement, context.now)) return { verdict: 'ignore', rule: 'NET-8', reason: 'stale', announcement };
  if (!context.book.isNewer(announcement)) return { verdict: 'ignore', rule: 'NET-8', reason: 'duplicate', announcement };
  try {
    // KEY-5: the OpenSSL fast path, which agrees with KEY-4 on every input.
    verifyServingAnnouncement(announcement, verifyFast);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return { verdict: 'reject', rule: 'NET-8', announcement };
  }
  const proven = context.hasOpenContract(announcement.bidder);
  context.book.put({ announcement, bytes }, proven);
  return proven
    ? { verdict: 'accept', announcement, stored: true }
    : { verdict: 'ignore', rule: 'NET-8', reason: 'no-open-contract', announcement, stored: true };
}

/** True when `address` parses as a multiaddr ending in `/p2p/<peer>`. */
function isMultiaddrOf(address: string, peer: string): boolean {
  try {
    return peerOfAddress(multiaddr(address)) === peer;
  } catch {
    return false;
  }
}

/**
 * The peer id a multiaddr ends in (`…/p2p/<peer id>`), or undefined.
 *
 * @example
 * peerOfAddress(multiaddr('/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…')); // '12D3KooW…'
 */
export function peerOfAddress(address: Multiaddr): string | undefined {
  const last = address.getComponents().at(-1);
  return last?.name === 'p2p' ? last.value : undefined;
}

/** Addresses that mean "every interface": a solver elsewhere cannot dial them. */
const WILDCARD = /^\/(ip4\/0\.0\.0\.0|ip6\/::)\//;

/**
 * The addresses a node may announce (NET-8): its listen multiaddrs with `/p2p/<peer>`, without
 * wildcard or relay addresses, each at most 256 bytes, at most 16.
 *
 * @example
 * announceableAddresses(['/ip4/0.0.0.0/tcp/4001/p2p/12D3…', '/ip4/192.0.2.7/tcp/4001/p2p/12D3…'], '12D3…'); // the second
 */
export function announceableAddresses(addresses: readonly string[], peer: string): string[] {
  return addresses
    .filter(
      (address) =>
        address.endsWith(`/p2p/${peer}`) &&
        !WILDCARD.test(address) &&
        !address.includes('/p2p-circuit') &&
        utf8Bytes(address).length <= MAX_SERVING_ADDR_BYTES,
    )
    .slice(0, MAX_SERVING_ADDRS);
}

export interface ServingAnnouncerOptions {
  chain: string;
  /** the bidder's key (`sig`) */
  bidderSecretKey: Uint8Array;
  /** the 32-byte Ed25519 seed of the node's libp2p key (`peerSig`) */
  peerSecretKey: Uint8Array;
  peer: string;
  /** the node's listen multiaddrs now */
  addresses(): string[];
  /** true when some peer would hear an announcement (a peer subscribed to the topic) */
  heard(): boolean;
  /** publishes the canonical bytes on the serving topic */
  publish(bytes: Uint8Array, announcement: ServingAnnouncement): void;
  /** a failure of the node's own while announcing (announcing goes on at the next occasion) */
  onError(error: unknown): void;
  now?: () => number;
}

/**
 * The announcing side of NET-8, on the node serving a bidder: it announces when asked to
 * ({@link ServingAnnouncer.poke}: a peer subscribed to the topic, a contract of the bidder
 * connected) and every {@link SERVING_REANNOUNCE_MS} (5 minutes, inside the 10-minute freshness
 * window). Pokes are paced by a bucket of {@link SERVING_BURST} announcements refilled one per
 * {@link SERVING_REFILL_MS}, so peers connecting in a crowd cost the network a few announcements,
 * not one each: a poke past the bucket waits for the next token.
 */
export class ServingAnnouncer {
  /** the bidder announced for */
  readonly bidder: string;
  readonly #options: ServingAnnouncerOptions;
  readonly #bidderSecretKey: Uint8Array;
  readonly #now: () => number;
  #tokens = SERVING_BURST;
  /** the time of the last announcement: each one is newer than the one before (NET-8) */
  #lastTime = 0;
  #refilledAt: number;
  #period: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ServingAnnouncerOptions) {
    this.#options = options;
    // A copy: the caller may wipe its key once the node has started.
    this.#bidderSecretKey = options.bidderSecretKey.slice();
    this.bidder = addressOf(publicKeyOf(this.#bidderSecretKey));
    this.#now = options.now ?? Date.now;
    this.#refilledAt = this.#now();
  }

  /** Announces now (when a peer would hear it) and then every 5 minutes. */
  start(): void {
    this.poke();
    this.#period = setInterval(() => this.#announceSafely(), SERVING_REANNOUNCE_MS);
    this.#period.unref();
  }

  /** A reason to announce: now if the bucket allows, else once it does (one waiting announcement at most). */
  poke(): void {
    if (this.#stopped || this.#pending || !this.#options.heard()) return;
    const now = this.#now();
    this.#tokens = Math.min(SERVING_BURST, this.#tokens + (now - this.#refilledAt) / SERVING_REFILL_MS);
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#announceSafely();
      return;
    }
    this.#pending = setTimeout(
      () => {
        this.#pending = undefined;
        this.poke();
      },
      Math.ceil((1 - this.#tokens) * SERVING_REFILL_MS),
    );
    this.#pending.unref();
  }

  /** Signs and publishes an announcement of the node's dialable addresses; none when it has none. */
  announce(): ServingAnnouncement | undefined {
    if (this.#stopped) return undefined;
    const { chain, peerSecretKey, peer } = this.#options;
    const addrs = announceableAddresses(this.#options.addresses(), peer);
    if (addrs.length === 0) return undefined;
    this.#lastTime = Math.max(this.#now(), this.#lastTime + 1);
    const announcement = signServingAnnouncement(
      { chain, bidder: this.bidder, peer, addrs, time: this.#lastTime },
      this.#bidderSecretKey,
      peerSecretKey,
    );
    this.#options.publish(encodeServingAnnouncement(announcement), announcement);
    return announcement;
  }

  /** Announcing runs from timers and event listeners: a failure is reported, never thrown at them. */
  #announceSafely(): void {
    try {
      this.announce();
    } catch (error) {
      this.#options.onError(error);
    }
  }

  /** Stops announcing and wipes its copy of the bidder's key. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#period);
    clearTimeout(this.#pending);
    this.#bidderSecretKey.fill(0);
  }
}
