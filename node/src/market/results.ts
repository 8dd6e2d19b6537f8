import { randomBytes } from 'node:crypto';
import { type BatchVerdict, RuntimeError, type Sandbox } from '@zi/runtime';
import type { IndexRange } from '@zi/spec';

/**
 * The result bytes of a batch (SES-4 `results`): the UTF-8 JSON that `Sandbox.runRange` writes as
 * `resultsJson` — `[[index, output], …]`, indices ascending, one pair per MCU that returned a value
 * (an MCU that returned `undefined` or failed has no pair). A batch of several ranges is run as one
 * span with the holes skipped, so its results are one such array too. The payout's `result` is the
 * raw CID of these bytes.
 */
export function encodeBatchResults(resultsJson: string): Uint8Array {
  return new TextEncoder().encode(resultsJson);
}

/** The result bytes of a batch read back: one `resultsJson` per range of the payout, for `Sandbox.validate`. */
export type ReadResults = { ok: true; perRange: string[]; entries: number } | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads result bytes (see {@link encodeBatchResults}) against the payout's ranges: valid UTF-8 JSON,
 * an array of `[index, output]` pairs with safe-integer indices, strictly ascending, each inside
 * one of `ranges`. Returns the pairs split by range (the original text when there is one range),
 * or why the bytes are not results of these ranges.
 */
export function readBatchResults(bytes: Uint8Array, ranges: readonly IndexRange[]): ReadResults {
  let text: string;
  let value: unknown;
  try {
    text = decoder.decode(bytes);
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the results are not UTF-8 JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(value)) return { ok: false, reason: 'the results are not a JSON array of [index, output] pairs' };
  const groups: unknown[][] = ranges.map(() => []);
  let r = 0;
  let last = -1;
  for (const [i, pair] of value.entries()) {
    if (!Array.isArray(pair) || pair.length !== 2 || !Number.isSafeInteger(pair[0])) {
      return { ok: false, reason: `results[${i}] is not an [index, output] pair` };
    }
    const index = pair[0] as number;
    if (index <= last) return { ok: false, reason: `results[${i}]: index ${index} is not above the index before it` };
    last = index;
    while (r < ranges.length && index >= (ranges[r] as IndexRange).from + (ranges[r] as IndexRange).count) r++;
    const range = ranges[r];
    if (!range || index < range.from) return { ok: false, reason: `results[${i}]: index ${index} is not in the payout's ranges` };
    (groups[r] as unknown[]).push(pair);
  }
  if (ranges.length === 1) return { ok: true, perRange: [text], entries: value.length };
  try {
    return { ok: true, perRange: groups.map((group) => JSON.stringify(group)), entries: value.length };
  } catch (error) {
    return { ok: false, reason: `the results cannot be split by range: ${(error as Error).message}` };
  }
}

/** Why the contract's validate did not accept a batch; `environment`: the sandbox failed, not the results. */
export interface ValidationFailure {
  reason: string;
  environment: boolean;
}

/**
 * SES-5: validates each range of a batch on its own (`validate` checks one contiguous range) with
 * the contract's validate and a fresh random seed the solver could not know. Resolves `undefined`
 * when every range passes.
 */
export async function validateBatchResults(
  sandbox: Sandbox,
  ranges: readonly IndexRange[],
  perRange: readonly string[],
): Promise<ValidationFailure | undefined> {
  let verdicts: BatchVerdict[];
  try {
    verdicts = await Promise.all(
      ranges.map((range, i) =>
        sandbox.validate({ from: range.from, count: range.count, resultsJson: perRange[i] ?? '[]', seed: randomBytes(16).toString('hex') }),
      ),
    );
  } catch (error) {
    if (!(error instanceof RuntimeError)) throw error;
    if (error.environment) return { reason: `the sandbox failed: ${error.message}`, environment: true };
    return { reason: `validation failed: ${error.code}: ${error.message}`, environment: false };
  }
  const bad = verdicts.findIndex((verdict) => !verdict.ok);
  if (bad < 0) return undefined;
  const range = ranges[bad] as IndexRange;
  return { reason: `range ${range.from}+${range.count}: ${verdicts[bad]?.reason ?? 'rejected by validate'}`, environment: false };
}
