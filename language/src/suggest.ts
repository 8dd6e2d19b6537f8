/**
 * "Did you mean": the closest known word to a misspelled one, by edit distance (insertions,
 * deletions, substitutions and swaps of neighbouring letters each cost 1, so `retrun` is one edit
 * from `return`).
 * @module
 */

/**
 * The edit distance between two words (optimal string alignment: Levenshtein plus the swap of two
 * neighbouring characters), or `limit + 1` as soon as it is known to exceed `limit`.
 *
 * @example
 * ```ts
 * editDistance('retrun', 'return'); // 1
 * editDistance('u36', 'u32'); // 1
 * ```
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  // Three rows suffice: the previous two (for swaps) and the current one.
  let before: number[] = [];
  let previous: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current: number[] = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] ?? 0) + 1);
      current.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Options of {@link suggest}. */
export interface SuggestOptions {
  /**
   * The largest distance still suggested. Default: 1 for words of up to 4 characters, 2 up to 8,
   * else 3, so short names do not "match" unrelated short names.
   */
  readonly maxDistance?: number;
}

/** The default distance budget for a word of this length. */
function defaultMaxDistance(word: string): number {
  return word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
}

/**
 * Known words close to `word`, best first (a difference in case only, then smaller distance, then a
 * longer common prefix, then alphabetical). `word` itself is never suggested.
 *
 * @example
 * ```ts
 * suggestAll('lenght', ['length', 'left', 'len']); // ['length']
 * ```
 */
export function suggestAll(word: string, candidates: Iterable<string>, options: SuggestOptions = {}): string[] {
  const limit = options.maxDistance ?? defaultMaxDistance(word);
  const lower = word.toLowerCase();
  const found: { name: string; distance: number; prefix: number }[] = [];
  const seen = new Set<string>();
  for (const name of candidates) {
    if (name === word || seen.has(name)) continue;
    seen.add(name);
    // A difference in case alone is the likeliest mistake of all.
    const distance = name.toLowerCase() === lower ? 0.5 : editDistance(word, name, limit);
    if (distance <= limit) found.push({ name, distance, prefix: commonPrefix(word, name) });
  }
  // Ties go to the longer common prefix (typos are likelier late in a word), then alphabetical.
  found.sort((x, y) => x.distance - y.distance || y.prefix - x.prefix || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return found.map((f) => f.name);
}

/**
 * The single best suggestion for `word` among `candidates`, or `undefined` when none is close.
 *
 * @example
 * ```ts
 * suggest('retrun', ['return', 'break', 'continue']); // 'return'
 * suggest('x', ['return']); // undefined
 * ```
 */
export function suggest(word: string, candidates: Iterable<string>, options: SuggestOptions = {}): string | undefined {
  return suggestAll(word, candidates, options)[0];
}

/**
 * A sentence for a diagnostic hint: "did you mean `return`?", or `undefined` when nothing is
 * close enough.
 */
export function didYouMean(word: string, candidates: Iterable<string>, options: SuggestOptions = {}): string | undefined {
  const best = suggest(word, candidates, options);
  return best === undefined ? undefined : `did you mean \`${best}\`?`;
}
