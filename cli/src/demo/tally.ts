import type { DemoEvent, SolverTally } from './story.js';

/** A paid batch, as `zi solve --json` reports it (`batch` lines). */
export interface PaidBatch {
  seq: number;
  mcus: number;
  /** Li received: the payout's amount minus its fee */
  earned: bigint;
  /** the payout's transaction id */
  payout: string;
}

/** One solver's part of the job so far. */
interface Share {
  readonly name: string;
  mcus: number;
  batches: number;
  earned: bigint;
  /** sizes of the batches told, while its first session grows them */
  sizes: number[];
  /** its first session ended or reached the cap: no more batch lines */
  quiet: boolean;
}

/**
 * The job's accounts as the solvers report their paid batches, and what of it is worth telling:
 * each solver's first batches while they double (SES-3: 1, 2, 4 … MCUs), the cap they stop at,
 * then one progress line per tenth of the job — never a line per batch for 400 batches.
 *
 * @example
 * const tally = new JobTally({ total: 80_000, price: 100n, solvers: ['solver A'] });
 * tally.batch('solver A', { seq: 0, mcus: 1, earned: 90n, payout }, { height: 3, elapsedMs: 800 });
 * // [{ event: 'batch', solver: 'solver A', seq: 0, mcus: 1, amount: '100', earned: '90', payout, height: null }]
 */
export class JobTally {
  readonly total: number;
  readonly #price: bigint;
  readonly #shares: Share[];
  #nextPercent = 10;

  constructor(options: { total: number; price: bigint; solvers: readonly string[] }) {
    if (!Number.isSafeInteger(options.total) || options.total < 1) throw new RangeError('JobTally: total must be a positive integer');
    this.total = options.total;
    this.#price = options.price;
    this.#shares = options.solvers.map((name) => ({ name, mcus: 0, batches: 0, earned: 0n, sizes: [], quiet: false }));
  }

  /** MCUs paid, over every solver. */
  get paid(): number {
    return this.#shares.reduce((sum, s) => sum + s.mcus, 0);
  }

  /** Each solver's MCUs, batches and Li so far. */
  shares(): SolverTally[] {
    return this.#shares.map((s) => ({ name: s.name, mcus: s.mcus, batches: s.batches, earned: s.earned.toString() }));
  }

  /**
   * Counts a paid batch; returns the story's steps it makes (a `batch` step's `height` is left
   * null for the caller to look up).
   */
  batch(solver: string, batch: PaidBatch, now: { height: number; elapsedMs: number }): DemoEvent[] {
    const share = this.#share(solver);
    share.mcus += batch.mcus;
    share.batches++;
    share.earned += batch.earned;
    const steps: DemoEvent[] = [];
    if (!share.quiet) {
      const last = share.sizes[share.sizes.length - 1];
      if (last === undefined || batch.mcus === last * 2) {
        share.sizes.push(batch.mcus);
        steps.push({
          event: 'batch',
          solver,
          seq: batch.seq,
          mcus: batch.mcus,
          amount: (this.#price * BigInt(batch.mcus)).toString(),
          earned: batch.earned.toString(),
          payout: batch.payout,
          height: null,
        });
      } else {
        // The size stopped doubling: the bidder's cap (or the end of the lease).
        share.quiet = true;
        steps.push({ event: 'capped', solver, mcus: last, sizes: [...share.sizes] });
      }
    }
    const paid = this.paid;
    const percent = Math.floor((paid * 100) / this.total);
    if (percent >= this.#nextPercent && paid < this.total) {
      const step = Math.floor(percent / 10) * 10;
      this.#nextPercent = step + 10;
      steps.push({
        event: 'progress',
        paid,
        total: this.total,
        percent: step,
        height: now.height,
        mcusPerSecond: now.elapsedMs > 0 ? Math.round((paid * 1000) / now.elapsedMs) : 0,
        solvers: this.shares(),
      });
    }
    return steps;
  }

  /**
   * A session of `solver` ended: the next starts again at one MCU (SES-3), which the story does
   * not tell again.
   */
  sessionEnded(solver: string): void {
    this.#share(solver).quiet = true;
  }

  #share(name: string): Share {
    const share = this.#shares.find((s) => s.name === name);
    if (!share) throw new RangeError(`JobTally: no solver named ${name}`);
    return share;
  }
}
