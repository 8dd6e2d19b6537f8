import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RuntimeError } from '../errors.js';

/** A contract project on disk: where its entry and tests are, and where builds go. */
export interface Project {
  readonly dir: string;
  readonly name: string;
  readonly entry: string;
  readonly testsDir: string;
  /** `.zi/` inside the project: build output, run results. */
  readonly outDir: string;
}

/**
 * Reads the project in `dir` (its package.json `zi` field: `{ "entry", "tests" }`, both optional).
 *
 * @example
 * const project = await readProject(process.cwd());
 */
export async function readProject(dir: string): Promise<Project> {
  const root = resolve(dir);
  let pkg: { name?: unknown; zi?: { entry?: unknown; tests?: unknown } };
  try {
    pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new RuntimeError(
      missing ? 'RT_NO_PROJECT' : 'RT_BAD_PROJECT',
      missing
        ? `${root} is not a Zi project: there is no package.json`
        : `${join(root, 'package.json')} is not valid JSON: ${(error as Error).message}`,
      missing ? 'run this inside a project made by `zi init <dir>`, or pass --dir' : 'fix package.json',
    );
  }
  const zi = typeof pkg.zi === 'object' && pkg.zi !== null ? pkg.zi : {};
  const entry = typeof zi.entry === 'string' ? zi.entry : 'src/contract.ts';
  const testsDir = typeof zi.tests === 'string' ? zi.tests : 'test';
  return { dir: root, name: typeof pkg.name === 'string' ? pkg.name : 'contract', entry, testsDir, outDir: join(root, '.zi') };
}

/** The project's test files (`*.test.ts` / `*.test.js` under its tests folder), sorted. */
export async function findTestFiles(project: Project): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(join(project.dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path);
      else if (/\.test\.(ts|js|mts|mjs)$/.test(e.name)) out.push(path);
    }
  };
  await walk(project.testsDir);
  return out.sort();
}
