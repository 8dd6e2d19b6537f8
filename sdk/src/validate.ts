import type { ResultEntry, ValidateContext, Verdict } from './contract.js';
import { sampleIndices } from './sample.js';

/**
 * The default validation: re-runs a seeded random sample of the batch's indices and compares the
 * outputs (an absent entry must re-run to `undefined`). Entries outside the batch fail it.
 *
 * @example
 * validate: (results, ctx) => defaultValidate(results, ctx),
 */
export function defaultValidate<I, O>(results: readonly ResultEntry<O>[], ctx: ValidateContext<I, O>): Verdict {
  const byIndex = new Map<number, O>();
  let last = -1;
  for (const entry of results) {
    if (entry.index < ctx.from || entry.index >= ctx.from + ctx.count) {
      return { ok: false, reason: `index ${entry.index} lies outside the batch`, index: entry.index };
    }
    if (entry.index <= last) return { ok: false, reason: `index ${entry.index} is out of order or repeated`, index: entry.index };
    last = entry.index;
    byIndex.set(entry.index, entry.output);
  }
  const checked = sampleIndices(ctx.count, ctx.sampleRate, ctx.seed).map((offset) => ctx.from + offset);
  for (const index of checked) {
    const expected = ctx.rerun(index);
    if (!ctx.equal(byIndex.get(index), expected)) {
      return { ok: false, reason: `output at index ${index} differs from the re-run`, index, checked };
    }
  }
  return { ok: true, checked };
}
