import { parseAmount } from '@zi/spec';
import { RuntimeError } from '../errors.js';
import type { SandboxOp } from '../worker/protocol.js';
import type { SandboxPool } from './pool.js';

/** A metered bundle and its content id. */
export interface Bundle {
  readonly cid: string;
  readonly code: string;
}

/** What the contract declares, read from the bundle in the sandbox. */
export interface ContractInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Price of one MCU in Li. */
  readonly price: bigint;
  readonly sdkVersion: string;
  readonly sampleRate: number;
  readonly limits: {
    readonly gasPerMcu: number;
    readonly gasPerValidate: number;
    readonly gasPerUnion: number;
    readonly gasPerRender: number;
    readonly memoryMb: number;
  };
  readonly inputs: { readonly kind: 'indexed' | 'generator'; readonly count: number | null };
  readonly render: boolean;
}

/** One MCU that failed, reported for its index. */
export interface McuError {
  readonly index: number;
  /** The contract function that failed: `mcu`, `inputs.at`, `mcu result`, … */
  readonly fn: string;
  readonly code: string;
  readonly message: string;
}

/** The outcome of one batch. Results are `[index, output]` pairs in index order. */
export interface BatchResult {
  readonly from: number;
  readonly count: number;
  readonly mcus: number;
  readonly gas: number;
  readonly maxGas: number;
  readonly minGas: number;
  readonly resultsJson: string;
  readonly results: ReadonlyArray<readonly [number, unknown]>;
  readonly errors: readonly McuError[];
  readonly errorCount: number;
  /** True when the input space ends inside or at the end of this batch. */
  readonly done: boolean;
}

/** A validation verdict. */
export interface BatchVerdict {
  readonly ok: boolean;
  readonly reason?: string;
  readonly index?: number;
  readonly checked?: readonly number[];
  readonly reruns: number;
  readonly rerunGas: number;
}

/** What `render` produced, decoded. */
export type Rendered =
  | { readonly type: 'image'; readonly width: number; readonly height: number; readonly rgba: Uint8Array }
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'json'; readonly value: unknown };

/** One contract test run in the sandbox. */
export interface TestOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly code?: string;
  readonly message?: string;
  readonly gas: number;
}

/** Gas the contract's top-level code may use when a context is prepared. */
export const LOAD_GAS = 100_000_000;
/** Gas for each contract test. */
export const TEST_GAS = 2_000_000_000;
/** Cap on the results of one batch, in bytes of JSON. */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;
const MAX_ERRORS_PER_BATCH = 100;

/** Wall-clock backstop for `gas` units of work: generous, since gas, not time, decides outcomes. */
export function deadlineForGas(gas: number): number {
  return Math.min(3_600_000, 5_000 + Math.ceil(gas / 10_000));
}

const HINTS: Record<string, string> = {
  RT_NO_CONTRACT: 'export the contract: export default defineContract({ ... })',
  RT_NOT_A_CONTRACT: 'build the default export with defineContract() from @zi/sdk',
  RT_LOAD_THREW: 'the module-level code of the contract must not throw; move work into mcu',
  RT_RESULT_TOO_LARGE: 'run smaller batches or return smaller outputs',
  RT_UNION_FAILED: 'two result sets disagree, or union threw; check union',
  RT_RENDER_FAILED: 'fix render, or raise limits.gasPerRender if it ran out of gas',
  RT_NO_RENDER: 'add render(results) to the contract to produce a picture or a report',
  RT_OUT_OF_GAS: 'raise the limit for this step, or do less work in it',
};

function parseDriver<T>(text: string): T {
  const value = JSON.parse(text) as { error?: { code: string; message: string } };
  if (value.error) {
    throw new RuntimeError(value.error.code, value.error.message, HINTS[value.error.code] ?? 'fix the contract and try again');
  }
  return value as T;
}

function decodeBytes(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (typeof record.$bytes === 'string' && Object.keys(record).length === 1) return new Uint8Array(Buffer.from(record.$bytes, 'base64'));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record))
      Object.defineProperty(out, k, { value: decodeBytes(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/**
 * A contract bundle loaded in a sandbox pool: every call runs in a fresh, hardened context of a
 * worker's isolate, so nothing leaks from one batch to the next.
 *
 * @example
 * const sandbox = await Sandbox.load(pool, bundle);
 * const batch = await sandbox.runRange({ from: 0, count: 1000 });
 */
export class Sandbox {
  private constructor(
    readonly pool: SandboxPool,
    readonly bundle: Bundle,
    readonly info: ContractInfo,
  ) {}

  /** Loads the bundle once to read what the contract declares. */
  static async load(pool: SandboxPool, bundle: Bundle): Promise<Sandbox> {
    const text = await pool.call({
      op: 'load',
      cid: bundle.cid,
      code: bundle.code,
      memoryMb: 128,
      loadGas: LOAD_GAS,
      args: '',
      timeoutMs: deadlineForGas(LOAD_GAS),
    });
    const raw = parseDriver<Omit<ContractInfo, 'price'> & { price: string; tests?: number }>(text);
    if (raw.name === undefined) {
      throw new RuntimeError('RT_NO_CONTRACT', 'the bundle holds tests but no contract', 'build the contract entry, not a test file');
    }
    let price: bigint;
    try {
      price = parseAmount(raw.price);
    } catch (error) {
      throw new RuntimeError(
        'RT_BAD_PRICE',
        `the contract's price "${raw.price}" is not an amount: ${(error as Error).message}`,
        'set price to Li as a bigint (1n) or a string such as "10 Li" or "0.5 Zi"',
      );
    }
    const { tests: _tests, ...info } = raw;
    return new Sandbox(pool, bundle, { ...info, price });
  }

  private call(op: SandboxOp, args: unknown, gas: number, memoryMb = this.info.limits.memoryMb): Promise<string> {
    return this.pool.call({
      op,
      cid: this.bundle.cid,
      code: this.bundle.code,
      memoryMb,
      loadGas: LOAD_GAS,
      args: typeof args === 'string' ? args : JSON.stringify(args),
      timeoutMs: deadlineForGas(gas + LOAD_GAS),
    });
  }

  /**
   * Runs `count` MCUs from `from`, skipping `solvedRanges` (sorted `[start, end)` pairs). A failing
   * MCU is reported for its index; the batch still completes.
   */
  async runRange(options: { from: number; count: number; solvedRanges?: ReadonlyArray<readonly [number, number]> }): Promise<BatchResult> {
    const { from, count } = options;
    if (!Number.isSafeInteger(from) || from < 0) throw new RangeError(`runRange: from must be a non-negative integer, got ${from}`);
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`runRange: count must be a non-negative integer, got ${count}`);
    const solved = [...(options.solvedRanges ?? [])].sort((a, b) => a[0] - b[0]);
    const text = await this.call(
      'runRange',
      { from, count, solved, maxBytes: MAX_BATCH_BYTES, maxErrors: MAX_ERRORS_PER_BATCH },
      count * this.info.limits.gasPerMcu,
    );
    const raw = parseDriver<Omit<BatchResult, 'from' | 'count' | 'resultsJson'>>(text);
    const start = text.indexOf('"results":') + '"results":'.length;
    const end = text.indexOf(',"errors":[', start);
    return { from, count, ...raw, resultsJson: text.slice(start, end) };
  }

  /** Runs the contract's validate on a batch with a seed the solver did not know. */
  async validate(options: { from: number; count: number; resultsJson: string; seed: string }): Promise<BatchVerdict> {
    const { limits } = this.info;
    const samples = Math.max(1, Math.ceil(options.count * this.info.sampleRate));
    const args = `{"from":${options.from},"count":${options.count},"seed":${JSON.stringify(options.seed)},"results":${JSON.stringify(options.resultsJson)}}`;
    return parseDriver<BatchVerdict>(await this.call('validate', args, limits.gasPerValidate + samples * limits.gasPerMcu));
  }

  /** Merges result sets (each a JSON `[[index, output], …]`) with the contract's union. */
  async union(resultSets: readonly string[]): Promise<string> {
    const args = `{"sets":[${resultSets.join(',')}]}`;
    const text = await this.call('union', args, this.info.limits.gasPerUnion * Math.max(1, resultSets.length));
    // The answer is either an error or `{"results":[…]}`: no need to parse megabytes to tell which.
    if (!text.startsWith('{"results":')) parseDriver(text);
    return text.slice('{"results":'.length, -1);
  }

  /** Runs render on all results. */
  async render(resultsJson: string): Promise<Rendered> {
    const text = await this.call('render', `{"results":${JSON.stringify(resultsJson)}}`, this.info.limits.gasPerRender);
    const raw = parseDriver<{ output: unknown }>(text);
    const output = decodeBytes(raw.output) as Record<string, unknown>;
    if (output && output.type === 'image') {
      const { width, height, rgba } = output;
      if (
        !Number.isInteger(width) ||
        !Number.isInteger(height) ||
        !(rgba instanceof Uint8Array) ||
        rgba.length !== (width as number) * (height as number) * 4
      ) {
        throw new RuntimeError(
          'RT_RENDER_FAILED',
          'render returned an image whose rgba is not width x height x 4 bytes',
          'build the image with createImage(width, height) from @zi/sdk',
        );
      }
      return { type: 'image', width: width as number, height: height as number, rgba };
    }
    if (output && output.type === 'text' && typeof output.text === 'string') return { type: 'text', text: output.text };
    return { type: 'json', value: output && output.type === 'json' ? output.value : output };
  }
}

/**
 * Runs the tests registered in a test bundle (see `buildTestBundle`), each in the sandbox with
 * its own gas budget.
 */
export async function runBundleTests(pool: SandboxPool, bundle: Bundle): Promise<TestOutcome[]> {
  const text = await pool.call({
    op: 'tests',
    cid: bundle.cid,
    code: bundle.code,
    memoryMb: 256,
    loadGas: LOAD_GAS,
    args: JSON.stringify({ gasPerTest: TEST_GAS }),
    timeoutMs: deadlineForGas(TEST_GAS * 4),
  });
  return parseDriver<{ results: TestOutcome[] }>(text).results;
}
