import type { McuError } from '@zi/runtime';

/** "12,345" */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Lines describing failing MCUs, at most `limit`. */
export function mcuErrorLines(errors: readonly McuError[], total: number, limit = 20): string[] {
  const lines = errors.slice(0, limit).map((e) => `  index ${e.index} (${e.fn}): ${e.code}: ${e.message}`);
  if (total > lines.length) lines.push(`  … and ${total - lines.length} more`);
  return lines;
}
