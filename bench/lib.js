// Helpers shared by the benchmarks (bench/run.js, bench/spec.js, bench/node.js): timing,
// statistics over repetitions, number formatting and the printed tables.
import { createPrivateKey } from 'node:crypto';

/** DER PKCS#8 header of an Ed25519 private key (RFC 8410 §7): the 32-byte seed follows it. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The current time in ms, sub-millisecond. */
export const now = () => performance.now();

/** The median of a list of numbers (the mean of the middle two for an even count). */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The smallest of a list of times: the best repetition. */
export const best = (xs) => Math.min(...xs);

/** A whole number with thousands separators ("80,000"); '-' for anything that is not a finite number. */
export const int = (n) =>
  Number.isFinite(n)
    ? Math.round(n)
        .toString()
        .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
    : '-';

/** A number with `d` decimals; '-' for anything that is not a finite number. */
export const fixed = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');

/** A number rounded to `d` decimals for the JSON report; null for anything that is not a finite number. */
export const round = (n, d = 3) => (Number.isFinite(n) ? Number(n.toFixed(d)) : null);

/** Operations per second from a count and the ms they took. */
export const rate = (ops, ms) => (ops / ms) * 1000;

/** Rates over the kept repetitions (the first, a warm-up, is dropped by the callers). */
export const rates = (ops, times) => ({ best: rate(ops, best(times)), median: rate(ops, median(times)) });

/** Prints a table under a title: the first column left-aligned, the others right-aligned. */
export function table(title, head, rows) {
  const cells = [head, ...rows].map((r) => r.map((v) => String(v)));
  const widths = head.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r) => `  ${r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ')}`;
  console.log(`\n${title}`);
  console.log(line(cells[0]));
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Prints an indented line of text under a table. */
export const note = (text) => console.log(`  ${text}`);

/** Runs named sections: `section(name, fn)` keeps what `fn(ctx)` returns, or prints and records its failure. */
export function sectionRunner(ctx) {
  const results = {};
  const errors = [];
  const section = async (name, fn) => {
    try {
      results[name] = await fn(ctx);
    } catch (error) {
      errors.push({ section: name, message: error?.message ?? String(error) });
      console.log(`\n[${name}] FAILED: ${error?.stack ?? error}`);
    }
  };
  return { results, errors, section };
}

/** Prints the total time, then the JSON summary as the very last line; exit code 1 when `failed`. */
export function finish(summary, errors, failed = errors.length > 0) {
  console.log(
    `\nbench finished in ${fixed(summary.elapsedMs / 1000, 1)} s${errors.length > 0 ? ` with ${errors.length} failed section(s)` : ''}`,
  );
  console.log(JSON.stringify(summary));
  if (failed) process.exitCode = 1;
}

/** A node:crypto Ed25519 private key from its 32-byte seed (to sign RFC 8032 signatures fast, in bulk). */
export const privateKeyOfSeed = (seed) => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
