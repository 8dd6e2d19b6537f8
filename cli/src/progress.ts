import type { JobProgress } from '@zi/runtime';

function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '--';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A one-line progress bar on stderr (redrawn on a terminal, a line every few seconds otherwise). */
export function progressBar(enabled: boolean): { update(p: JobProgress): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  let drawn = false;
  return {
    update(p) {
      if (!enabled) return;
      const total = p.total ?? 0;
      const fraction = total > 0 ? p.done / total : 0;
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      const line = `${bar} ${p.done}/${p.total ?? '?'} MCUs  ${Math.round(p.mcusPerSecond)} MCU/s  ETA ${duration(p.etaMs)}${p.errors > 0 ? `  ${p.errors} failed` : ''}`;
      if (tty) {
        process.stderr.write(`\r${line}\x1b[K`);
        drawn = true;
      } else if (p.elapsedMs - lastLine > 2000 || p.done === total) {
        lastLine = p.elapsedMs;
        process.stderr.write(`${line}\n`);
      }
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}
