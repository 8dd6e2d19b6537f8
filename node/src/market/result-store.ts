import type { IndexRange } from '@zi/spec';
import type { Sqlite } from '../store/database.js';

/** A batch whose payout the bidder signed, with its results split by range (see `readBatchResults`). */
export interface StoredBatch {
  contract: string;
  solver: string;
  /** the batch's seq in its session */
  seq: number;
  /** the id of the signed payout */
  payout: string;
  /** the payout's ranges, canonical (RNG-2) */
  ranges: readonly IndexRange[];
  /** per range, the JSON text `[[index, output], …]` of its results, indices ascending */
  perRange: readonly string[];
  /** false when the batch was sampled out of validation (SES-5) */
  validated: boolean;
}

/** Where the bidder hands the results of each batch it signs a payout for. */
export interface BatchResultSink {
  put(batch: StoredBatch): void;
}

/** A page of a contract's results (see {@link ResultStore.page}). */
export interface ResultPage {
  /** the JSON text `[[index, output], …]` of the page's ranges, indices ascending */
  entries: string;
  /** MCUs of the page's ranges */
  mcus: number;
  /** the `after` of the next page; undefined on the last one */
  next?: number;
}

/** What the store holds of one contract. */
export interface StoredSummary {
  /** MCUs whose results are kept */
  mcus: number;
  /** batches (signed payouts) they came in */
  batches: number;
}

interface Row {
  first: number;
  count: number;
  payout: string;
  solver: string;
  seq: number;
  validated: number;
  stored: number;
  results: Buffer;
}

/** MCUs per page unless asked otherwise, and the most a page may be asked for. */
export const DEFAULT_PAGE_MCUS = 10_000;
export const MAX_PAGE_MCUS = 100_000;

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The results of the batches a bidder's node signed payouts for, kept in the node's database
 * (table `results`, one row per range of a batch). Batches whose payouts never reach the chain
 * stay too: the bidder validated them. A row holds one contiguous range; ranges of one contract
 * never share an index, so rows read in order of their first index give the results in index
 * order, and a page is a run of whole rows.
 *
 * Each batch is written in one SQLite transaction (WAL, `synchronous=FULL`): after a crash the
 * store holds the whole batch or none of it.
 *
 * @example
 * const store = new ResultStore(node.chain.db);
 * store.put({ contract, solver, seq: 0, payout, ranges: [{ from: 0, count: 1 }], perRange: ['[[0,7]]'], validated: true });
 * store.page(contract, { after: -1, limit: 1000 }); // { entries: '[[0,7]]', mcus: 1 }
 */
export class ResultStore {
  readonly #db: Sqlite;
  readonly #insert;
  readonly #overlapping;
  readonly #delete;
  readonly #page;
  readonly #summary;
  readonly #now: () => number;

  constructor(db: Sqlite, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#insert = db.prepare<[string, number, number, string, string, number, number, number, Uint8Array]>(
      'INSERT INTO results (contract, first, count, payout, solver, seq, validated, stored, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#overlapping = db.prepare<[string, number, number], Row>(
      'SELECT * FROM results WHERE contract = ? AND first < ? AND first + count > ? ORDER BY first',
    );
    this.#delete = db.prepare<[string, number]>('DELETE FROM results WHERE contract = ? AND first = ?');
    this.#page = db.prepare<[string, number], Pick<Row, 'first' | 'count' | 'results'>>(
      'SELECT first, count, results FROM results WHERE contract = ? AND first > ? ORDER BY first',
    );
    this.#summary = db.prepare<[string], { mcus: number | null; batches: number }>(
      'SELECT SUM(count) AS mcus, COUNT(DISTINCT payout) AS batches FROM results WHERE contract = ?',
    );
  }

  /**
   * Keeps a batch's results, all of its ranges or none. Rows of an earlier batch that share
   * indices with it (a payout signed before a restart and never included, whose indices were
   * signed again) are cut back to the indices outside it: the newer batch is the one that can be
   * paid.
   *
   * @throws RangeError when `perRange` does not hold one JSON array per range
   */
  put(batch: StoredBatch): void {
    if (batch.perRange.length !== batch.ranges.length)
      throw new RangeError(`ResultStore.put: ${batch.ranges.length} ranges but ${batch.perRange.length} result sets`);
    const texts = batch.perRange.map((text) => text.trim());
    for (const text of texts)
      if (!text.startsWith('[') || !text.endsWith(']')) throw new RangeError('ResultStore.put: results must be JSON arrays');
    const stored = this.#now();
    this.#db.transaction(() => {
      batch.ranges.forEach((range, i) => {
        this.#cut(batch.contract, range);
        this.#insert.run(
          batch.contract,
          range.from,
          range.count,
          batch.payout,
          batch.solver,
          batch.seq,
          batch.validated ? 1 : 0,
          stored,
          Buffer.from(texts[i] as string, 'utf8'),
        );
      });
    })();
  }

  /**
   * The results of the contract's ranges that start above index `after` (default: from the
   * first), whole ranges, until they hold `limit` MCUs (at least one range).
   */
  page(contract: string, options: { after?: number; limit?: number } = {}): ResultPage {
    const { after = -1, limit = DEFAULT_PAGE_MCUS } = options;
    if (!Number.isSafeInteger(after) || after < -1) throw new RangeError('ResultStore.page: after must be an integer from -1');
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('ResultStore.page: limit must be a positive integer');
    const parts: string[] = [];
    let mcus = 0;
    let last: number | undefined;
    for (const row of this.#page.iterate(contract, after)) {
      if (mcus >= limit) {
        // One row past the page: there is a next page, starting above the page's last range.
        return { entries: joinArrays(parts), mcus, ...(last === undefined ? {} : { next: last }) };
      }
      const inner = decoder.decode(row.results).slice(1, -1).trim();
      if (inner !== '') parts.push(inner);
      mcus += row.count;
      last = row.first;
    }
    return { entries: joinArrays(parts), mcus };
  }

  /** MCUs and batches the store holds of `contract`. */
  summary(contract: string): StoredSummary {
    const row = this.#summary.get(contract);
    return { mcus: row?.mcus ?? 0, batches: row?.batches ?? 0 };
  }

  /** Cuts the rows overlapping `range` back to their indices outside it (inside the caller's transaction). */
  #cut(contract: string, range: IndexRange): void {
    const end = range.from + range.count;
    for (const row of this.#overlapping.all(contract, end, range.from)) {
      this.#delete.run(contract, row.first);
      const pairs = JSON.parse(decoder.decode(row.results)) as [number, unknown][];
      const rowEnd = row.first + row.count;
      const keep = (from: number, to: number) => {
        if (to <= from) return;
        const kept = pairs.filter(([index]) => index >= from && index < to);
        this.#insert.run(
          contract,
          from,
          to - from,
          row.payout,
          row.solver,
          row.seq,
          row.validated,
          row.stored,
          Buffer.from(JSON.stringify(kept)),
        );
      };
      keep(row.first, range.from);
      keep(end, rowEnd);
    }
  }
}

/** `[a, b]` from the insides of JSON arrays `a` and `b`. */
function joinArrays(parts: readonly string[]): string {
  return `[${parts.join(',')}]`;
}
