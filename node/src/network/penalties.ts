import type { ConnectionGater, PeerId } from '@libp2p/interface';
import { NodeError } from '../errors.js';

/**
 * A peer broke the network protocol: a malformed or oversized frame, an invalid block served by
 * sync, content that does not hash to its CID. The peer is banned (NET-7).
 */
export class PeerFault extends NodeError {
  readonly peer: string;
  constructor(peer: string, message: string) {
    super('NODE_PEER_MISBEHAVED', `peer ${peer}: ${message}`, 'nothing to do: the node disconnects such peers by itself');
    this.name = 'PeerFault';
    this.peer = peer;
  }
}

/**
 * Strikes that fade: each one counts for `decayMs` after it was given, so a peer is judged on what
 * it did lately, not on three slips spread over a week.
 */
export class DecayingStrikes {
  readonly #decayMs: number;
  readonly #now: () => number;
  /** per peer, the times of its strikes still counting, oldest first */
  readonly #times = new Map<string, number[]>();

  constructor(decayMs: number, now: () => number = Date.now) {
    if (!(decayMs > 0)) throw new RangeError('DecayingStrikes: decayMs must be above 0');
    this.#decayMs = decayMs;
    this.#now = now;
  }

  /** Adds a strike against `peer`; returns how many count now (this one included). */
  add(peer: string): number {
    const times = this.#live(peer);
    times.push(this.#now());
    this.#times.set(peer, times);
    return times.length;
  }

  /** The strikes against `peer` that still count. */
  count(peer: string): number {
    return this.#live(peer).length;
  }

  forget(peer: string): void {
    this.#times.delete(peer);
  }

  #live(peer: string): number[] {
    const since = this.#now() - this.#decayMs;
    const times = (this.#times.get(peer) ?? []).filter((time) => time > since);
    if (times.length === 0) this.#times.delete(peer);
    return times;
  }
}

export interface PenaltyOptions {
  /** strikes that get a peer banned (default 3) */
  maxStrikes?: number;
  /** how long a strike counts, in ms (default 10 minutes) */
  strikeDecayMs?: number;
  /** how long a ban lasts, in ms (default 10 minutes) */
  banMs?: number;
  now?: () => number;
}

/**
 * NET-7: strikes against peers and the bans they lead to. A rejected gossip message is one strike
 * against the peer that forwarded it, counting for `strikeDecayMs`; `maxStrikes` counting at once,
 * or one malformed frame or protocol fault, ban the peer. A banned peer is disconnected, and the
 * connection gater refuses it both ways until the ban ends.
 */
export class PeerPenalties {
  readonly #maxStrikes: number;
  readonly #banMs: number;
  readonly #now: () => number;
  readonly #strikes: DecayingStrikes;
  readonly #bannedUntil = new Map<string, number>();
  readonly #onBan: (peer: string, reason: string) => void;

  /** `onBan` disconnects the peer (and reports it); it is called once per ban. */
  constructor(onBan: (peer: string, reason: string) => void, options: PenaltyOptions = {}) {
    this.#onBan = onBan;
    this.#maxStrikes = options.maxStrikes ?? 3;
    this.#banMs = options.banMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#strikes = new DecayingStrikes(options.strikeDecayMs ?? 10 * 60_000, this.#now);
  }

  /** One strike against `peer`; the last one allowed bans it. */
  strike(peer: string, reason: string): void {
    if (this.isBanned(peer)) return;
    if (this.#strikes.add(peer) >= this.#maxStrikes) this.ban(peer, reason);
  }

  /** Strikes against `peer` that still count. */
  strikes(peer: string): number {
    return this.#strikes.count(peer);
  }

  /** Bans `peer` now. */
  ban(peer: string, reason: string): void {
    if (this.isBanned(peer)) return;
    this.#strikes.forget(peer);
    this.#bannedUntil.set(peer, this.#now() + this.#banMs);
    this.#onBan(peer, reason);
  }

  isBanned(peer: string): boolean {
    const until = this.#bannedUntil.get(peer);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#bannedUntil.delete(peer);
    return false;
  }

  /** Refuses banned peers on every kind of connection. */
  gater(): ConnectionGater {
    const denied = (peerId: PeerId): boolean => this.isBanned(peerId.toString());
    return {
      denyDialPeer: denied,
      denyInboundEncryptedConnection: denied,
      denyOutboundEncryptedConnection: denied,
    };
  }
}

export interface SessionLimitOptions {
  /** sessions one peer may have open at once (default 32) */
  maxOpenPerPeer?: number;
  /** session opens a peer may make in a burst (default 32) … */
  burst?: number;
  /** … and how many it earns back per second (default 2) */
  perSecond?: number;
  /** refused opens within `strikeDecayMs` that make a fault (default 3) */
  maxStrikes?: number;
  /** how long a refused open counts against the peer (default 60 s) */
  strikeDecayMs?: number;
  now?: () => number;
}

/** What {@link SessionLimits.admit} decides about a session a peer opens. */
export type SessionAdmission = 'open' | 'throttled' | 'fault';

/**
 * The bidder's side of session opens, per peer: at most `maxOpenPerPeer` open at once, and opens
 * paced by a token bucket (`burst`, refilled at `perSecond`). An open past either limit is
 * `throttled` (the stream is reset unread) and counts as a strike; `maxStrikes` strikes within
 * `strikeDecayMs` make it a `fault` (NET-7: the peer is banned). A solver opens a session per
 * core and a new one per lease, far below these; a peer opening sessions in a tight loop, or
 * locating over and over, is throttled within a burst and banned a few opens later.
 */
export class SessionLimits {
  readonly #maxOpen: number;
  readonly #burst: number;
  readonly #perMs: number;
  readonly #maxStrikes: number;
  readonly #now: () => number;
  readonly #strikes: DecayingStrikes;
  readonly #open = new Map<string, number>();
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: SessionLimitOptions = {}) {
    const { maxOpenPerPeer = 32, burst = 32, perSecond = 2, maxStrikes = 3, strikeDecayMs = 60_000 } = options;
    for (const [name, value] of Object.entries({ maxOpenPerPeer, burst, maxStrikes })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`SessionLimits: ${name} must be a positive integer`);
    }
    if (!(perSecond > 0)) throw new RangeError('SessionLimits: perSecond must be above 0');
    this.#maxOpen = maxOpenPerPeer;
    this.#burst = burst;
    this.#perMs = perSecond / 1000;
    this.#maxStrikes = maxStrikes;
    this.#now = options.now ?? Date.now;
    this.#strikes = new DecayingStrikes(strikeDecayMs, this.#now);
  }

  /** Decides on a session `peer` opens; an `open` one must be followed by {@link closed} when it ends. */
  admit(peer: string): SessionAdmission {
    const now = this.#now();
    const bucket = this.#buckets.get(peer) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    this.#buckets.set(peer, bucket);
    const open = this.#open.get(peer) ?? 0;
    if (bucket.tokens >= 1 && open < this.#maxOpen) {
      bucket.tokens -= 1;
      this.#open.set(peer, open + 1);
      return 'open';
    }
    if (this.#strikes.add(peer) < this.#maxStrikes) return 'throttled';
    this.#strikes.forget(peer);
    return 'fault';
  }

  /** A session `admit` let in has ended. */
  closed(peer: string): void {
    const open = (this.#open.get(peer) ?? 1) - 1;
    if (open > 0) this.#open.set(peer, open);
    else this.#open.delete(peer);
    const bucket = this.#buckets.get(peer);
    // A full bucket with nothing open is the default state: keep no entry for an idle peer.
    if (open <= 0 && bucket && bucket.tokens + (this.#now() - bucket.at) * this.#perMs >= this.#burst) this.#buckets.delete(peer);
  }

  /** Sessions `peer` has open. */
  openSessions(peer: string): number {
    return this.#open.get(peer) ?? 0;
  }
}
