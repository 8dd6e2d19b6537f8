import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAndMeter, encodePng, Sandbox, SandboxPool } from '../../runtime/src/index.js';

// The Zi mandelbrot template against the TypeScript one, both built and run by the runtime in the
// real sandbox: the same inputs, the same results at every index, the same picture byte for byte.

const dir = (name: string) => fileURLToPath(new URL(`../../templates/${name}/`, import.meta.url));

let pool: SandboxPool;
let ts: Sandbox;
let zi: Sandbox;
beforeAll(async () => {
  pool = new SandboxPool({ size: 2 });
  ts = await Sandbox.load(pool, await bundleAndMeter({ projectDir: dir('mandelbrot'), entry: 'src/contract.ts' }));
  zi = await Sandbox.load(pool, await bundleAndMeter({ projectDir: dir('mandelbrot-zi'), entry: 'src/contract.zi' }));
});
afterAll(async () => {
  await pool.close();
});

// 2,000 indices: 20 runs of 100 spread over the whole grid, plus the middle of the real axis,
// where the points of the set run all 2000 iterations.
const RANGES: Array<[number, number]> = [
  ...Array.from({ length: 19 }, (_, k): [number, number] => [k * 4_200 + 37 * k, 100]),
  [40_150, 100],
];

describe('Zi mandelbrot = TypeScript mandelbrot', () => {
  it('declares the same job', () => {
    expect(zi.info).toMatchObject({ name: ts.info.name, price: ts.info.price, inputs: ts.info.inputs, render: true });
  });

  it('gives identical results at 2,000 indices spread over the grid, the set included', async () => {
    let inside = 0;
    let escaped = 0;
    for (const [from, count] of RANGES) {
      const [a, b] = await Promise.all([ts.runRange({ from, count }), zi.runRange({ from, count })]);
      expect(b.errorCount).toBe(0);
      expect(b.resultsJson).toBe(a.resultsJson);
      for (const [, value] of b.results) {
        if (value === 2000) inside++;
        else escaped++;
      }
    }
    expect(inside).toBeGreaterThan(50);
    expect(escaped).toBeGreaterThan(1000);
  });

  it('renders the same PNG, byte for byte', async () => {
    const parts = await Promise.all(RANGES.map(([from, count]) => ts.runRange({ from, count })));
    const resultsJson = `[${parts.map((p) => p.resultsJson.slice(1, -1)).join(',')}]`;
    const [a, b] = await Promise.all([ts.render(resultsJson), zi.render(resultsJson)]);
    if (a.type !== 'image' || b.type !== 'image') throw new Error('both render images');
    expect(b.width).toBe(a.width);
    expect(Buffer.from(encodePng(b.width, b.height, b.rgba)).equals(Buffer.from(encodePng(a.width, a.height, a.rgba)))).toBe(true);
    // Not an empty picture: the sampled pixels are drawn.
    expect(b.rgba.some((v, i) => i % 4 === 3 && v === 255)).toBe(true);
  });

  it('meters the same work as the TypeScript loop (within 1 gas) and never more than its proven bound', async () => {
    const [a, b] = await Promise.all([ts.runRange({ from: 40_100, count: 200 }), zi.runRange({ from: 40_100, count: 200 })]);
    expect(b.maxGas).toBeLessThanOrEqual(zi.info.limits.gasPerMcu);
    expect(b.maxGas).toBeLessThanOrEqual(a.maxGas + 1);
  });
});
