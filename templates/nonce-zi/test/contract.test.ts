import type { Contract } from '@zi/sdk';
import { sampleIndices } from '@zi/sdk';
import { expect, runMcu, runRange, test, validateBatch } from '@zi/sdk/testing';
import compiled from '../src/contract.zi';

// The contract compiled from src/contract.zi: the input is the nonce, a result a hit (or none).
const contract = compiled as unknown as Contract<number, { nonce: number; hash: string }>;

test('the gas limit is the worst case the compiler proved: one SHA-256 block and the hex', () => {
  expect(contract.limits.gasPerMcu).toBeGreaterThan(150);
  expect(contract.limits.gasPerMcu).toBeLessThan(400);
});

test('the input space is the nonces 0 .. 2^20 - 1', () => {
  expect(contract.inputs.kind).toBe('indexed');
  if (contract.inputs.kind !== 'indexed') return;
  expect(contract.inputs.count).toBe(1_048_576);
  expect(contract.inputs.at(12_345)).toBe(12_345);
});

// The first nonce whose hash starts with 16 zero bits (found by a full search of the space).
const FIRST = 39_181;
const FIRST_HASH = '0000a0158f6df21a4f3ef048bf73dd0312558d580ec995655a50a8ccffbaf795';

test('a hit returns the nonce and its hash; a miss returns no result', () => {
  expect(runMcu(contract, FIRST)).toEqual({ nonce: FIRST, hash: FIRST_HASH });
  expect(runMcu(contract, 0)).toBeUndefined();
  expect(runMcu(contract, FIRST + 1)).toBeUndefined();
});

test('a near miss: 15 zero bits are not enough', () => {
  // SHA-256("zi-demo:49993") = 0001a980…: exactly 15 zero bits.
  expect(runMcu(contract, 49_993)).toBeUndefined();
});

test('results are sparse: 1,000 nonces around the first hit give exactly one entry', () => {
  expect(runRange(contract, FIRST - 500, 1000)).toEqual([{ index: FIRST, output: { nonce: FIRST, hash: FIRST_HASH } }]);
});

// A batch of 256 nonces holding the first hit, computed inside each test that needs it.
const count = 256;
const from = FIRST - 100;
const honestBatch = () => runRange(contract, from, count);

test('validation accepts an honest batch', () => {
  const honest = honestBatch();
  expect(honest.length).toBe(1);
  for (const seed of ['00', '5eed', 'c0ffee']) {
    expect(validateBatch(contract, honest, { from, count, seed }).ok).toBe(true);
  }
});

test('validation rejects a forged hit, whatever the seed', () => {
  const honest = honestBatch();
  // Every claimed hit is re-run, so a made-up one fails even when the sample misses it.
  const forged = [...honest, { index: from + 200, output: { nonce: from + 200, hash: '0'.repeat(64) } }];
  for (const seed of ['00', '5eed', 'c0ffee']) {
    expect(validateBatch(contract, forged, { from, count, seed }).ok).toBe(false);
  }
  // A real hit with a wrong hash (last digit changed) fails the same way.
  const wrongHash = [{ index: FIRST, output: { nonce: FIRST, hash: `${FIRST_HASH.slice(0, -1)}6` } }];
  expect(validateBatch(contract, wrongHash, { from, count, seed: '00' }).ok).toBe(false);
});

test('validation catches a hidden hit when the seed samples it', () => {
  // A solver that keeps a hit to itself returns no entry for it. Only the seeded sample can notice,
  // so choose the batch so that this seed's first sampled offset lands on the hit.
  const seed = 'abc123';
  const start = FIRST - sampleIndices(count, contract.sampleRate, seed)[0];
  const verdict = validateBatch(contract, [], { from: start, count, seed });
  expect(verdict.ok).toBe(false);
  if (!verdict.ok) expect(verdict.index).toBe(FIRST);
});

test('render lists the hits', () => {
  const honest = honestBatch();
  const output = contract.render?.(honest, { count: contract.inputs.kind === 'indexed' ? contract.inputs.count : null });
  if (output?.type !== 'text') throw new Error('render should return text');
  expect(output.text.includes(`${FIRST}  ${FIRST_HASH}`)).toBe(true);
  expect(output.text.startsWith('1 nonce(s)')).toBe(true);
});
