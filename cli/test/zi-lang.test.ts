import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Ran, runZi } from './processes.js';

// The Zi language through the real `zi` command: a Zi project from its template tests, builds (with
// the proven gas bound) and runs to the same picture as the TypeScript template; bad source stops
// the build with the diagnostics.

function zi(args: string[], cwd: string): Promise<Ran> {
  return runZi(args, { cwd });
}

function json<T>(ran: Ran): T {
  return JSON.parse(ran.stdout) as T;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'zi-lang-cli-'));
});

describe('zi init --lang zi', () => {
  it('mandelbrot: tests, builds with the proven bound, and runs to the same PNG as the TypeScript template', async () => {
    const init = await zi(['init', 'm', '--template', 'mandelbrot', '--lang', 'zi', '--json'], root);
    expect(init.code, init.stderr).toBe(0);
    expect(json<{ lang: string; files: string[] }>(init)).toMatchObject({
      lang: 'zi',
      files: expect.arrayContaining(['package.json', 'src/contract.zi', 'src/zi.d.ts', 'test/contract.test.ts', 'README.md']),
    });
    const dir = join(root, 'm');

    const test = await zi(['test', '--mcus', '200'], dir);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/Tests \(9\):/);
    expect(test.stdout).toMatch(
      /gas per MCU {2}min \S+ {2}avg \S+ {2}max \S+ {2}\(limit 2,005: the worst case proven by the Zi compiler\)/,
    );

    const build = await zi(['build'], dir);
    expect(build.code, build.stderr).toBe(0);
    expect(build.stdout).toContain('gas bound  2,005 per MCU, worst case proven by the Zi compiler');
    const built = await zi(['build', '--json'], dir);
    const manifest = json<{ manifest: { cid: string; gasBound: number; language: { name: string }; limits: { gasPerMcu: number } } }>(
      built,
    ).manifest;
    expect(manifest).toMatchObject({ gasBound: 2005, language: { name: 'zi' }, limits: { gasPerMcu: 2005 } });
    expect(build.stdout).toContain(manifest.cid);

    const run = await zi(['run', '--json'], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const ran = json<{ renderPath: string; job: { mcus: number; errorCount: number } }>(run);
    expect(ran.job).toMatchObject({ mcus: 80_000, errorCount: 0 });

    const tsInit = await zi(['init', 'm-ts', '--template', 'mandelbrot', '--json'], root);
    expect(tsInit.code, tsInit.stderr).toBe(0);
    const tsRun = await zi(['run', '--json'], join(root, 'm-ts'));
    expect(tsRun.code, tsRun.stderr).toBe(0);
    const tsPng = await readFile(json<{ renderPath: string }>(tsRun).renderPath);
    const ziPng = await readFile(ran.renderPath);
    expect(ziPng.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(ziPng.equals(tsPng)).toBe(true);
  });

  it.each(['primes', 'nonce'])('%s: the tests and a trial pass right after init', async (template) => {
    const init = await zi(['init', `${template}-zi`, '--template', template, '--lang', 'zi'], root);
    expect(init.code, init.stderr).toBe(0);
    const test = await zi(['test', '--json', '--mcus', '64'], join(root, `${template}-zi`));
    expect(test.code, test.stdout + test.stderr).toBe(0);
    const tested = json<{ ok: boolean; tests: Array<{ ok: boolean }>; gasBound: number }>(test);
    expect(tested.ok).toBe(true);
    expect(tested.tests.length).toBeGreaterThan(5);
    expect(tested.gasBound).toBeGreaterThan(0);
  });

  it('an unknown language is a usage error', async () => {
    const ran = await zi(['init', join(root, 'nope'), '--lang', 'rust'], root);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('CLI_USAGE');
  });
});

describe('Zi source errors stop the build with the diagnostics', () => {
  async function project(name: string, source: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'package.json'), `{"name":"${name}","type":"module","zi":{"entry":"src/contract.zi"}}`);
    await writeFile(join(dir, 'src/contract.zi'), source);
    return dir;
  }

  it('a recursive function: RT_BUILD_ZI, exit 3, the call and the cycle', async () => {
    const dir = await project(
      'recursive',
      `contract Fib version 1 {
  price 1 li per mcu
  input n: u53 over range 0 ..< 30
  fn fib(n: u53) -> u53 {
    if n < 2 { return n }
    return fib(n - 1) + fib(n - 2)
  }
  mcu compute(n: u53) -> u53 { return fib(n) }
}
`,
    );
    const ran = await zi(['build'], dir);
    expect(ran.code).toBe(3);
    expect(ran.stderr).toMatchInlineSnapshot(`
      "error RT_BUILD_ZI: error[ZL2026]: \`fib\` calls itself
       --> src/contract.zi:6:12
        |
      6 |     return fib(n - 1) + fib(n - 2)
        |            ^^^ this call closes the cycle
        |
        = hint: Zi has no recursion, so the cost of every MCU is known before it runs; rewrite it as a loop with a bound
        = note: the cycle: fib → fib

      1 error
        hint: fix the Zi source where the diagnostics point, and build again
      "
    `);
  });

  it('an unbounded loop, under --json too', async () => {
    const dir = await project(
      'unbounded',
      'contract Sum version 1 {\n  price 1 li per mcu\n  input n: u53 over range 0 ..< 9\n  mcu f(n: u53) -> u53 {\n    var s: u53 = 0\n    for i in 0 ..< n { s += i }\n    return s\n  }\n}\n',
    );
    const ran = await zi(['test', '--json'], dir);
    expect(ran.code).toBe(3);
    const error = json<{ error: { code: string; message: string } }>(ran).error;
    expect(error.code).toBe('RT_BUILD_ZI');
    expect(error.message).toContain('error[ZL3001]: this loop has no bound known before it runs');
    expect(error.message).toContain('--> src/contract.zi:6:20');
  });
});
