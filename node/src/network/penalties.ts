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

export interface PenaltyOptions {
  /** strikes that get a peer banned (default 3) */
  maxStrikes?: number;
  /** how long a ban lasts, in ms (default 10 minutes) */
  banMs?: number;
  now?: () => number;
}

/**
 * NET-7: strikes against peers and the bans they lead to. A rejected gossip message is one strike
 * against the peer that forwarded it; a malformed frame or a protocol fault is a ban at once. A
 * banned peer is disconnected, and the connection gater refuses it both ways until the ban ends.
 */
export class PeerPenalties {
  readonly #maxStrikes: number;
  readonly #banMs: number;
  readonly #now: () => number;
  readonly #strikes = new Map<string, number>();
  readonly #bannedUntil = new Map<string, number>();
  readonly #onBan: (peer: string, reason: string) => void;

  /** `onBan` disconnects the peer (and reports it); it is called once per ban. */
  constructor(onBan: (peer: string, reason: string) => void, options: PenaltyOptions = {}) {
    this.#onBan = onBan;
    this.#maxStrikes = options.maxStrikes ?? 3;
    this.#banMs = options.banMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** One strike against `peer`; the last one allowed bans it. */
  strike(peer: string, reason: string): void {
    if (this.isBanned(peer)) return;
    const strikes = (this.#strikes.get(peer) ?? 0) + 1;
    if (strikes >= this.#maxStrikes) this.ban(peer, reason);
    else this.#strikes.set(peer, strikes);
  }

  /** Bans `peer` now. */
  ban(peer: string, reason: string): void {
    if (this.isBanned(peer)) return;
    this.#strikes.delete(peer);
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
