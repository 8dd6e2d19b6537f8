import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type BlockHeader, DIFFICULTY_ONE, encodeHeader, NONCE_BYTES } from '@zi/spec';
import { mineHeaderSync, nonceOffset } from '../chain/pow-search.js';
import { NodeError } from '../errors.js';
import type { MiningJob, MiningReport } from './worker.js';

export interface MinerOptions {
  /** worker threads (default: one less than the available parallelism, at least 1) */
  threads?: number;
  /**
   * Difficulties below this (in 2^-16 bits, POW-2) are mined in this thread: a devnet block takes
   * a few hashes, far less than starting a thread (default 8 bits).
   */
  syncBelow?: number;
}

interface Job {
  generation: number;
  resolve(header: Uint8Array): void;
  reject(error: Error): void;
}

/** The compiled worker beside this file; from the TypeScript sources (tests), the one `tsc -b` wrote. */
function workerUrl(): URL {
  const beside = new URL('./worker.js', import.meta.url);
  return existsSync(beside) ? beside : new URL('../../dist/miner/worker.js', import.meta.url);
}

/**
 * Proof of work (POW-1) on worker threads: each thread searches its own residue class of the
 * 64-bit nonce space. One job at a time; a new job, `cancel()` or `close()` stops the current
 * one, whose promise then rejects with `NODE_MINING_CANCELLED`.
 *
 * @example
 * const miner = new Miner({ threads: 4 });
 * const headerBytes = await miner.mineOnce(chain.prepareBlock(txs, address, Date.now()).header);
 * await miner.close();
 */
export class Miner {
  readonly threads: number;
  readonly #syncBelow: number;
  /** shared with the workers: a job runs while this holds its generation */
  readonly #generation = new Int32Array(new SharedArrayBuffer(4));
  #workers: Worker[] = [];
  #job: Job | undefined;
  #hashes = 0;
  #closed = false;

  constructor(options: MinerOptions = {}) {
    const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isSafeInteger(threads) || threads < 1 || threads > 256)
      throw new RangeError('Miner: threads must be an integer from 1 to 256');
    this.threads = threads;
    this.#syncBelow = options.syncBelow ?? 8 * DIFFICULTY_ONE;
  }

  /** Hashes the worker threads have tried so far (in-thread searches are not counted). */
  get hashes(): number {
    return this.#hashes;
  }

  /**
   * Finds a nonce for `header` and returns the header's canonical bytes with it.
   *
   * @throws NodeError NODE_MINING_CANCELLED when cancelled, NODE_MINER_CLOSED after `close()`
   */
  mineOnce(header: Omit<BlockHeader, 'nonce'> | BlockHeader): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new NodeError('NODE_MINER_CLOSED', 'the miner is closed', 'create a new Miner'));
    this.cancel();
    if (header.difficulty < this.#syncBelow) {
      try {
        return Promise.resolve(mineHeaderSync(header));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const full: BlockHeader = { ...header, nonce: new Uint8Array(NONCE_BYTES) };
    const bytes = encodeHeader(full);
    const offset = nonceOffset(bytes, full);
    const generation = Atomics.add(this.#generation, 0, 1) + 1;
    this.#startWorkers();
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#job = { generation, resolve, reject };
      this.#workers.forEach((worker, index) => {
        worker.ref();
        const job: MiningJob = {
          generation,
          header: bytes,
          offset,
          difficulty: header.difficulty,
          start: BigInt(index),
          step: BigInt(this.threads),
        };
        worker.postMessage(job);
      });
    });
  }

  /** Stops the current job, if any (its promise rejects with `NODE_MINING_CANCELLED`). */
  cancel(): void {
    this.#finish()?.reject(
      new NodeError('NODE_MINING_CANCELLED', 'mining was cancelled', 'a new head or job replaced it; mine on the new head'),
    );
  }

  /** Cancels the current job and ends the worker threads. */
  async close(): Promise<void> {
    this.#closed = true;
    this.cancel();
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  /** Ends the current job: later reports of its generation are ignored and idle workers stop holding the process open. */
  #finish(): Job | undefined {
    const job = this.#job;
    if (!job) return undefined;
    this.#job = undefined;
    Atomics.add(this.#generation, 0, 1);
    for (const worker of this.#workers) worker.unref();
    return job;
  }

  #startWorkers(): void {
    while (this.#workers.length < this.threads) {
      const worker = new Worker(workerUrl(), { workerData: { generation: this.#generation.buffer } });
      worker.on('message', (report: MiningReport) => {
        this.#hashes += report.hashes;
        if (report.found && report.generation === this.#job?.generation) this.#finish()?.resolve(report.found);
      });
      worker.on('error', (error) => {
        this.#drop(worker);
        this.#finish()?.reject(error);
      });
      worker.on('exit', (code) => {
        this.#drop(worker);
        if (!this.#closed && code !== 0) {
          this.#finish()?.reject(
            new NodeError('NODE_MINER_CRASHED', `a mining thread exited with code ${code}`, 'mine again; report a bug if it repeats'),
          );
        }
      });
      this.#workers.push(worker);
    }
  }

  #drop(worker: Worker): void {
    this.#workers = this.#workers.filter((other) => other !== worker);
  }
}
