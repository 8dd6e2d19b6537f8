import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ran, runZi } from './processes.js';

function zi(args: string[], cwd: string): Promise<Ran> {
  return runZi(args, { cwd });
}

function json<T>(ran: Ran): T {
  return JSON.parse(ran.stdout) as T;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'zi-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each(['mandelbrot', 'primes', 'nonce'])('template %s', (template) => {
  it('inits, tests, builds and runs', async () => {
    const init = await zi(['init', template, '--template', template, '--json'], root);
    expect(init.code, init.stderr).toBe(0);
    const dir = join(root, template);
    expect(json<{ files: string[] }>(init).files).toEqual(
      expect.arrayContaining(['package.json', 'src/contract.ts', 'test/contract.test.ts', 'README.md']),
    );

    const test = await zi(['test', '--json', '--mcus', '200'], dir);
    expect(test.code, test.stdout + test.stderr).toBe(0);
    const tested = json<{ ok: boolean; tests: Array<{ ok: boolean }>; trial: { mcus: number; errorCount: number } }>(test);
    expect(tested.ok).toBe(true);
    expect(tested.tests.length).toBeGreaterThan(2);
    expect(tested.tests.every((t) => t.ok)).toBe(true);
    expect(tested.trial.mcus).toBe(200);
    expect(tested.trial.errorCount).toBe(0);

    const build = await zi(['build', '--json'], dir);
    expect(build.code, build.stderr).toBe(0);
    const built = json<{ manifest: { cid: string; name: string }; bundlePath: string }>(build);
    expect(built.manifest.cid).toMatch(/^bafkrei[a-z2-7]+$/);
    const again = await zi(['build', '--json'], dir);
    expect(json<{ manifest: { cid: string } }>(again).manifest.cid).toBe(built.manifest.cid);

    const run = await zi(['run', '--json'], dir);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const ran = json<{
      cid: string;
      resultsPath: string;
      renderPath: string | null;
      job: { mcus: number; to: number; errorCount: number; validation: { rejected: unknown[] } };
    }>(run);
    expect(ran.cid).toBe(built.manifest.cid);
    expect(ran.job.mcus).toBe(ran.job.to);
    expect(ran.job.errorCount).toBe(0);
    expect(ran.job.validation.rejected).toEqual([]);
    const results = JSON.parse(await readFile(ran.resultsPath, 'utf8')) as { contract: string; results: Array<[number, unknown]> };
    expect(results.contract).toBe(built.manifest.cid);
    expect(ran.renderPath).not.toBeNull();
    const render = await readFile(ran.renderPath as string);
    if (template === 'mandelbrot') {
      expect(results.results.length).toBe(80_000);
      expect(render.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(render.readUInt32BE(16)).toBe(400);
      expect(render.readUInt32BE(20)).toBe(200);
    }
    if (template === 'primes') expect(render.toString('utf8')).toContain('664579');
    if (template === 'nonce') expect(results.results.length).toBeLessThan(100);
  });
});

describe('errors a user sees', () => {
  it('outside a project: RT_NO_PROJECT, exit 3, a hint, no stack', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'zi-empty-'));
    const ran = await zi(['build'], empty);
    expect(ran.code).toBe(3);
    expect(ran.stderr.replace(empty, '<dir>')).toMatchInlineSnapshot(`
      "error RT_NO_PROJECT: <dir> is not a Zi project: there is no package.json
        hint: run this inside a project made by \`zi init <dir>\`, or pass --dir
      "
    `);
  });

  it('errors are JSON under --json', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'zi-empty-'));
    const ran = await zi(['test', '--json'], empty);
    expect(ran.code).toBe(3);
    expect(json<{ error: { code: string; exit: number } }>(ran).error).toMatchObject({ code: 'RT_NO_PROJECT', exit: 3 });
  });

  it('init refuses a folder that is not empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zi-full-'));
    await writeFile(join(dir, 'keep.txt'), 'mine');
    const ran = await zi(['init', dir], root);
    expect(ran.code).toBe(3);
    expect(ran.stderr).toContain('RT_DIR_NOT_EMPTY');
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('an unknown template is a usage error', async () => {
    const ran = await zi(['init', join(root, 'nope'), '--template', 'nope'], root);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('CLI_USAGE');
  });

  it('a contract importing a Node builtin fails the build naming the import and the file', async () => {
    const dir = join(root, 'uses-fs');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"name":"uses-fs","type":"module"}');
    await writeFile(join(dir, 'src/contract.ts'), "import { readFileSync } from 'node:fs';\nexport default readFileSync;\n");
    const ran = await zi(['build'], dir);
    expect(ran.code).toBe(3);
    expect(ran.stderr).toMatchInlineSnapshot(`
      "error RT_BUILD_NODE_BUILTIN: src/contract.ts:1:30: "node:fs" is a Node builtin; contracts run in a bare sandbox with no file system, network, processes or clock
        hint: remove the import; compute with plain JavaScript, and pass data in through the input space
      "
    `);
  });

  it('a bad range is a usage error', async () => {
    const ran = await zi(['run', '--range', '9..2', '--dir', join(root, 'mandelbrot')], root);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('CLI_BAD_RANGE');
  });

  it('a failing project test shows its assertion message, exit 1', async () => {
    const init = await zi(['init', 'failing-test', '--template', 'primes', '--json'], root);
    expect(init.code, init.stderr).toBe(0);
    const dir = join(root, 'failing-test');
    await writeFile(
      join(dir, 'test/wrong.test.ts'),
      `import { expect, test } from '@zi/sdk/testing';
test('two and two', () => {
  expect(2 + 2).toBe(5);
});
`,
    );
    const ran = await zi(['test', '--json', '--mcus', '10'], dir);
    expect(ran.code, ran.stderr).toBe(1);
    const tested = json<{ ok: boolean; tests: Array<{ name: string; ok: boolean; message?: string }> }>(ran);
    expect(tested.ok).toBe(false);
    const failed = tested.tests.find((t) => t.name === 'two and two');
    expect(failed?.ok).toBe(false);
    expect(failed?.message).toBe('AssertionError: expected 4 to be 5');
  });

  it('a failing MCU is reported with its index and function, exit 1', async () => {
    const dir = join(root, 'fails');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'package.json'), '{"name":"fails","type":"module"}');
    await writeFile(
      join(dir, 'src/contract.ts'),
      `import { defineContract } from '@zi/sdk';
export default defineContract({
  name: 'fails', version: '1.0.0', price: 1n, limits: { gasPerMcu: 1000 },
  inputs: { count: 20, at: (i) => i },
  mcu(n: number) { if (n === 13) { for (;;) {} } return n; },
});
`,
    );
    const ran = await zi(['run'], dir);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('index 13 (mcu): RT_OUT_OF_GAS: ran out of gas: used more than limits.gasPerMcu = 1000');
  });
});

describe('zi demo --local', () => {
  it('writes the Mandelbrot picture', async () => {
    const out = join(root, 'demo.png');
    const ran = await zi(['demo', '--local', '--out', out, '--json'], root);
    expect(ran.code, ran.stderr).toBe(0);
    const result = json<{ picture: string; project: string; job: { mcus: number } }>(ran);
    // The project of --local stays for the user to look at; the test removes its temporary folder.
    await rm(dirname(result.project), { recursive: true, force: true });
    expect(result).toMatchObject({ picture: out, job: { mcus: 80_000 } });
    const png = await readFile(out);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});
