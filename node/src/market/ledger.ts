import type { IndexRange } from '@zi/spec';
import type { ZiNode } from '../node.js';
import { type ContractEntry, decodeSolved, solvedKey } from '../state/entries.js';
import { pickUnsolved, unionRanges } from './ranges.js';

/** A signed payout this many blocks deep is taken as final and leaves the escrow bookkeeping. */
const FINAL_DEPTH = 64;

/**
 * What a bidder remembers of one of its contracts across sessions, read together with the chain:
 * the indices it signed payouts for (never signed again: a signed payout stays valid until it is
 * included or the contract closes), the amounts of those payouts not yet in the main chain (reserved
 * from the escrow), and per live session its lease and the batch it is validating.
 */
export class ContractLedger {
  readonly contract: string;
  readonly #node: ZiNode;
  #signed: IndexRange[] = [];
  /** payout id → amount, until the payout is final */
  readonly #payouts = new Map<string, bigint>();
  readonly #claims = new Map<number, IndexRange[]>();
  readonly #leases = new Map<number, IndexRange[]>();

  constructor(node: ZiNode, contract: string) {
    this.#node = node;
    this.contract = contract;
  }

  /** Indices session `session` must not be paid for: paid on chain, signed, claimed by or leased to another session. */
  taken(session: number): IndexRange[] {
    const solved = decodeSolved(this.#node.chain.state.get(solvedKey(this.contract)));
    const others = [...this.#claims, ...this.#leases].filter(([owner]) => owner !== session).map(([, ranges]) => ranges);
    return unionRanges(solved, this.#signed, ...others);
  }

  /** Leases `session` the lowest `count` free indices of `[0, mcus)` (at most `maxRanges` ranges); empty when none is free. */
  lease(session: number, mcus: number, count: number, maxRanges: number): IndexRange[] {
    const lease = pickUnsolved(this.taken(session), mcus, count, maxRanges);
    if (lease.length > 0) this.#leases.set(session, lease);
    return lease;
  }

  /** Marks a batch as being validated for `session`: no other session can pass `taken` with it meanwhile. */
  claim(session: number, ranges: IndexRange[]): void {
    this.#claims.set(session, ranges);
  }

  unclaim(session: number): void {
    this.#claims.delete(session);
  }

  /** The session ended: its lease and claim are free again. */
  release(session: number): void {
    this.#claims.delete(session);
    this.#leases.delete(session);
  }

  /** Records a payout this bidder signed. */
  signed(id: string, ranges: readonly IndexRange[], amount: bigint): void {
    this.#signed = unionRanges(this.#signed, ranges);
    this.#payouts.set(id, amount);
  }

  /**
   * The escrow new payouts may use: the head state's escrow minus the signed payouts not in the
   * main chain. Re-read against the chain every time, so a reorg that takes a payout out puts its
   * amount back under reservation.
   */
  escrowLeft(entry: ContractEntry): bigint {
    const height = this.#node.chain.head().height;
    let reserved = 0n;
    for (const [id, amount] of this.#payouts) {
      const location = this.#node.queries.transactionLocation(id);
      if (!location) reserved += amount;
      else if (height - location.height >= FINAL_DEPTH) this.#payouts.delete(id);
    }
    return entry.escrow > reserved ? entry.escrow - reserved : 0n;
  }
}
