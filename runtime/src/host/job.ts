import { randomBytes } from 'node:crypto';
import { RuntimeError } from '../errors.js';
import type { BatchResult, BatchVerdict, McuError, Sandbox } from './sandbox.js';

/** Progress of a running job, reported after every batch. */
export interface JobProgress {
  readonly done: number;
  /** MCUs in the job; null while a generator input space has not ended. */
  readonly total: number | null;
  readonly gas: number;
  readonly elapsedMs: number;
  readonly mcusPerSecond: number;
  readonly etaMs: number | null;
  readonly errors: number;
}

/** A batch that could not run for reasons outside the contract. */
export interface FailedBatch {
  readonly from: number;
  readonly count: number;
  readonly code: string;
  readonly message: string;
}

/** What a whole local job did. */
export interface JobReport {
  readonly from: number;
  readonly to: number;
  readonly mcus: number;
  readonly gas: number;
  readonly minGas: number;
  readonly maxGas: number;
  readonly elapsedMs: number;
  readonly batches: number;
  /** The union of all batches: `[[index, output], …]`. */
  readonly resultsJson: string;
  readonly resultCount: number;
  readonly errors: readonly McuError[];
  readonly errorCount: number;
  readonly failedBatches: readonly FailedBatch[];
  readonly validation: {
    readonly batches: number;
    readonly rejected: ReadonlyArray<{ readonly from: number; readonly count: number; readonly reason: string }>;
  } | null;
}

export interface RunJobOptions {
  /** First index (default 0). */
  readonly from?: number;
  /** End index, exclusive (default: the input count; required for generator inputs without an end). */
  readonly to?: number;
  /** MCUs per batch (default: sized so each batch is a few hundred milliseconds of work). */
  readonly batchSize?: number;
  /** Validate every batch with a fresh random seed, as a bidder would (default true). */
  readonly validate?: boolean;
  readonly onProgress?: (progress: JobProgress) => void;
}

const MAX_ERRORS = 1000;

/** A batch size that keeps every worker busy and each batch well under a second of work. */
export function defaultBatchSize(total: number, gasPerMcu: number, workers: number): number {
  const byGas = Math.floor(20_000_000 / gasPerMcu);
  const bySpread = Math.ceil(total / (workers * 16));
  return Math.max(1, Math.min(10_000, byGas, bySpread));
}

/**
 * Runs a job locally: the range split into batches over every worker of the pool, each batch
 * validated with a seed chosen after it ran, then one union of everything.
 *
 * @example
 * const report = await runJob(sandbox, { onProgress: (p) => draw(p) });
 */
export async function runJob(sandbox: Sandbox, options: RunJobOptions = {}): Promise<JobReport> {
  const { info } = sandbox;
  const from = options.from ?? 0;
  const count = info.inputs.count;
  const to = options.to ?? count;
  if (to === null) {
    throw new RuntimeError(
      'RT_RANGE_REQUIRED',
      'the input space is a generator with no known end',
      'pass an end index, e.g. --range 0..100000',
    );
  }
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || (count !== null && to > count)) {
    throw new RuntimeError(
      'RT_BAD_RANGE',
      `range ${from}..${to} is not inside the input space [0, ${count ?? '∞'})`,
      `give a range within 0..${count ?? 'N'}`,
    );
  }
  const total = to - from;
  const workers = sandbox.pool.size;
  const batchSize = options.batchSize ?? defaultBatchSize(total, info.limits.gasPerMcu, workers);
  const validate = options.validate ?? true;
  const started = performance.now();
  const ranges: Array<[number, number]> = [];
  for (let a = from; a < to; a += batchSize) ranges.push([a, Math.min(batchSize, to - a)]);

  const results: Array<string | null> = new Array(ranges.length).fill(null);
  const errors: McuError[] = [];
  const failedBatches: FailedBatch[] = [];
  const rejected: Array<{ from: number; count: number; reason: string }> = [];
  let errorCount = 0;
  let done = 0;
  let mcus = 0;
  let gas = 0;
  let minGas = Number.POSITIVE_INFINITY;
  let maxGas = 0;
  let next = 0;
  let ended = false;

  const report = (): void => {
    const elapsedMs = performance.now() - started;
    const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
    options.onProgress?.({
      done,
      total,
      gas,
      elapsedMs,
      mcusPerSecond: rate,
      etaMs: rate > 0 ? ((total - done) / rate) * 1000 : null,
      errors: errorCount,
    });
  };

  const runOne = async (slot: number): Promise<void> => {
    const [a, n] = ranges[slot] as [number, number];
    let batch: BatchResult;
    try {
      batch = await sandbox.runRange({ from: a, count: n });
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      failedBatches.push({ from: a, count: n, code: error.code, message: error.message });
      done += n;
      report();
      return;
    }
    if (batch.done && info.inputs.kind === 'generator') ended = true;
    results[slot] = batch.resultsJson;
    mcus += batch.mcus;
    gas += batch.gas;
    if (batch.mcus > 0) minGas = Math.min(minGas, batch.minGas);
    maxGas = Math.max(maxGas, batch.maxGas);
    errorCount += batch.errorCount;
    for (const e of batch.errors) if (errors.length < MAX_ERRORS) errors.push(e);
    if (validate && batch.mcus > 0) {
      const verdict: BatchVerdict = await sandbox.validate({
        from: a,
        count: batch.mcus,
        resultsJson: batch.resultsJson,
        seed: randomBytes(16).toString('hex'),
      });
      if (!verdict.ok) rejected.push({ from: a, count: n, reason: verdict.reason ?? 'rejected' });
    }
    done += n;
    report();
  };

  const lane = async (): Promise<void> => {
    while (next < ranges.length && !ended) {
      const slot = next++;
      await runOne(slot);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, ranges.length) }, lane));

  const sets = results.filter((r): r is string => r !== null && r !== '[]');
  const resultsJson = sets.length === 0 ? '[]' : sets.length === 1 ? (sets[0] as string) : await sandbox.union(sets);
  return {
    from,
    to,
    mcus,
    gas,
    minGas: Number.isFinite(minGas) ? minGas : 0,
    maxGas,
    elapsedMs: performance.now() - started,
    batches: ranges.length,
    resultsJson,
    resultCount: resultsJson === '[]' ? 0 : (JSON.parse(resultsJson) as unknown[]).length,
    errors,
    errorCount,
    failedBatches,
    validation: validate ? { batches: ranges.length - failedBatches.length, rejected } : null,
  };
}
