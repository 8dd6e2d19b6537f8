import { type ResultEntry, sampleIndices } from '@zi/sdk';
import { expect, runMcu, runRange, test, validateBatch } from '@zi/sdk/testing';
import compiled from '../src/contract.zi';

// The contract compiled from src/contract.zi, with its input and result types spelled out.
const contract = compiled as unknown as import('@zi/sdk').Contract<{ re: number; im: number }, number>;

// The grid geometry, recovered from the input space: count = (4 * scale) * (2 * scale).
const count = contract.inputs.kind === 'indexed' ? contract.inputs.count : 0;
const scale = Math.round(Math.sqrt(count / 8));
const width = 4 * scale;

/** The index of the grid point re + im*i (both multiples of the grid step). */
function indexOf(re: number, im: number): number {
  return Math.round((1 - im) * scale) * width + Math.round((re + 2) * scale);
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

function inputAt(index: number): { re: number; im: number } {
  if (contract.inputs.kind !== 'indexed') throw new Error('expected indexed inputs');
  return contract.inputs.at(index);
}

test('the grid is 400 x 200 = 80,000 MCUs, indexed (so solved ranges are skipped)', () => {
  expect(contract.inputs.kind).toBe('indexed');
  expect(count).toBe(80_000);
});

test('the gas limit is the bound the compiler proved: 2000 iterations and a few calls', () => {
  expect(contract.limits.gasPerMcu).toBeGreaterThan(2000);
  expect(contract.limits.gasPerMcu).toBeLessThan(2100);
});

test('inputs walk the grid row by row from the top-left corner -2 + 1i', () => {
  expect(inputAt(0)).toEqual({ re: -2, im: 1 });
  const second = inputAt(1);
  expect(close(second.re, -2 + 1 / scale) && second.im === 1).toBe(true);
  const nextRow = inputAt(width);
  expect(nextRow.re === -2 && close(nextRow.im, 1 - 1 / scale)).toBe(true);
  const last = inputAt(count - 1);
  expect(close(last.re, 2 - 1 / scale) && close(last.im, -1 + 1 / scale)).toBe(true);
});

test('points of the set never diverge: the MCU returns 2000', () => {
  expect(runMcu(contract, indexOf(0, 0))).toBe(2000);
  expect(runMcu(contract, indexOf(-2, 0))).toBe(2000); // 0, -2, 2, 2, 2, ...
  expect(runMcu(contract, indexOf(-1, 0))).toBe(2000); // 0, -1, 0, -1, ...
  expect(runMcu(contract, indexOf(0, 1))).toBe(2000); // 0, i, -1 + i, -i, -1 + i, ...
  expect(runMcu(contract, indexOf(0.25, 0))).toBe(2000); // the cusp: creeps up to 1/2, never past it
});

test('points outside diverge after a known number of iterations', () => {
  // -2 + i: |z|^2 = 5, 10, 125, 15530, then about 2.4e8 > 1e6 at the 5th iteration.
  expect(runMcu(contract, indexOf(-2, 1))).toBe(5);
  // 1: z = 1, 2, 5, 26, 677, 458330; |z| first exceeds 1000 at the 6th iteration.
  expect(runMcu(contract, indexOf(1, 0))).toBe(6);
  // 1 + i: z = 1 + i, 1 + 3i, -7 + 7i, 1 - 97i: |z| > 1000 at the 5th iteration.
  expect(runMcu(contract, indexOf(1, 1))).toBe(5);
});

test('the picture is symmetric about the real axis', () => {
  // im = 0.5 and im = -0.5 are exact doubles, so the two rows are exact mirror images.
  const top = runRange(contract, indexOf(-2, 0.5), width);
  const bottom = runRange(contract, indexOf(-2, -0.5), width);
  expect(top.length).toBe(width);
  expect(top.map((e) => e.output)).toEqual(bottom.map((e) => e.output));
});

// One row through the set: a mix of fast escapes and full 2000-iteration points.
const from = indexOf(-2, 0.25);
const honestBatch = () => runRange(contract, from, width);

test('validation accepts an honest batch', () => {
  const honest = honestBatch();
  for (const seed of ['00', '5eed', 'c0ffee']) {
    expect(validateBatch(contract, honest, { from, count: width, seed }).ok).toBe(true);
  }
});

test('validation catches a single wrong pixel when the seed samples it', () => {
  const honest = honestBatch();
  const seed = 'abc123';
  const target = from + sampleIndices(width, contract.sampleRate, seed)[0];
  const forged = honest.map((e) => (e.index === target ? { index: e.index, output: e.output === 7 ? 8 : 7 } : e));
  const verdict = validateBatch(contract, forged, { from, count: width, seed });
  expect(verdict.ok).toBe(false);
  if (!verdict.ok) expect(verdict.index).toBe(target);
});

test('render paints the set black, the outside in colour, and leaves missing pixels transparent', () => {
  const results: ResultEntry<number>[] = [
    { index: indexOf(-2, 1), output: runMcu(contract, indexOf(-2, 1)) ?? 0 },
    { index: indexOf(0, 0), output: runMcu(contract, indexOf(0, 0)) ?? 0 },
  ];
  const image = contract.render?.(results, { count });
  if (image?.type !== 'image') throw new Error('render should return an image');
  expect(image.width).toBe(width);
  expect(image.height).toBe(width / 2);
  const pixel = (x: number, y: number) => Array.from(image.rgba.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
  expect(pixel(2 * scale, scale)).toEqual([0, 0, 0, 255]); // the origin, in the set
  const corner = pixel(0, 0); // -2 + i, escaped after 5 iterations
  expect(corner[3]).toBe(255);
  expect(corner[0] + corner[1] + corner[2]).toBeGreaterThan(0);
  expect(pixel(1, 1)[3]).toBe(0); // no result there
});
