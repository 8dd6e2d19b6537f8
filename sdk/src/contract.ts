import { defaultUnion } from './union.js';
import { defaultValidate } from './validate.js';

/** Version of the contract SDK; recorded in every manifest. */
export const SDK_VERSION = '0.1.0';

/**
 * An input space that can be addressed by index: any solver can jump to any index, and solved
 * ranges are skipped without computing what lies in them. Preferred over a generator.
 *
 * @example
 * const inputs: IndexedInputs<number> = { count: 100, at: (i) => i * i };
 */
export interface IndexedInputs<I> {
  /** Number of inputs, a non-negative safe integer. */
  readonly count: number;
  /** The input at `index`, 0 <= index < count. Must depend on `index` alone. */
  at(index: number): I;
}

/**
 * An input space that cannot be indexed: a generator that yields inputs in order. A solver that
 * starts at index `k` must walk past the first `k` inputs.
 *
 * @example
 * const inputs: GeneratorInputs<string> = function* () { yield 'a'; yield 'b'; };
 */
export type GeneratorInputs<I> = () => Iterator<I>;

/** One computed result: the index of its input and the MCU's output. */
export interface ResultEntry<O> {
  readonly index: number;
  readonly output: O;
}

/** What `validate` is given besides the results. */
export interface ValidateContext<I, O> {
  /** First index of the batch under validation. */
  readonly from: number;
  /** Number of indices the batch covers; entries may be fewer when the MCU returned `undefined`. */
  readonly count: number;
  /** Hex seed chosen by the validating host after the solver committed to the batch. */
  readonly seed: string;
  /** Fraction of the batch the default validation re-runs (at least one MCU). */
  readonly sampleRate: number;
  /** The input at `index`. */
  input(index: number): I;
  /** Re-runs the MCU at `index` in the validator's own sandbox. */
  rerun(index: number): O | undefined;
  /** Structural equality as the protocol sees it (same canonical encoding). */
  equal(a: unknown, b: unknown): boolean;
}

/** The answer of `validate`. `true`/`false` are accepted as shorthands. */
export type Verdict =
  | { readonly ok: true; readonly checked?: readonly number[] }
  | { readonly ok: false; readonly reason: string; readonly index?: number; readonly checked?: readonly number[] };

/** An RGBA image; `render` may return one and the host writes it as PNG. */
export interface ImageOutput {
  readonly type: 'image';
  readonly width: number;
  readonly height: number;
  /** width * height * 4 bytes, row by row, red green blue alpha. */
  readonly rgba: Uint8Array;
}

/** What `render` may return: an image (PNG), text, or any JSON value. */
export type RenderOutput =
  | ImageOutput
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'json'; readonly value: unknown };

/** Work limits of a contract, in gas (deterministic units of work, never time). */
export interface ContractLimits {
  /** The maximum amount of work of one MCU, input generation included. Required. */
  readonly gasPerMcu: number;
  /** Budget of `validate`'s own code, re-runs not included. Default 10 x gasPerMcu + 1,000,000. */
  readonly gasPerValidate?: number;
  /** Budget of `union` for one merge. Default 100,000,000. */
  readonly gasPerUnion?: number;
  /** Budget of `render`. Default 2,000,000,000. */
  readonly gasPerRender?: number;
  /** Heap of the sandbox in MiB (16..2048). Default 128. */
  readonly memoryMb?: number;
}

/** What a contract author writes. Input and output types flow from `inputs` and `mcu` into the hooks. */
export interface ContractDefinition<I, O> {
  /** Lower-case name: letters, digits and dashes. */
  readonly name: string;
  /** Version of this contract, e.g. "1.0.0". */
  readonly version: string;
  readonly description?: string;
  /** Price of one MCU in Li: a bigint, a safe integer, or a string such as "10 Li" or "0.5 Zi". */
  readonly price: bigint | number | string;
  readonly limits: ContractLimits;
  /** The input space. */
  readonly inputs: IndexedInputs<I> | GeneratorInputs<I>;
  /** The minimal computational unit: one input, one result. Return `undefined` for "no result" (sparse jobs). */
  mcu(input: I): O | undefined;
  /** Merges two result sets. Default: concatenation ordered by index; equal indices must agree. */
  union?(a: readonly ResultEntry<O>[], b: readonly ResultEntry<O>[]): ResultEntry<O>[];
  /** Decides whether a batch is acceptable. Default: re-runs a seeded random sample. */
  validate?(results: readonly ResultEntry<O>[], ctx: ValidateContext<I, O>): Verdict | boolean;
  /** Turns all results into something a person looks at. */
  render?(results: readonly ResultEntry<O>[], info: { readonly count: number | null }): RenderOutput;
  /** Validation settings. */
  readonly validation?: { readonly sampleRate?: number };
}

/** A contract as the runtime sees it: every default filled in, frozen. */
export interface Contract<I, O> {
  readonly kind: 'zi-contract';
  readonly sdkVersion: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly price: string;
  readonly limits: Required<ContractLimits>;
  readonly inputs:
    | { readonly kind: 'indexed'; readonly count: number; at(index: number): I }
    | { readonly kind: 'generator'; generate(): Iterator<I> };
  mcu(input: I): O | undefined;
  union(a: readonly ResultEntry<O>[], b: readonly ResultEntry<O>[]): ResultEntry<O>[];
  validate(results: readonly ResultEntry<O>[], ctx: ValidateContext<I, O>): Verdict | boolean;
  render: ((results: readonly ResultEntry<O>[], info: { readonly count: number | null }) => RenderOutput) | null;
  readonly sampleRate: number;
}

const NAME = /^[a-z][a-z0-9-]{0,63}$/;
const MAX_GAS = 2 ** 50;

function positiveGas(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_GAS) {
    throw new RangeError(`defineContract: ${field} must be an integer from 1 to 2^50, got ${String(value)}`);
  }
  return value;
}

function priceText(price: unknown): string {
  if (typeof price === 'bigint') return `${price}`;
  if (typeof price === 'number' && Number.isSafeInteger(price)) return `${price}`;
  if (typeof price === 'string') return price;
  throw new TypeError('defineContract: price must be Li as a bigint or integer, or a string such as "10 Li"');
}

/**
 * Declares a contract. Checks its shape, fills in the default union and validate, and freezes it.
 * The module that defines the contract exports it as default.
 *
 * @example
 * export default defineContract({
 *   name: 'squares', version: '1.0.0', price: 1n, limits: { gasPerMcu: 100 },
 *   inputs: { count: 1000, at: (i) => i },
 *   mcu: (n) => n * n,
 * });
 */
export function defineContract<I, O>(definition: ContractDefinition<I, O>): Contract<I, O> {
  if (typeof definition !== 'object' || definition === null) {
    throw new TypeError('defineContract: expected an object with name, version, price, limits, inputs and mcu');
  }
  const d = definition;
  if (typeof d.name !== 'string' || !NAME.test(d.name)) {
    throw new TypeError(`defineContract: name must be lower-case letters, digits and dashes, got ${JSON.stringify(d.name)}`);
  }
  if (typeof d.version !== 'string' || d.version.length === 0 || d.version.length > 64) {
    throw new TypeError('defineContract: version must be a non-empty string such as "1.0.0"');
  }
  if (typeof d.mcu !== 'function') throw new TypeError('defineContract: mcu must be a function (input) => output');
  if (typeof d.limits !== 'object' || d.limits === null) {
    throw new TypeError('defineContract: limits.gasPerMcu is required (the maximum amount of work of one MCU)');
  }
  const gasPerMcu = positiveGas(d.limits.gasPerMcu, 'limits.gasPerMcu', Number.NaN);
  const memoryMb = d.limits.memoryMb ?? 128;
  if (!Number.isInteger(memoryMb) || memoryMb < 16 || memoryMb > 2048) {
    throw new RangeError(`defineContract: limits.memoryMb must be an integer from 16 to 2048, got ${String(memoryMb)}`);
  }
  const limits = Object.freeze({
    gasPerMcu,
    gasPerValidate: positiveGas(d.limits.gasPerValidate, 'limits.gasPerValidate', Math.min(MAX_GAS, gasPerMcu * 10 + 1_000_000)),
    gasPerUnion: positiveGas(d.limits.gasPerUnion, 'limits.gasPerUnion', 100_000_000),
    gasPerRender: positiveGas(d.limits.gasPerRender, 'limits.gasPerRender', 2_000_000_000),
    memoryMb,
  });
  const inputs = normalizeInputs(d.inputs);
  const sampleRate = d.validation?.sampleRate ?? 0.05;
  if (typeof sampleRate !== 'number' || !(sampleRate > 0 && sampleRate <= 1)) {
    throw new RangeError(`defineContract: validation.sampleRate must be in (0, 1], got ${String(sampleRate)}`);
  }
  for (const hook of ['union', 'validate', 'render'] as const) {
    if (d[hook] !== undefined && typeof d[hook] !== 'function') throw new TypeError(`defineContract: ${hook} must be a function`);
  }
  const mcu = d.mcu;
  return Object.freeze({
    kind: 'zi-contract' as const,
    sdkVersion: SDK_VERSION,
    name: d.name,
    version: d.version,
    description: typeof d.description === 'string' ? d.description : '',
    price: priceText(d.price),
    limits,
    inputs,
    mcu: (input: I) => mcu.call(d, input),
    union: d.union ? d.union.bind(d) : defaultUnion,
    validate: d.validate ? d.validate.bind(d) : defaultValidate,
    render: d.render ? d.render.bind(d) : null,
    sampleRate,
  });
}

function normalizeInputs<I>(inputs: IndexedInputs<I> | GeneratorInputs<I>): Contract<I, unknown>['inputs'] {
  if (typeof inputs === 'function') {
    return Object.freeze({ kind: 'generator' as const, generate: () => inputs() });
  }
  if (typeof inputs === 'object' && inputs !== null && typeof inputs.at === 'function') {
    const { count } = inputs;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`defineContract: inputs.count must be a non-negative safe integer, got ${String(count)}`);
    }
    const at = inputs.at;
    return Object.freeze({ kind: 'indexed' as const, count, at: (index: number) => at.call(inputs, index) });
  }
  throw new TypeError('defineContract: inputs must be { count, at(index) } or a generator function');
}
