import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateDir } from '../../templates/index.js';
import { buildContract, bundleAndMeter, meterBundle, RuntimeError, Sandbox, SandboxPool } from '../src/index.js';
import { buildSource } from './helpers.js';

let pool: SandboxPool;
beforeAll(() => {
  pool = new SandboxPool({ size: 2 });
});
afterAll(async () => {
  await pool.close();
});

const LOOP = (n: number) => `import { defineContract } from '@zi/sdk';
export default defineContract({
  name: 'loop', version: '1.0.0', price: 1n, limits: { gasPerMcu: 1_000_000 },
  inputs: { count: 10, at: (i) => i },
  mcu(k: number) { let s = 0; for (let i = 0; i < ${n} + k; i++) s += i; return s; },
});
`;

describe('build determinism', () => {
  it('the same source gives byte-identical bundles and CIDs, wherever the project lives', async () => {
    const a = await mkdtemp(join(tmpdir(), 'zi-det-a-'));
    const b = await mkdtemp(join(tmpdir(), 'zi-det-b-nested-'));
    await cp(templateDir('mandelbrot'), a, { recursive: true });
    await cp(templateDir('mandelbrot'), join(b, 'x'), { recursive: true });
    const first = await bundleAndMeter({ projectDir: a, entry: 'src/contract.ts' });
    const second = await bundleAndMeter({ projectDir: a, entry: 'src/contract.ts' });
    const elsewhere = await bundleAndMeter({ projectDir: join(b, 'x'), entry: 'src/contract.ts' });
    expect(second.code).toBe(first.code);
    expect(elsewhere.code).toBe(first.code);
    expect(elsewhere.cid).toBe(first.cid);
  });

  it('the manifest records the contract, the CID and the toolchain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zi-man-'));
    await cp(templateDir('primes'), dir, { recursive: true });
    const { manifest, bundle } = await buildContract({ projectDir: dir, entry: 'src/contract.ts', pool });
    expect(manifest).toMatchObject({
      format: 'zi-manifest/1',
      name: 'primes',
      cid: bundle.cid,
      inputs: { kind: 'indexed', count: 1000 },
      price: '2',
      meterVersion: 1,
      runtime: { node: process.versions.node, v8: process.versions.v8 },
    });
    expect(manifest.bundleBytes).toBe(Buffer.byteLength(bundle.code));
  });
});

describe('metering', () => {
  it('charges one gas per loop iteration: gas(n + k) = gas(n) + k (property, real sandbox)', async () => {
    const sandbox = await Sandbox.load(pool, await buildSource(LOOP(100)));
    const batch = await sandbox.runRange({ from: 0, count: 10 });
    expect(batch.errorCount).toBe(0);
    // Input k runs 100 + k iterations: per-MCU gas grows by exactly one per index.
    expect(batch.maxGas - batch.minGas).toBe(9);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 9 }), async (n, k) => {
        const s = await Sandbox.load(pool, await buildSource(LOOP(n)));
        const one = await s.runRange({ from: k, count: 1 });
        const base = await s.runRange({ from: 0, count: 1 });
        expect(one.gas - base.gas).toBe(k);
      }),
      { numRuns: 5 },
    );
  });

  it('gas is identical across runs and workers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zi-gas-'));
    await cp(templateDir('mandelbrot'), dir, { recursive: true });
    const bundle = await bundleAndMeter({ projectDir: dir, entry: 'src/contract.ts' });
    const other = new SandboxPool({ size: 1 });
    try {
      const runs = await Promise.all([
        (await Sandbox.load(pool, bundle)).runRange({ from: 30_000, count: 2000 }),
        (await Sandbox.load(pool, bundle)).runRange({ from: 30_000, count: 2000 }),
        (await Sandbox.load(other, bundle)).runRange({ from: 30_000, count: 2000 }),
      ]);
      const [a, b, c] = runs.map((r) => ({ gas: r.gas, maxGas: r.maxGas, minGas: r.minGas, results: r.resultsJson }));
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(a?.gas).toBeGreaterThan(2000);
    } finally {
      await other.close();
    }
  });

  it('skips solved ranges without running them', async () => {
    const sandbox = await Sandbox.load(pool, await buildSource(LOOP(10)));
    const batch = await sandbox.runRange({
      from: 0,
      count: 10,
      solvedRanges: [
        [2, 5],
        [7, 8],
      ],
    });
    expect(batch.mcus).toBe(6);
    expect(batch.results.map(([i]) => i)).toEqual([0, 1, 5, 6, 8, 9]);
  });

  it('the transform is deterministic and wraps parenthesised arrow bodies', () => {
    const source =
      'var __zi_contract = (() => { const f = (x) => ({ x }); const g = async (y) => (y); for (const i of [1]) for (;;) break; return { f, g }; })();';
    const once = meterBundle(source);
    expect(meterBundle(source).code).toBe(once.code);
    expect(once).toMatchObject({ functions: 3, loops: 2 });
    const fn = new Function(`return ${once.code}`)() as (g: object, oog: () => never, deep: () => never) => { f(x: number): unknown };
    const gas = { g: 100, d: 0, f: null };
    const exports = fn(
      gas,
      () => {
        throw new Error('oog');
      },
      () => {
        throw new Error('deep');
      },
    );
    expect(exports.f(3)).toEqual({ x: 3 });
    expect(gas.d).toBe(0);
  });

  it('rejects what would escape the meter, naming it', () => {
    const reject = (code: string) => {
      try {
        meterBundle(code);
      } catch (e) {
        return e instanceof RuntimeError ? `${e.code}: ${e.message}` : String(e);
      }
      return 'accepted';
    };
    expect(reject('var a = eval("1");')).toMatch(/^RT_BUILD_FORBIDDEN: the bundle uses eval at line 1, column 9/);
    expect(reject('var a = new Function("return 1");')).toMatch(/^RT_BUILD_FORBIDDEN: the bundle uses Function/);
    expect(reject('var __zi_G = 1;')).toMatch(/the identifier __zi_G/);
    expect(reject('with (Math) { max(1, 2); }')).toMatch(/with statement/);
    expect(reject('var o = { eval: 1 }; o.Function = 2;')).toBe('accepted');
  });
});
