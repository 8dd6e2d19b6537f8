import type { Contract } from '@zi/sdk';
import { sampleIndices } from '@zi/sdk';
import { expect, runMcu, runRange, test, validateBatch } from '@zi/sdk/testing';
import compiled from '../src/contract.zi';

// The contract compiled from src/contract.zi: the input is the block number, the result a count.
const contract = compiled as unknown as Contract<number, number>;
const B = 10_000;

function inputAt(index: number): { lo: number; hi: number } {
  if (contract.inputs.kind !== 'indexed') throw new Error('expected indexed inputs');
  const block = contract.inputs.at(index);
  return { lo: block * B, hi: (block + 1) * B };
}

function sum(results: readonly { readonly output: number }[]): number {
  let total = 0;
  for (const { output } of results) total += output;
  return total;
}

/** An independent check: trial division by odd numbers, slow but obviously right. */
function isPrime(n: number): boolean {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) {
    if (n % d === 0) return false;
  }
  return true;
}

test('the input space is 1,000 blocks of 10,000 integers covering [0, 10^7)', () => {
  expect(contract.inputs.kind).toBe('indexed');
  if (contract.inputs.kind === 'indexed') expect(contract.inputs.count).toBe(1000);
  expect(inputAt(0)).toEqual({ lo: 0, hi: 10_000 });
  expect(inputAt(999)).toEqual({ lo: 9_990_000, hi: 10_000_000 });
});

test('the gas limit is the one chosen in meta, below the loose proven bound', () => {
  expect(contract.limits.gasPerMcu).toBe(90_000);
});

test('block 0 holds the 1229 primes below 10,000, block 1 the next 1033 (pi(20,000) = 2262)', () => {
  expect(runMcu(contract, 0)).toBe(1229);
  expect(runMcu(contract, 1)).toBe(1033);
});

test('known counts at the top of the range', () => {
  // Counted independently by trial division.
  expect(runMcu(contract, 998)).toBe(597);
  expect(runMcu(contract, 999)).toBe(614);
});

test('the sieve agrees with trial division on a block', () => {
  const { lo, hi } = inputAt(123);
  let expected = 0;
  for (let n = lo; n < hi; n++) {
    if (isPrime(n)) expected++;
  }
  expect(expected).toBe(694);
  expect(runMcu(contract, 123)).toBe(expected);
});

test('consecutive blocks from 0 add up to pi(10^5) = 9592 and pi(10^6) = 78498', () => {
  expect(sum(runRange(contract, 0, 10))).toBe(9592);
  expect(sum(runRange(contract, 0, 100))).toBe(78_498);
});

// A batch of 20 blocks, computed inside each test that needs it so every test stays self-contained.
const from = 40;
const count = 20;
const honestBatch = () => runRange(contract, from, count);

test('validation accepts an honest batch', () => {
  const honest = honestBatch();
  expect(honest.length).toBe(count);
  for (const seed of ['00', '5eed', 'c0ffee']) {
    expect(validateBatch(contract, honest, { from, count, seed }).ok).toBe(true);
  }
});

test('validation rejects a batch where every count is off by one', () => {
  const honest = honestBatch();
  const forged = honest.map((e) => ({ index: e.index, output: e.output - 1 }));
  expect(validateBatch(contract, forged, { from, count, seed: '00' }).ok).toBe(false);
});

test('validation catches a single wrong count when the seed samples it', () => {
  const honest = honestBatch();
  const seed = 'feed';
  const target = from + sampleIndices(count, contract.sampleRate, seed)[0];
  const forged = honest.map((e) => (e.index === target ? { index: e.index, output: e.output + 1 } : e));
  const verdict = validateBatch(contract, forged, { from, count, seed });
  expect(verdict.ok).toBe(false);
  if (!verdict.ok) expect(verdict.index).toBe(target);
});

test('render reports pi for the blocks counted so far', () => {
  const output = contract.render?.(runRange(contract, 0, 10), { count: 1000 });
  if (output?.type !== 'text') throw new Error('render should return text');
  expect(output.text.includes('10 of 1000 blocks')).toBe(true);
  expect(output.text.includes('pi(100000) = 9592')).toBe(true);
});
