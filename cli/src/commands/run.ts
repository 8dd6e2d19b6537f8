import { Flags } from '@oclif/core';
import { type ProjectRunReport, readProject, runProject, type SandboxPool } from '@zi/runtime';
import { BaseCommand } from '../base.js';
import { CliError, EXIT } from '../errors.js';
import { int, mcuErrorLines } from '../format.js';
import { progressBar } from '../progress.js';

/** Parses `a..b` (end exclusive). */
export function parseRange(text: string): { from: number; to: number } {
  const m = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  const from = m ? Number(m[1]) : Number.NaN;
  const to = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
    throw new CliError(
      'CLI_BAD_RANGE',
      `"${text}" is not a range`,
      'write start..end with end exclusive, e.g. --range 0..1000',
      EXIT.usage,
    );
  }
  return { from, to };
}

/** Runs a project with a progress bar and prints the summary; shared by `zi run` and `zi demo`. */
export async function runWithProgress(
  cmd: { say(line?: string): void },
  dir: string,
  pool: SandboxPool,
  options: { range?: string; batch?: number; out?: string; quiet: boolean },
): Promise<ProjectRunReport> {
  const project = await readProject(dir);
  const range = options.range ? parseRange(options.range) : undefined;
  const bar = progressBar(!options.quiet);
  let report: ProjectRunReport;
  try {
    report = await runProject(project, pool, {
      ...(range ? range : {}),
      ...(options.batch !== undefined ? { batchSize: options.batch } : {}),
      ...(options.out !== undefined ? { outDir: options.out } : {}),
      onProgress: (p) => bar.update(p),
    });
  } finally {
    bar.end();
  }
  const { job, built } = report;
  const say = (line = '') => (options.quiet ? undefined : cmd.say(line));
  say(`Ran ${built.manifest.name}@${built.manifest.version} over ${job.from}..${job.to} on ${pool.size} workers`);
  say(
    `  MCUs       ${int(job.mcus)} in ${(job.elapsedMs / 1000).toFixed(1)} s (${int((job.mcus / job.elapsedMs) * 1000)} MCU/s), ${job.batches} batches`,
  );
  say(`  gas        ${int(job.gas)} (per MCU min ${int(job.minGas)}, max ${int(job.maxGas)})`);
  say(`  results    ${int(job.resultCount)} -> ${report.resultsPath}`);
  if (job.validation)
    say(
      `  validate   ${job.validation.rejected.length === 0 ? `ok (${job.validation.batches} batches sampled)` : `${job.validation.rejected.length} batches REJECTED`}`,
    );
  if (report.renderPath) say(`  render     ${report.renderPath}`);
  if (job.errorCount > 0) {
    say(`  failing MCUs ${job.errorCount}:`);
    for (const line of mcuErrorLines(job.errors, job.errorCount)) say(line);
  }
  for (const f of job.failedBatches) say(`  batch ${f.from}..${f.from + f.count} did not run: ${f.code}: ${f.message}`);
  if (job.failedBatches.length > 0) process.exitCode = EXIT.environment;
  else if (job.errorCount > 0 || (job.validation && job.validation.rejected.length > 0)) process.exitCode = EXIT.contractFailed;
  return report;
}

export default class Run extends BaseCommand {
  static override summary = 'Run the whole job locally on every core';
  static override description =
    'Builds the contract, runs every MCU (or --range) in the sandbox pool with a progress bar, validates each batch, unions the results and renders them.';
  static override examples = ['<%= config.bin %> run', '<%= config.bin %> run --range 0..1000', '<%= config.bin %> run --workers 1 --json'];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'project folder', default: '.' }),
    range: Flags.string({ char: 'r', description: 'index range start..end (end exclusive)' }),
    workers: Flags.integer({ char: 'w', description: 'sandbox worker processes (default: every core)', min: 1 }),
    batch: Flags.integer({ description: 'MCUs per batch (default: sized from the gas limit)', min: 1 }),
    out: Flags.string({ char: 'o', description: 'folder for results and render (default .zi/run)' }),
  };

  async run() {
    const { flags } = await this.parse(Run);
    const report = await runWithProgress(this, flags.dir, this.openPool(flags.workers), {
      ...(flags.range !== undefined ? { range: flags.range } : {}),
      ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
      ...(flags.out !== undefined ? { out: flags.out } : {}),
      quiet: this.jsonEnabled(),
    });
    const { resultsJson: _omit, ...job } = report.job;
    return { cid: report.built.manifest.cid, resultsPath: report.resultsPath, renderPath: report.renderPath, job };
  }
}
