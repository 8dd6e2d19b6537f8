// Hostile contracts: each must end in a clear, deterministic error for its function and index
// (or a build-time rejection), and the host and its worker pool must survive every one of them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BatchResult, type McuError, RuntimeError, Sandbox, SandboxPool } from '../src/index.js';
import { type BuildSourceOptions, buildSource } from './helpers.js';

let pool: SandboxPool;
/** A well-behaved contract: n -> n * n over 0 .. 9. */
let squares: Sandbox;

interface ContractOptions {
  /** TypeScript source of the `limits` object. */
  readonly limits?: string;
  readonly count?: number;
  /** Source placed before the contract (module-level code). */
  readonly before?: string;
  /** Extra members of the definition, e.g. `render: ...`. */
  readonly extra?: string;
}

/** The source of a contract over the inputs 0 .. count-1 whose mcu is `mcu` (a function expression). */
function contract(mcu: string, options: ContractOptions = {}): string {
  return `import { defineContract } from '@zi/sdk';
${options.before ?? ''}
export default defineContract({
  name: 'hostile',
  version: '1.0.0',
  price: 1n,
  limits: ${options.limits ?? '{ gasPerMcu: 10_000 }'},
  inputs: { count: ${options.count ?? 3}, at: (i: number) => i },
  mcu: ${mcu},
  ${options.extra ?? ''}
});
`;
}

async function load(source: string, options: BuildSourceOptions = {}): Promise<Sandbox> {
  return Sandbox.load(pool, await buildSource(source, options));
}

/** Builds a contract around `mcu` and runs its inputs from `from` (default 0) to the end. */
async function run(mcu: string, options: ContractOptions & BuildSourceOptions & { from?: number } = {}): Promise<BatchResult> {
  const sandbox = await load(contract(mcu, options), options);
  const from = options.from ?? 0;
  return sandbox.runRange({ from, count: (options.count ?? 3) - from });
}

/** The error `promise` rejects with; fails the test if it resolves or rejects with something else. */
async function failure(promise: Promise<unknown>): Promise<RuntimeError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RuntimeError);
    return error as RuntimeError;
  }
  throw new Error('expected a RuntimeError, but the call succeeded');
}

/** One error per index in `indexes`, all with the same fn, code and message. */
function sameErrors(indexes: readonly number[], fn: string, code: string, message: string): McuError[] {
  return indexes.map((index) => ({ index, fn, code, message }));
}

const OUT_OF_GAS = (limit: number): string => `ran out of gas: used more than limits.gasPerMcu = ${limit}`;
const NOT_PLAIN = 'an object that is not plain at $ (a class instance, Map, Set, Promise or typed array); return arrays and plain objects';
const NO_STRINGS = 'TypeError: Compiling code from strings is not available in Zi contracts';
const HUGE_GAS = '{ gasPerMcu: 2 ** 40, memoryMb: 32 }';

/**
 * V8 out of memory at index 0 of a 32 MiB sandbox. Which allocation fails first depends on the
 * state of the worker's heap, so there are two outcomes, both environment errors: the isolate's
 * heap limit (RT_MEMORY_LIMIT; the worker lives on), or a failed large allocation (a hash table
 * or a flattened string) that kills the worker (RT_WORKER_CRASHED; the pool replaces it).
 */
function expectOutOfMemory(error: RuntimeError, replacedBefore: number): void {
  expect(error.environment).toBe(true);
  expect(error.details).toEqual({ index: 0, phase: 'mcu' });
  if (error.code === 'RT_WORKER_CRASHED') {
    expect(error.message).toBe('V8 lost control of the sandbox: Catastrophic out-of-memory error while running mcu at index 0');
    expect(pool.replacedWorkers).toBe(replacedBefore + 1);
  } else {
    expect(error.code).toBe('RT_MEMORY_LIMIT');
    expect(error.message).toBe('the sandbox ran out of memory (limit 32 MiB) while running mcu at index 0');
    expect(pool.replacedWorkers).toBe(replacedBefore);
  }
}

/** The host survived: both workers of the pool still run a normal contract correctly. */
async function expectHealthy(): Promise<void> {
  const expected = [0, 1, 2, 3, 4].map((n) => [n, n * n]);
  const [a, b] = await Promise.all([squares.runRange({ from: 0, count: 5 }), squares.runRange({ from: 0, count: 5 })]);
  for (const batch of [a, b]) {
    expect(batch.errors).toEqual([]);
    expect(batch.results).toEqual(expected);
    expect(batch.resultsJson).toBe('[[0,0],[1,1],[2,4],[3,9],[4,16]]');
  }
}

beforeAll(async () => {
  pool = new SandboxPool({ size: 2 });
  squares = await load(contract('(n: number) => n * n', { count: 10 }));
});

afterAll(async () => {
  await pool.close();
});

afterEach(async () => {
  await expectHealthy();
});

describe('contracts that throw', () => {
  it('an Error: RT_MCU_THREW at each index, with name and message', async () => {
    const batch = await run(`(i: number) => { throw new Error('boom ' + i); }`);
    expect(batch.results).toEqual([]);
    expect(batch.errors).toEqual([0, 1, 2].map((index) => ({ index, fn: 'mcu', code: 'RT_MCU_THREW', message: `Error: boom ${index}` })));
    expect(batch.errorCount).toBe(3);
    expect(batch.mcus).toBe(3);
  });

  it('a string', async () => {
    const batch = await run(`(i: number) => { throw 'str' + i; }`, { from: 1, count: 2 });
    expect(batch.errors).toEqual([{ index: 1, fn: 'mcu', code: 'RT_MCU_THREW', message: 'throw str1' }]);
  });

  it('an object whose message getter loops forever: described under its own budget', async () => {
    const batch = await run(`(i: number) => { throw { get message(): string { for (;;) {} } }; }`);
    expect(batch.errors).toEqual(sameErrors([0, 1, 2], 'mcu', 'RT_MCU_THREW', 'threw a value that could not be described'));
  });

  it('a Proxy whose get trap loops forever', async () => {
    const batch = await run(`(i: number) => { throw new Proxy({}, { get() { for (;;) {} } }); }`);
    expect(batch.errors).toEqual(sameErrors([0, 1, 2], 'mcu', 'RT_MCU_THREW', 'threw a value that could not be described'));
  });

  it('a Proxy whose getPrototypeOf trap loops forever: the driver never runs its traps', async () => {
    // The driver used `instanceof` on the thrown value, which ran this trap on the contract's gas
    // and let the out-of-gas error escape the driver: the whole batch failed as RT_SANDBOX_ERROR.
    const batch = await run(`(i: number) => { throw new Proxy({}, { getPrototypeOf() { for (;;) {} } }); }`);
    expect(batch.errors).toEqual(sameErrors([0, 1, 2], 'mcu', 'RT_MCU_THREW', 'Error: undefined'));
  });

  it('inputs.at that throws is reported for inputs.at', async () => {
    const source = contract('(i: number) => i').replace(
      'at: (i: number) => i',
      `at: (i: number) => { if (i === 1) throw new RangeError('no ' + i); return i; }`,
    );
    const batch = await (await load(source)).runRange({ from: 0, count: 3 });
    expect(batch.results).toEqual([
      [0, 0],
      [2, 2],
    ]);
    expect(batch.errors).toEqual([{ index: 1, fn: 'inputs.at', code: 'RT_INPUT_THREW', message: 'RangeError: no 1' }]);
  });
});

describe('endless work is stopped by gas', () => {
  it('for (;;) {} runs out of gas, and the MCU is charged exactly its limit', async () => {
    const batch = await run('(i: number) => { for (;;) {} }', { from: 2, count: 3 });
    expect(batch.errors).toEqual([{ index: 2, fn: 'mcu', code: 'RT_OUT_OF_GAS', message: OUT_OF_GAS(10_000) }]);
    expect(batch.gas).toBe(10_000);
    expect(batch.maxGas).toBe(10_000);
    expect(batch.minGas).toBe(10_000);
  });

  it('while (true) {} at one index fails that index only', async () => {
    const batch = await run('(i: number) => { if (i === 1) { while (true) {} } return i; }');
    expect(batch.results).toEqual([
      [0, 0],
      [2, 2],
    ]);
    expect(batch.errors).toEqual([{ index: 1, fn: 'mcu', code: 'RT_OUT_OF_GAS', message: OUT_OF_GAS(10_000) }]);
    expect(batch.maxGas).toBe(10_000);
    // 4 gas for a plain MCU: inputs.at and mcu, each with the SDK's wrapper.
    expect(batch.minGas).toBe(4);
    expect(batch.gas).toBe(10_008);
  });

  it('unbounded recursion fails with RT_CALL_DEPTH, the same way on every run', async () => {
    const sandbox = await load(contract('(i: number) => { const f = (n: number): number => f(n + 1) + 1; return f(i); }'));
    const first = await sandbox.runRange({ from: 0, count: 3 });
    const second = await sandbox.runRange({ from: 0, count: 3 });
    expect(first.errors).toEqual(sameErrors([0, 1, 2], 'mcu', 'RT_CALL_DEPTH', 'call depth above the limit of the metering transform'));
    expect(second.errors).toEqual(first.errors);
    expect(second.gas).toBe(first.gas);
    expect(second.maxGas).toBe(first.maxGas);
    // A fatal error (out of gas, too deep) charges the MCU its whole limit.
    expect(first.gas).toBe(30_000);
  });
});

describe('out of gas cannot be caught', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['try { for (;;) {} } catch { return 1 }', '(i: number) => { try { for (;;) {} } catch { return 1; } }'],
    ['try { for (;;) {} } finally { return 1 }', '(i: number) => { try { for (;;) {} } finally { return 1; } }'],
    [
      'a looping getter read in try/catch',
      '(i: number) => { const o = { get v(): number { for (;;) {} } }; try { return o.v; } catch { return 1; } }',
    ],
    [
      'catch handing the error to Promise.reject',
      '(i: number) => { try { for (;;) {} } catch (e) { Promise.reject(e).catch(() => 0); return 1; } }',
    ],
    ['an async function that loops (its promise swallows the error)', '(i: number) => { (async () => { for (;;) {} })(); return 1; }'],
    ['the same, its rejection handled by a builtin', '(i: number) => { (async () => { for (;;) {} })().catch(Math.abs); return 1; }'],
    ['a promise executor that loops', '(i: number) => { new Promise(() => { for (;;) {} }); return 1; }'],
    ['an async mcu that loops', 'async (i: number) => { for (;;) {} }'],
    [
      'a swallowed error followed by a throw of its own',
      `(i: number) => { (async () => { for (;;) {} })().catch(Math.abs); throw new Error('mine'); }`,
    ],
  ];
  for (const [name, mcu] of cases) {
    it(name, async () => {
      const batch = await run(mcu, { count: 2 });
      expect(batch.results).toEqual([]);
      expect(batch.errors).toEqual(sameErrors([0, 1], 'mcu', 'RT_OUT_OF_GAS', OUT_OF_GAS(10_000)));
      expect(batch.gas).toBe(20_000);
    });
  }

  it('a loop in a then handler runs after the MCU, dies at the seal, and changes nothing', async () => {
    const batch = await run(`(i: number) => { Promise.reject(new Error('x')).then(null, () => { for (;;) {} }); return i; }`);
    expect(batch.errors).toEqual([]);
    expect(batch.results).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(batch.maxGas).toBe(4);
  });
});

describe('memory bombs', () => {
  it('an array push loop with huge gas hits the memory limit: an environment error for its index', async () => {
    const error = await failure(run('(i: number) => { const a: number[] = []; for (;;) a.push(i); }', { limits: HUGE_GAS, count: 1 }));
    expect(error.code).toBe('RT_MEMORY_LIMIT');
    expect(error.environment).toBe(true);
    expect(error.details).toEqual({ index: 0, phase: 'mcu' });
    expect(error.message).toBe('the sandbox ran out of memory (limit 32 MiB) while running mcu at index 0');
  });

  it('new Array(1e9).fill(0) is charged by its length: out of gas before it allocates', async () => {
    const batch = await run('(i: number) => new Array(1e9).fill(0).length', { limits: '{ gasPerMcu: 1_000_000, memoryMb: 32 }', count: 1 });
    expect(batch.errors).toEqual([{ index: 0, fn: 'mcu', code: 'RT_OUT_OF_GAS', message: OUT_OF_GAS(1_000_000) }]);
    expect(batch.gas).toBe(1_000_000);
  });

  it('a string-doubling loop ends at the maximum string length', async () => {
    const batch = await run(`(i: number) => { let s = 'x'; for (;;) s += s; }`, { limits: HUGE_GAS, count: 1 });
    expect(batch.errors).toEqual([{ index: 0, fn: 'mcu', code: 'RT_MCU_THREW', message: 'RangeError: Invalid string length' }]);
  });

  it('a string-doubling loop that flattens its string: out of memory', async () => {
    const before = pool.replacedWorkers;
    const mcu = `(i: number) => { let s = 'x'; for (;;) { s += s; s.charCodeAt(s.length >> 1); } }`;
    expectOutOfMemory(await failure(run(mcu, { limits: HUGE_GAS, count: 1 })), before);
  });

  it('a Map.set loop with huge gas: out of memory', async () => {
    const before = pool.replacedWorkers;
    const mcu = '(i: number) => { const m = new Map<number, number>(); for (let k = 0; ; k++) m.set(k, k); }';
    expectOutOfMemory(await failure(run(mcu, { limits: HUGE_GAS, count: 1 })), before);
  });
});

describe('builtins are charged by size', () => {
  const modest = '{ gasPerMcu: 100_000 }';
  // Index 0 does a little of the work and succeeds, charged 4 gas plus 1 + n / 16 per builtin
  // call over n elements (n log2 n for sort); index 1 does a huge amount and runs out of gas,
  // charged before (JSON.stringify: right after) the builtin runs.
  const cases: ReadonlyArray<readonly [string, string, unknown, number]> = [
    ['a huge sort', '(i: number) => new Array(i === 0 ? 10 : 1e7).sort().length', 10, 4 + 3],
    [
      'JSON.stringify with a huge result',
      `(i: number) => JSON.stringify(new Array(i === 0 ? 2 : 20).fill('x'.repeat(100_000))).length`,
      200_007,
      4 + 6_251 + 1 + 12_501,
    ],
    [`'x'.repeat(2 ** 28)`, `(i: number) => 'x'.repeat(i === 0 ? 2 ** 10 : 2 ** 28).length`, 1024, 4 + 65],
    ['join on a big array', `(i: number) => new Array(i === 0 ? 100 : 1e8).join('x').length`, 99, 4 + 7],
  ];
  for (const [name, mcu, small, smallGas] of cases) {
    it(`${name}: out of gas`, async () => {
      const batch = await run(mcu, { limits: modest, count: 2 });
      expect(batch.results).toEqual([[0, small]]);
      expect(batch.errors).toEqual([{ index: 1, fn: 'mcu', code: 'RT_OUT_OF_GAS', message: OUT_OF_GAS(100_000) }]);
      expect(batch.maxGas).toBe(100_000);
      expect(batch.minGas).toBe(smallGas);
      expect(batch.gas).toBe(100_000 + smallGas);
    });
  }

  it('a catastrophic regular expression finishes (linear-time fallback) with the right answer', async () => {
    const batch = await run(`(i: number) => /^(a+)+$/.test('a'.repeat(40) + '!')`, { limits: modest, count: 1 });
    expect(batch.errors).toEqual([]);
    expect(batch.results).toEqual([[0, false]]);
    // 4 + repeat (1 + 40 / 16) + test (1 + 41 * 4 / 16) + the exec that test calls (the same again).
    expect(batch.gas).toBe(29);
  });
});

describe('unserialisable results', () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['a function', '(i: number) => ({ f: () => 1 })', 'a function at $.f'],
    ['a cycle', '(i: number) => { const o: Record<string, unknown> = {}; o.self = o; return o; }', 'a cycle at $.self'],
    ['a getter (never invoked, though it would loop forever)', '(i: number) => ({ get f(): number { for (;;) {} } })', 'a getter at $.f'],
    ['a Map', '(i: number) => new Map([[1, 2]])', NOT_PLAIN],
    ['a class instance', '(i: number) => new (class Point { x = 1; })()', NOT_PLAIN],
    ['NaN', '(i: number) => ({ n: [1, NaN] })', 'NaN at $.n[1] (only finite numbers can be results)'],
    ['a bigint', '(i: number) => ({ big: 10n })', 'a bigint at $.big (convert it to a string)'],
    ['undefined inside an array', '(i: number) => [1, undefined]', 'undefined at $[1] (use null)'],
    ['a Promise (async mcu)', 'async (i: number) => i', NOT_PLAIN],
  ];
  for (const [name, mcu, message] of cases) {
    it(name, async () => {
      const batch = await run(mcu, { count: 2 });
      expect(batch.results).toEqual([]);
      expect(batch.errors).toEqual(sameErrors([0, 1], 'mcu result', 'RT_RESULT_UNSERIALISABLE', message));
      // Refused without running contract code: no gas beyond the 4 of a plain MCU.
      expect(batch.maxGas).toBe(4);
    });
  }

  it('a Proxy result whose ownKeys trap loops runs out of gas in the mcu result', async () => {
    const batch = await run('(i: number) => new Proxy({}, { ownKeys() { for (;;) {} } })', { count: 1 });
    expect(batch.errors).toEqual([{ index: 0, fn: 'mcu result', code: 'RT_OUT_OF_GAS', message: OUT_OF_GAS(10_000) }]);
  });
});

describe('escape attempts fail inside the sandbox', () => {
  const threw = (message: string) => sameErrors([0], 'mcu', 'RT_MCU_THREW', message);
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['(function () {}).constructor', `(i: number) => (function () {}).constructor('return 1')()`, NO_STRINGS],
    ['(async () => {}).constructor', `(i: number) => (async () => {}).constructor('return 1')`, NO_STRINGS],
    ['(function* () {}).constructor', `(i: number) => (function* () {}).constructor('yield 1')`, NO_STRINGS],
    [
      'globalThis.eval',
      `(i: number) => (globalThis as unknown as Record<string, (s: string) => unknown>).eval('1')`,
      'TypeError: globalThis.eval is not a function',
    ],
    [
      'process',
      '(i: number) => (globalThis as unknown as { process: { pid: number } }).process.pid',
      `TypeError: Cannot read properties of undefined (reading 'pid')`,
    ],
    [
      'require',
      `(i: number) => (globalThis as unknown as { require: (s: string) => unknown }).require('fs')`,
      'TypeError: globalThis.require is not a function',
    ],
    [
      'Math.random',
      '(i: number) => Math.random()',
      'TypeError: Math.random is not available in Zi contracts: use createPrng(seed) from @zi/sdk',
    ],
  ];
  for (const [name, mcu, message] of cases) {
    it(name, async () => {
      const batch = await run(mcu, { count: 1 });
      expect(batch.errors).toEqual(threw(message));
    });
  }

  it('Reflect.construct on the Function constructor found through Object.getPrototypeOf', async () => {
    const batch = await run(`(i: number) => Reflect.construct(Object.getPrototypeOf(function () {}).constructor, ['return 1'])`, {
      count: 1,
    });
    expect(batch.errors).toHaveLength(1);
    expect(batch.errors[0]).toMatchObject({ index: 0, fn: 'mcu', code: 'RT_MCU_THREW' });
    expect(batch.errors[0]?.message).toMatch(/^TypeError: .* is not a constructor$/s);
  });

  it('this.constructor.constructor("return process")()', async () => {
    const source = contract('0 as never').replace(
      'mcu: 0 as never,',
      `mcu(this: { constructor: { constructor: (s: string) => () => unknown } }, i: number) { return String(this.constructor.constructor('return process')()); },`,
    );
    const batch = await (await load(source)).runRange({ from: 0, count: 1 });
    expect(batch.errors).toEqual(threw(NO_STRINGS));
  });

  it('the sandbox has no process, require, Date, WebAssembly, SharedArrayBuffer, Intl or WeakRef', async () => {
    const names = `['process', 'require', 'Date', 'WebAssembly', 'SharedArrayBuffer', 'Intl', 'WeakRef']`;
    const batch = await run(`(i: number) => ${names}.map((n) => typeof (globalThis as Record<string, unknown>)[n]).join('')`, { count: 1 });
    expect(batch.errors).toEqual([]);
    expect(batch.results).toEqual([[0, 'undefined'.repeat(7)]]);
  });

  it('typeof process + typeof Date + typeof Intl, written as plain identifiers', async () => {
    const batch = await run('(i: number) => typeof process + typeof Date + typeof Intl', {
      count: 1,
      before: 'declare const process: unknown;',
    });
    expect(batch.results).toEqual([[0, 'undefined'.repeat(3)]]);
  });

  it('require is only the shim of esbuild, which refuses to load anything', async () => {
    // `typeof require` is 'function': esbuild rewrites a bare `require` to its __require shim.
    const batch = await run(`(i: number) => { const r = require; return typeof r + String(r('f' + 's')); }`, {
      count: 1,
      before: 'declare const require: (name: string) => unknown;',
    });
    expect(batch.errors).toEqual(threw('Error: Dynamic require of "fs" is not supported'));
  });

  it('the meter names are not on the global object', async () => {
    const batch = await run(
      `(i: number) => Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith('__zi')).join() + ['__zi_G', '__zi_oog', '__zi_deep', '__zi_contract'].map((n) => typeof (globalThis as Record<string, unknown>)[n]).join()`,
      { count: 1 },
    );
    expect(batch.results).toEqual([[0, 'undefined,undefined,undefined,undefined']]);
  });

  it('stack traces carry no frames at all (no host, no runtime line numbers, no CID)', async () => {
    const batch = await run('(i: number) => { const o: { stack?: string } = {}; Error.captureStackTrace(o); return String(o.stack); }', {
      count: 1,
    });
    expect(batch.errors).toEqual([]);
    const stack = String(batch.results[0]?.[1]);
    expect(stack).toBe('Error');
  });

  it('Error.prepareStackTrace cannot be installed (sloppy bundle: the write is ignored)', async () => {
    const mcu = `(i: number) => { (Error as unknown as Record<string, unknown>).prepareStackTrace = () => 'pwned'; return String(new Error('e').stack).split('\\n')[0]; }`;
    const batch = await run(mcu, { count: 1 });
    expect(batch.errors).toEqual([]);
    expect(batch.results).toEqual([[0, 'Error: e']]);
  });

  it('Error.prepareStackTrace cannot be installed (strict bundle: TypeError)', async () => {
    const mcu = `(i: number) => { (Error as unknown as Record<string, unknown>).prepareStackTrace = () => 'pwned'; return 1; }`;
    const batch = await run(mcu, { count: 1, strict: true });
    expect(batch.errors).toEqual(threw('TypeError: Cannot add property prepareStackTrace, object is not extensible'));
  });

  it('Object.prototype and Array.prototype.push are frozen (strict bundle: TypeError)', async () => {
    const pollute = `(i: number) => { (Object.prototype as unknown as Record<string, number>).polluted = 1; return 1; }`;
    const push = `(i: number) => { (Array.prototype as unknown as Record<string, unknown>).push = () => 0; return 1; }`;
    expect((await run(pollute, { count: 1, strict: true })).errors).toEqual(
      threw('TypeError: Cannot add property polluted, object is not extensible'),
    );
    expect((await run(push, { count: 1, strict: true })).errors).toEqual(
      threw(`TypeError: Cannot assign to read only property 'push' of object '[object Array]'`),
    );
  });

  it('Object.prototype and Array.prototype.push are frozen (sloppy bundle: the writes are ignored)', async () => {
    const mcu = `(i: number) => {
      (Object.prototype as unknown as Record<string, number>).polluted = 1;
      (Array.prototype as unknown as Record<string, unknown>).push = () => 0;
      const a: number[] = [];
      a.push(5);
      return [({} as Record<string, number>).polluted ?? null, a.length];
    }`;
    const batch = await run(mcu, { count: 1 });
    expect(batch.results).toEqual([[0, [null, 1]]]);
  });

  it('a sloppy hook cannot reach the driver through fn.caller (it would reset the gas)', async () => {
    // render burns 90% of its budget, then calls its caller: with a sloppy driver, that was the
    // driver's own render, which restarted the budget; 50 rounds did 45x the work paid for.
    const before = `
let depth = 0;
function render(): { type: 'text'; text: string } {
  const caller = render.caller as unknown as ((args: string) => string) | null;
  if (depth > 0) return { type: 'text', text: 'inner' };
  let work = 0;
  for (let round = 0; round < 50; round++) {
    for (let k = 0; k < 900; k++) work++;
    depth++;
    if (caller !== null) caller('{"results":"[]"}');
    depth--;
  }
  return { type: 'text', text: String(caller) + ' ' + work };
}`;
    const sandbox = await load(
      contract('(i: number) => i', { limits: '{ gasPerMcu: 100, gasPerRender: 1000 }', before, extra: 'render,' }),
    );
    const error = await failure(sandbox.render('[]'));
    expect(error.code).toBe('RT_OUT_OF_GAS');
    expect(error.message).toBe('render failed: ran out of gas');
    const peek = await load(
      contract('(i: number) => i', {
        extra: `render: function r(): { type: 'text'; text: string } { return { type: 'text', text: String(r.caller) }; },`,
      }),
    );
    expect(await peek.render('[]')).toEqual({ type: 'text', text: 'null' });
  });
});

describe('the other hooks are metered the same way', () => {
  const loop = 'for (;;) {}';
  const swallow = '(async () => { for (;;) {} })().catch(Math.abs);';
  // Small budgets: the defaults (10^8 for union, 2 x 10^9 for render) take seconds to burn.
  const limits = '{ gasPerMcu: 10_000, gasPerValidate: 10_000, gasPerUnion: 10_000, gasPerRender: 10_000 }';

  it('union that loops: RT_OUT_OF_GAS', async () => {
    const sandbox = await load(contract('(i: number) => i', { limits, extra: `union(a: unknown[], b: unknown[]): never { ${loop} },` }));
    const error = await failure(sandbox.union(['[[0,0]]', '[[1,1]]']));
    expect(error.code).toBe('RT_OUT_OF_GAS');
    expect(error.message).toBe('union failed: ran out of gas');
  });

  it('render that swallows its out-of-gas error in a promise: RT_OUT_OF_GAS', async () => {
    const sandbox = await load(
      contract('(i: number) => i', {
        limits,
        extra: `render(): { type: 'text'; text: string } { ${swallow} return { type: 'text', text: 'ok' }; },`,
      }),
    );
    const error = await failure(sandbox.render('[[0,0]]'));
    expect(error.code).toBe('RT_OUT_OF_GAS');
    expect(error.message).toBe('render failed: ran out of gas');
  });

  for (const [name, body] of [
    ['loops', loop],
    ['swallows its out-of-gas error and accepts', `${swallow} return true;`],
  ] as const) {
    it(`validate that ${name}: the batch is rejected`, async () => {
      const sandbox = await load(contract('(i: number) => i', { limits, extra: `validate(): boolean { ${body} },` }));
      const batch = await sandbox.runRange({ from: 0, count: 3 });
      const verdict = await sandbox.validate({ from: 0, count: 3, resultsJson: batch.resultsJson, seed: '00' });
      expect(verdict).toEqual({ ok: false, reason: 'validate failed: RT_OUT_OF_GAS: ran out of gas', reruns: 0, rerunGas: 0 });
    });
  }
});

describe('build-time rejections', () => {
  const builtins: ReadonlyArray<readonly [string, string, string]> = [
    ['fs', `import fs from 'fs';`, 'fs.readFileSync.name'],
    ['node:child_process', `import { spawn } from 'node:child_process';`, 'spawn.name'],
    ['net', `import * as net from 'net';`, 'typeof net.connect'],
    ['os (through require)', 'declare const require: (name: string) => { cpus: unknown };', `require('os').cpus`],
  ];
  for (const [name, header, use] of builtins) {
    it(`"${name}": RT_BUILD_NODE_BUILTIN naming the import and the file`, async () => {
      const source = `${header}\n${contract(`(i: number) => ${use}`)}`;
      const module = name.split(' ')[0] ?? name;
      // Where esbuild points: the quoted module name, as line:column (both from 1).
      const at = source.indexOf(`'${module}'`);
      const line = source.slice(0, at).split('\n').length;
      const column = at - source.lastIndexOf('\n', at - 1);
      const error = await failure(buildSource(source));
      expect(error.code).toBe('RT_BUILD_NODE_BUILTIN');
      expect(error.message).toBe(
        `src/contract.ts:${line}:${column}: "${module}" is a Node builtin; contracts run in a bare sandbox with no file system, network, processes or clock`,
      );
    });
  }

  const forbidden: ReadonlyArray<readonly [string, string, string]> = [
    ['eval', `(i: number) => eval('1 + i')`, 'eval'],
    ['WebAssembly', '(i: number) => typeof WebAssembly', 'WebAssembly'],
    ['SharedArrayBuffer', '(i: number) => typeof SharedArrayBuffer', 'SharedArrayBuffer'],
    ['WeakRef', '(i: number) => typeof WeakRef', 'WeakRef'],
    ['Function', `(i: number) => Function('return 1')()`, 'Function'],
    ['__zi_G (the gas counter)', '(i: number) => { __zi_G.g = 1e15; return i; }', 'the identifier __zi_G'],
  ];
  for (const [name, mcu, what] of forbidden) {
    it(`${name}: RT_BUILD_FORBIDDEN`, async () => {
      const error = await failure(buildSource(contract(mcu, { before: 'declare const __zi_G: { g: number };' })));
      expect(error.code).toBe('RT_BUILD_FORBIDDEN');
      expect(error.details.what).toBe(what);
      expect(error.message).toMatch(new RegExp(`^the bundle uses ${what} at line \\d+, column \\d+ of the bundle: `));
    });
  }
});

describe('state does not leak', () => {
  it('a module-level counter starts over in every batch', async () => {
    const sandbox = await load(contract('(i: number) => ++counter', { before: 'let counter = 0;' }));
    const first = await sandbox.runRange({ from: 0, count: 3 });
    const second = await sandbox.runRange({ from: 0, count: 3 });
    expect(first.results).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    expect(second.resultsJson).toBe(first.resultsJson);
    expect(second.gas).toBe(first.gas);
  });

  it('globalThis.x = 1 fails: the global object is frozen (strict bundle: TypeError)', async () => {
    const batch = await run('(i: number) => { (globalThis as Record<string, unknown>).x = 1; return 1; }', { count: 1, strict: true });
    expect(batch.errors).toEqual([
      { index: 0, fn: 'mcu', code: 'RT_MCU_THREW', message: 'TypeError: Cannot add property x, object is not extensible' },
    ]);
  });

  it('globalThis.x = 1 does nothing in a sloppy bundle, and nothing reaches the next MCU', async () => {
    const batch = await run(
      '(i: number) => { const g = globalThis as Record<string, unknown>; const seen = g.x ?? null; g.x = i; return seen; }',
    );
    expect(batch.errors).toEqual([]);
    expect(batch.results).toEqual([
      [0, null],
      [1, null],
      [2, null],
    ]);
  });
});

describe('promises', () => {
  it('an endless promise chain: the batch returns, and the next batch works', async () => {
    const sandbox = await load(contract('(i: number) => { (function f() { Promise.resolve().then(f); })(); return i; }'));
    for (let round = 0; round < 2; round++) {
      const batch = await sandbox.runRange({ from: 0, count: 3 });
      expect(batch.errors).toEqual([]);
      expect(batch.resultsJson).toBe('[[0,0],[1,1],[2,2]]');
    }
  });

  it('an unhandled rejection does not lose the batch', async () => {
    // isolated-vm fails a call that leaves a rejection unhandled; the batch used to fail as an
    // environment error (RT_SANDBOX_ERROR) with the contract's own message.
    const batch = await run(
      `(i: number) => { Promise.reject(new Error('memory limit')); (async () => { throw new Error('late'); })(); return i; }`,
    );
    expect(batch.errors).toEqual([]);
    expect(batch.resultsJson).toBe('[[0,0],[1,1],[2,2]]');
  });

  it('a rejection left by the module-level code does not lose the load', async () => {
    const sandbox = await load(contract('(i: number) => i + 1', { before: `Promise.reject(new Error('top'));` }));
    expect(sandbox.info.name).toBe('hostile');
    expect((await sandbox.runRange({ from: 0, count: 2 })).resultsJson).toBe('[[0,1],[1,2]]');
  });

  // Not fixed (see the report): microtasks made only of builtins (a thenable whose then is a bound
  // Promise.prototype.then, or Array.prototype.forEach over an array-like holding itself) are never
  // metered and loop until the wall-clock deadline.
  it.todo('a builtin-only thenable cycle ends at once instead of at the batch deadline');
  // Not fixed (see the report): callback builtins walk holes for free, e.g.
  // new Array(1e8).forEach(f) costs 4 gas and about 2 s; 2 ** 32 - 1 holes cost about 80 s.
  it.todo('forEach, map, filter, some, every, reduce over a huge holey array are charged by length');
});

describe('determinism', () => {
  it('the same batch on two fresh sandboxes gives identical gas, maxGas, results and errors', async () => {
    const mcu = `(i: number) => {
      if (i % 5 === 1) { for (;;) {} }
      if (i % 5 === 2) throw new Error('odd ' + i);
      if (i % 5 === 3) return { big: BigInt(i) };
      let s = 0;
      for (let k = 0; k < i * 10; k++) s += k % 7;
      return { i, s, t: 'x'.repeat(i % 4) };
    }`;
    const source = contract(mcu, { count: 20, limits: '{ gasPerMcu: 5_000 }' });
    const [a, b] = await Promise.all([load(source), load(source)]);
    const [x, y] = await Promise.all([a.runRange({ from: 0, count: 20 }), b.runRange({ from: 0, count: 20 })]);
    expect(a.bundle.cid).toBe(b.bundle.cid);
    expect(x.gas).toBe(y.gas);
    expect(x.maxGas).toBe(y.maxGas);
    expect(x.minGas).toBe(y.minGas);
    expect(x.resultsJson).toBe(y.resultsJson);
    expect(x.errors).toEqual(y.errors);
    expect(x.maxGas).toBe(5_000);
    expect(x.results).toHaveLength(8);
    expect(x.errorCount).toBe(12);
    expect(x.errors.map((e) => [e.index, e.fn, e.code])).toEqual(
      [1, 2, 3, 6, 7, 8, 11, 12, 13, 16, 17, 18].map((index) => [
        index,
        index % 5 === 3 ? 'mcu result' : 'mcu',
        ['', 'RT_OUT_OF_GAS', 'RT_MCU_THREW', 'RT_RESULT_UNSERIALISABLE'][index % 5],
      ]),
    );
  });
});
