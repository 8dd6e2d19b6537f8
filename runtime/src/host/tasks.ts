import { randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type BuiltContract, buildContract, buildTestBundle } from '../build/build.js';
import { RuntimeError } from '../errors.js';
import { type JobProgress, type JobReport, runJob } from './job.js';
import { writeRendered } from './output.js';
import type { SandboxPool } from './pool.js';
import { findTestFiles, type Project } from './project.js';
import { type McuError, runBundleTests, Sandbox, type TestOutcome } from './sandbox.js';

/**
 * The bytes of `manifest.json` as text: what `zi build` writes and what a publish transaction's
 * `manifest` CID names, so every writer of that file must use this.
 */
export function manifestText(manifest: BuiltContract['manifest']): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Writes the bundle and manifest of a built contract to `.zi/build/`. */
export async function writeBuild(project: Project, built: BuiltContract): Promise<{ bundlePath: string; manifestPath: string }> {
  const dir = join(project.outDir, 'build');
  await mkdir(dir, { recursive: true });
  const bundlePath = join(dir, `${built.manifest.name}.js`);
  const manifestPath = join(dir, 'manifest.json');
  await writeFile(bundlePath, built.bundle.code);
  await writeFile(manifestPath, manifestText(built.manifest));
  return { bundlePath, manifestPath };
}

/** Statistics of a trial: a sample of MCUs through mcu -> union -> validate. */
export interface TrialReport {
  readonly mcus: number;
  readonly elapsedMs: number;
  readonly mcusPerSecond: number;
  readonly gas: { readonly min: number; readonly avg: number; readonly max: number; readonly limit: number };
  readonly errors: readonly McuError[];
  readonly errorCount: number;
  readonly unionOk: boolean;
  readonly validation: { readonly ok: boolean; readonly reason?: string };
  readonly estimate: {
    readonly inputCount: number | null;
    /** Price of the whole input space in Li. */
    readonly costLi: bigint | null;
    readonly gas: number | null;
    /** Seconds the whole job would take on this machine with every core. */
    readonly seconds: number | null;
  };
}

/**
 * Runs `mcus` MCUs spread over the input space (ten evenly spaced chunks, so cheap and expensive
 * regions are both seen), unions them and validates each chunk.
 */
export async function trialRun(sandbox: Sandbox, mcus: number): Promise<TrialReport> {
  const { info } = sandbox;
  const count = info.inputs.count;
  const want = count === null ? mcus : Math.min(mcus, count);
  const chunks = Math.max(1, Math.min(10, want));
  const per = Math.ceil(want / chunks);
  const starts: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const start = count === null || chunks === 1 ? c * per : Math.floor(((count - per) * c) / (chunks - 1));
    if (starts.length === 0 || start >= (starts[starts.length - 1] as number) + per) starts.push(start);
  }
  // Warm every worker first (isolate creation, compilation, JIT), so the rate is the steady one.
  await Promise.all(Array.from({ length: sandbox.pool.size }, () => sandbox.runRange({ from: 0, count: 1 })));
  const started = performance.now();
  const batches = await Promise.all(starts.map((from) => sandbox.runRange({ from, count: per })));
  const elapsedMs = performance.now() - started;
  let ran = 0;
  let gas = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let errorCount = 0;
  const errors: McuError[] = [];
  for (const b of batches) {
    ran += b.mcus;
    gas += b.gas;
    if (b.mcus > 0) min = Math.min(min, b.minGas);
    max = Math.max(max, b.maxGas);
    errorCount += b.errorCount;
    errors.push(...b.errors);
  }
  let unionOk = true;
  try {
    await sandbox.union(batches.map((b) => b.resultsJson));
  } catch (error) {
    if (!(error instanceof RuntimeError) || error.environment) throw error;
    unionOk = false;
  }
  let validation: { ok: boolean; reason?: string } = { ok: true };
  for (const b of batches) {
    const v = await sandbox.validate({ from: b.from, count: b.mcus, resultsJson: b.resultsJson, seed: randomBytes(16).toString('hex') });
    if (!v.ok) {
      validation = { ok: false, reason: `batch ${b.from}..${b.from + b.mcus}: ${v.reason ?? 'rejected'}` };
      break;
    }
  }
  const rate = elapsedMs > 0 ? (ran / elapsedMs) * 1000 : 0;
  const avg = ran > 0 ? gas / ran : 0;
  return {
    mcus: ran,
    elapsedMs,
    mcusPerSecond: rate,
    gas: { min: Number.isFinite(min) ? min : 0, avg, max, limit: info.limits.gasPerMcu },
    errors,
    errorCount,
    unionOk,
    validation,
    estimate: {
      inputCount: count,
      costLi: count === null ? null : BigInt(count) * info.price,
      gas: count === null ? null : Math.round(avg * count),
      // The trial ran its chunks on every worker at once, so `rate` is already the machine's rate.
      seconds: count === null || rate === 0 ? null : count / rate,
    },
  };
}

/** The project's own tests plus a trial of its contract. */
export interface ProjectTestReport {
  readonly tests: readonly TestOutcome[];
  readonly trial: TrialReport;
  readonly built: BuiltContract;
}

/** `zi test`: runs the project's tests in the sandbox, then a trial of the contract. */
export async function testProject(project: Project, pool: SandboxPool, options: { mcus: number }): Promise<ProjectTestReport> {
  const files = await findTestFiles(project);
  const tests = files.length === 0 ? [] : await runBundleTests(pool, await buildTestBundle({ projectDir: project.dir, testFiles: files }));
  const built = await buildContract({ projectDir: project.dir, entry: project.entry, pool });
  const sandbox = await Sandbox.load(pool, built.bundle);
  const trial = await trialRun(sandbox, options.mcus);
  return { tests, trial, built };
}

/** What `zi run` produced. */
export interface ProjectRunReport {
  readonly built: BuiltContract;
  readonly job: JobReport;
  readonly resultsPath: string;
  readonly renderPath: string | null;
}

/** `zi run`: builds, runs the whole job (or a range) on every core, unions, validates, renders. */
export async function runProject(
  project: Project,
  pool: SandboxPool,
  options: { from?: number; to?: number; batchSize?: number; outDir?: string; onProgress?: (p: JobProgress) => void },
): Promise<ProjectRunReport> {
  const built = await buildContract({ projectDir: project.dir, entry: project.entry, pool });
  const sandbox = await Sandbox.load(pool, built.bundle);
  const job = await runJob(sandbox, {
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.to !== undefined ? { to: options.to } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const outDir = resolve(options.outDir ?? join(project.outDir, 'run'));
  await mkdir(outDir, { recursive: true });
  const resultsPath = join(outDir, 'results.json');
  await writeFile(
    resultsPath,
    `{"contract":${JSON.stringify(built.manifest.cid)},"from":${job.from},"to":${job.to},"results":${job.resultsJson}}\n`,
  );
  let renderPath: string | null = null;
  if (built.info.render && job.failedBatches.length === 0) {
    const rendered = await sandbox.render(job.resultsJson);
    renderPath = await writeRendered(outDir, rendered.type === 'json' ? `${built.manifest.name}.render` : built.manifest.name, rendered);
  }
  return { built, job, resultsPath, renderPath };
}

/**
 * `zi init`: copies a template into `targetDir` (which must be empty or absent), names the
 * package after the folder, and links the SDK into its node_modules so editors see the types.
 */
export async function scaffoldProject(options: {
  templateDir: string;
  targetDir: string;
  sdkDir: string;
}): Promise<{ dir: string; files: string[] }> {
  const dir = resolve(options.targetDir);
  let existing: string[] = [];
  try {
    existing = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing.length > 0) {
    throw new RuntimeError(
      'RT_DIR_NOT_EMPTY',
      `${dir} already exists and is not empty`,
      'choose a new folder name; zi init never overwrites files',
    );
  }
  await mkdir(dir, { recursive: true });
  await cp(options.templateDir, dir, { recursive: true, filter: (src) => !src.includes('node_modules') && basename(src) !== '.zi' });
  const pkgPath = join(dir, 'package.json');
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as Record<string, unknown>;
  pkg.name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  await writeFile(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
  await writeFile(join(dir, '.gitignore'), 'node_modules/\n.zi/\n');
  const link = join(dir, 'node_modules', '@zi', 'sdk');
  await mkdir(dirname(link), { recursive: true });
  await symlink(options.sdkDir, link, 'junction');
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path);
      else files.push(path);
    }
  };
  await walk('');
  return { dir, files: files.sort() };
}
