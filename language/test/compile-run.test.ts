import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAndMeter, RuntimeError, Sandbox, SandboxPool } from '../../runtime/src/index.js';
import { buildZi, gasBoundOf } from './support/zi-sandbox.js';

// Compiled Zi running in the real sandbox: rebuilds are byte-identical, traps stop an MCU with a
// message naming the source line, and counted loops are charged exactly, once.

const TEMPLATES = new URL('../../templates/', import.meta.url);

let pool: SandboxPool;
beforeAll(() => {
  pool = new SandboxPool({ size: 1 });
});
afterAll(async () => {
  await pool.close();
});

/** A contract whose MCU body is given; the input is `n: u53` over 0 ..< 8. */
function contract(body: string, extra = ''): string {
  return `contract T version 1 {
  price 1 li per mcu
  input n: u53 over range 0 ..< 8
${extra}
  mcu run(n: u53) -> u53 {
${body}
  }
}
`;
}

async function run(source: string, from = 0, count = 8) {
  const sandbox = await Sandbox.load(pool, await buildZi(source));
  return sandbox.runRange({ from, count });
}

describe('building Zi', () => {
  it('gives byte-identical bundles and CIDs, wherever the project lives', async () => {
    const a = await mkdtemp(join(tmpdir(), 'zi-det-a-'));
    const b = await mkdtemp(join(tmpdir(), 'zi-det-b-'));
    await cp(new URL('mandelbrot-zi', TEMPLATES), a, { recursive: true });
    await cp(new URL('mandelbrot-zi', TEMPLATES), join(b, 'nested'), { recursive: true });
    const first = await bundleAndMeter({ projectDir: a, entry: 'src/contract.zi' });
    const again = await bundleAndMeter({ projectDir: a, entry: 'src/contract.zi' });
    const elsewhere = await bundleAndMeter({ projectDir: join(b, 'nested'), entry: 'src/contract.zi' });
    expect(again.code).toBe(first.code);
    expect(elsewhere.cid).toBe(first.cid);
    expect(first.zi).toEqual([{ file: 'src/contract.zi', extras: expect.objectContaining({ gasBound: 2005 }), warnings: '' }]);
  });

  it('fails with RT_BUILD_ZI and the rendered diagnostics, file, line and carets', async () => {
    const error = await buildZi(contract('    return n + 1.5')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).code).toBe('RT_BUILD_ZI');
    expect((error as RuntimeError).message).toMatchInlineSnapshot(`
      "error[ZL2004]: \`+\` between \`u53\` and \`f64\`
       --> src/contract.zi:6:12
        |
      6 |     return n + 1.5
        |            ^^^^^^^
        |
        = hint: integers and floats do not mix implicitly: convert one side with \`as\`, e.g. \`(n as f64)\`

      1 error"
    `);
  });

  it('lets a TypeScript test import the contract from its .zi file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zi-import-'));
    await cp(new URL('mandelbrot-zi', TEMPLATES), dir, { recursive: true });
    const bundle = await bundleAndMeter({ projectDir: dir, stdin: "export { default } from './src/contract.zi';" });
    const sandbox = await Sandbox.load(pool, bundle);
    expect(sandbox.info).toMatchObject({ name: 'mandelbrot', inputs: { kind: 'indexed', count: 80_000 }, limits: { gasPerMcu: 2005 } });
    expect(await readFile(join(dir, 'src/contract.zi'), 'utf8')).toContain('contract Mandelbrot');
  });
});

describe('the input space', () => {
  it('is indexed: any range runs on its own, and solved ranges are skipped', async () => {
    const sandbox = await Sandbox.load(pool, await buildZi(contract('    return n * n')));
    expect(sandbox.info.inputs).toEqual({ kind: 'indexed', count: 8 });
    const batch = await sandbox.runRange({ from: 0, count: 8, solvedRanges: [[2, 5]] });
    expect(batch.results).toEqual([
      [0, 0],
      [1, 1],
      [5, 25],
      [6, 36],
      [7, 49],
    ]);
  });
});

describe("the design sketch's contract (test/fixtures/mandelbrot.zi)", () => {
  it('runs: its own union, validate with `sample` and `challenge`, render with `plot`', async () => {
    const source = readFileSync(new URL('./fixtures/mandelbrot.zi', import.meta.url), 'utf8');
    const sandbox = await Sandbox.load(pool, await buildZi(source));
    expect(sandbox.info).toMatchObject({ inputs: { kind: 'indexed', count: 800 * 400 }, limits: { gasPerMcu: 2005 } });
    const a = await sandbox.runRange({ from: 160_000, count: 400 });
    const b = await sandbox.runRange({ from: 159_600, count: 400 });
    expect(a.results[200]).toEqual([160_200, { inside: true, iters: 2000 }]);
    // union merges in index order, and rejects two sets that disagree on an index.
    const merged = JSON.parse(await sandbox.union([a.resultsJson, b.resultsJson])) as Array<[number, unknown]>;
    expect(merged.length).toBe(800);
    expect(merged.every(([index], i) => index === 159_600 + i)).toBe(true);
    const forged = a.resultsJson.replace('[160200,{"inside":true,"iters":2000}]', '[160200,{"inside":false,"iters":7}]');
    await expect(sandbox.union([a.resultsJson, forged])).rejects.toMatchObject({ code: 'RT_UNION_FAILED' });
    // validate re-runs a seeded sample on top of the default check.
    expect((await sandbox.validate({ from: 160_000, count: 400, resultsJson: a.resultsJson, seed: 'c0ffee' })).ok).toBe(true);
    const wrong = a.resultsJson.replaceAll('"iters":2000', '"iters":1999');
    expect((await sandbox.validate({ from: 160_000, count: 400, resultsJson: wrong, seed: 'c0ffee' })).ok).toBe(false);
    // plot draws each result at its grid point, gray for gray8.
    const image = await sandbox.render(`[${a.resultsJson.slice(1, -1)}]`);
    if (image.type !== 'image') throw new Error('render should give an image');
    expect([image.width, image.height]).toEqual([800, 400]);
    const at = (x: number, y: number) => Array.from(image.rgba.subarray((y * 800 + x) * 4, (y * 800 + x) * 4 + 4));
    expect(at(200, 200)).toEqual([0, 0, 0, 255]);
    expect(at(0, 200)[3]).toBe(255);
    expect(at(0, 0)).toEqual([0, 0, 0, 0]);
  });
});

describe('traps stop an MCU with the source line', () => {
  it('integer overflow', async () => {
    const batch = await run(contract('    let x: u8 = 250\n    let y = x + (n as u8) * 2\n    return y as u53'));
    expect(batch.results.map(([i]) => i)).toEqual([0, 1, 2]);
    expect(batch.errors[0]).toMatchObject({
      index: 3,
      fn: 'mcu',
      code: 'RT_MCU_THREW',
      message: 'RangeError: integer overflow in `+` (u8) at src/contract.zi:7:13',
    });
  });

  it('an index out of bounds, division by zero, a bad conversion', async () => {
    const index = await run(contract('    let a: [u53; 4] = [1, 2, 3, 4]\n    return a[n]'));
    expect(index.errors.map((e) => e.index)).toEqual([4, 5, 6, 7]);
    expect(index.errors[0]?.message).toBe('RangeError: index out of bounds (the length is 4) at src/contract.zi:7:12');
    const division = await run(contract('    return 100 / n'));
    expect(division.errors.map((e) => `${e.index} ${e.message}`)).toEqual(['0 RangeError: division by zero at src/contract.zi:6:12']);
    // `as` truncates toward zero: -0.5 becomes 0, which fits; -1.5 does not.
    const conversion = await run(contract('    return (n as f64 - 3.5) as u53'));
    expect(conversion.errors.map((e) => e.index)).toEqual([0, 1, 2]);
  });

  it('a loop that would run more than its max', async () => {
    const batch = await run(contract('    var s: u53 = 0\n    for i in 0 ..< n max 5 { s += i }\n    return s'));
    expect(batch.results.map(([i]) => i)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(batch.errors[0]?.message).toBe('RangeError: the loop would run more than its max of 5 times at src/contract.zi:7:5');
  });
});

describe('counted loops', () => {
  it('are charged their trip count, not per iteration, and give back what a return leaves', async () => {
    const source = contract('    for i in 0 ..< 1000 {\n      if i == n * 100 { return i }\n    }\n    return 0');
    const bundle = await buildZi(source);
    // No per-iteration charge inside the loop: the meter charges the trip count in the header.
    const loop = bundle.code.slice(bundle.code.indexOf('for (let __zi_i1'));
    expect(loop.slice(0, loop.indexOf('\n'))).toContain('__zi_pre');
    expect(loop.slice(loop.indexOf('{'), loop.indexOf('return'))).not.toContain('--__zi_G.g');
    const sandbox = await Sandbox.load(pool, bundle);
    const batch = await sandbox.runRange({ from: 0, count: 8 });
    // MCU n leaves at iteration 100n: 100n + 1 iterations, plus 4 function entries.
    const gas = (await Promise.all([0, 1, 7].map((i) => sandbox.runRange({ from: i, count: 1 })))).map((b) => b.gas);
    expect(gas).toEqual([1 + 4, 101 + 4, 701 + 4]);
    expect(batch.maxGas).toBeLessThanOrEqual(gasBoundOf(bundle));
  });
});
