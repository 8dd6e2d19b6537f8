import type { Contract, ResultEntry, Verdict } from './contract.js';
import { deepEqual } from './equal.js';

/** A registered test. `zi test` runs each in the sandbox with its own gas budget. */
export interface TestCase {
  readonly name: string;
  readonly fn: () => void;
}

const registry: TestCase[] = [];

/** Every test registered so far, in order. Read by the runtime. */
export const tests: readonly TestCase[] = registry;

/**
 * Registers a test. Tests run inside the same sandbox as the contract (no Node APIs, no clock);
 * a test fails when it throws.
 *
 * @example
 * test('origin is in the set', () => expect(runMcu(contract, 0)).toBe(2000));
 */
export function test(name: string, fn: () => void): void {
  if (typeof name !== 'string' || typeof fn !== 'function') throw new TypeError('test(name, fn): name is a string, fn a function');
  registry.push({ name, fn });
}

/** Thrown by failed expectations. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    // Defined, not assigned: inside the sandbox Error.prototype is frozen, and assigning `name`
    // over a frozen inherited property throws.
    Object.defineProperty(this, 'name', { value: 'AssertionError', enumerable: false, configurable: true, writable: true });
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return '[function]';
  try {
    const text = JSON.stringify(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/** Assertions on one value. */
export interface Expectation {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeGreaterThan(bound: number): void;
  toBeLessThan(bound: number): void;
  toBeUndefined(): void;
  toBeTruthy(): void;
  toThrow(messagePart?: string): void;
}

/**
 * A small assertion helper that runs in the sandbox.
 *
 * @example
 * expect(runMcu(contract, 3)).toEqual(9);
 */
export function expect(actual: unknown): Expectation {
  const fail = (message: string): never => {
    throw new AssertionError(message);
  };
  return {
    toBe: (expected) => (Object.is(actual, expected) ? undefined : fail(`expected ${show(actual)} to be ${show(expected)}`)),
    toEqual: (expected) => (deepEqual(actual, expected) ? undefined : fail(`expected ${show(actual)} to equal ${show(expected)}`)),
    toBeGreaterThan: (bound) =>
      typeof actual === 'number' && actual > bound ? undefined : fail(`expected ${show(actual)} to be greater than ${bound}`),
    toBeLessThan: (bound) =>
      typeof actual === 'number' && actual < bound ? undefined : fail(`expected ${show(actual)} to be less than ${bound}`),
    toBeUndefined: () => (actual === undefined ? undefined : fail(`expected ${show(actual)} to be undefined`)),
    toBeTruthy: () => (actual ? undefined : fail(`expected ${show(actual)} to be truthy`)),
    toThrow(messagePart) {
      if (typeof actual !== 'function') fail('toThrow expects a function');
      try {
        (actual as () => unknown)();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (messagePart !== undefined && !message.includes(messagePart)) {
          fail(`expected an error containing ${show(messagePart)}, got ${show(message)}`);
        }
        return;
      }
      fail('expected the function to throw');
    },
  };
}

function inputAt<I, O>(contract: Contract<I, O>, index: number): I {
  const inputs = contract.inputs;
  if (inputs.kind === 'indexed') {
    if (!Number.isSafeInteger(index) || index < 0 || index >= inputs.count) {
      throw new RangeError(`index ${index} is outside the input space [0, ${inputs.count})`);
    }
    return inputs.at(index);
  }
  const it = inputs.generate();
  for (let i = 0; ; i++) {
    const step = it.next();
    if (step.done) throw new RangeError(`index ${index} is past the end of the generated inputs (${i})`);
    if (i === index) return step.value;
  }
}

/**
 * Runs the MCU at one index, as a solver would.
 *
 * @example
 * expect(runMcu(contract, 0)).toBe(0);
 */
export function runMcu<I, O>(contract: Contract<I, O>, index: number): O | undefined {
  return contract.mcu(inputAt(contract, index));
}

/**
 * Runs `count` MCUs from `from` and returns their results (entries for non-`undefined` outputs).
 *
 * @example
 * const results = runRange(contract, 0, 10);
 */
export function runRange<I, O>(contract: Contract<I, O>, from: number, count: number): ResultEntry<O>[] {
  const out: ResultEntry<O>[] = [];
  for (let index = from; index < from + count; index++) {
    const output = runMcu(contract, index);
    if (output !== undefined) out.push({ index, output });
  }
  return out;
}

/**
 * Runs the contract's `validate` on a batch, as a bidder or validator would, with the given seed.
 *
 * @example
 * expect(validateBatch(contract, runRange(contract, 0, 10), { from: 0, count: 10 }).ok).toBe(true);
 */
export function validateBatch<I, O>(
  contract: Contract<I, O>,
  results: readonly ResultEntry<O>[],
  batch: { from: number; count: number; seed?: string },
): Verdict {
  const verdict = contract.validate(results, {
    from: batch.from,
    count: batch.count,
    seed: batch.seed ?? '00',
    sampleRate: contract.sampleRate,
    input: (index) => inputAt(contract, index),
    rerun: (index) => runMcu(contract, index),
    equal: deepEqual,
  });
  if (verdict === true) return { ok: true };
  if (verdict === false) return { ok: false, reason: 'validate returned false' };
  return verdict;
}
