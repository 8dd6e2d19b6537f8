import { parentPort, workerData } from 'node:worker_threads';
import { searchNonce } from '../chain/pow-search.js';

/** A share of a nonce search: nonces `start, start + step, …` over `header` (POW-1). */
export interface MiningJob {
  generation: number;
  header: Uint8Array;
  offset: number;
  difficulty: number;
  start: bigint;
  step: bigint;
}

export interface MiningReport {
  generation: number;
  /** the header bytes with a winning nonce, or null when the job was cancelled */
  found: Uint8Array | null;
  hashes: number;
}

/** Hashes between two looks at the cancel flag: about 10 ms of work. */
const CHUNK = 8192;

// The miner bumps the shared generation to cancel: a job runs while the generation is its own.
const generation = new Int32Array((workerData as { generation: SharedArrayBuffer }).generation);

parentPort?.on('message', (job: MiningJob) => {
  let start = job.start;
  let hashes = 0;
  const stride = job.step * BigInt(CHUNK);
  while (Atomics.load(generation, 0) === job.generation) {
    const found = searchNonce(job.header, job.offset, job.difficulty, start, job.step, CHUNK);
    if (found) {
      const nonce = new DataView(found.buffer, found.byteOffset + job.offset, 8).getBigUint64(0);
      hashes += Number((nonce - start) / job.step) + 1;
      parentPort?.postMessage({ generation: job.generation, found, hashes } satisfies MiningReport);
      return;
    }
    hashes += CHUNK;
    start += stride;
  }
  parentPort?.postMessage({ generation: job.generation, found: null, hashes } satisfies MiningReport);
});
