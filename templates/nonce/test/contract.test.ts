import { sampleIndices } from '@zi/sdk';
import { expect, runMcu, runRange, test, validateBatch } from '@zi/sdk/testing';
import contract from '../src/contract.js';
import { asciiBytes, sha256, toHex } from '../src/sha256.js';

const hash = (text: string): string => toHex(sha256(asciiBytes(text)));

test('sha256 matches the FIPS 180-4 test vectors', () => {
  expect(hash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  expect(hash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  // 56 bytes: the padding no longer fits, so the message takes two blocks.
  expect(hash('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  );
});

test('sha256 of longer messages and an exact 64-byte block', () => {
  expect(hash('The quick brown fox jumps over the lazy dog')).toBe('d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592');
  expect(hash('a'.repeat(64))).toBe('ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb');
});

test('asciiBytes refuses characters outside ASCII', () => {
  expect(() => asciiBytes('caf\u00e9')).toThrow('not ASCII');
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
  expect(hash(`zi-demo:${FIRST}`)).toBe(FIRST_HASH);
  expect(runMcu(contract, 0)).toBeUndefined();
  expect(runMcu(contract, FIRST + 1)).toBeUndefined();
});

test('a near miss: 15 zero bits are not enough', () => {
  // 0x0001... starts with exactly 15 zero bits.
  expect(hash('zi-demo:49993')).toBe('0001a980ec9ba9c0a43dff523ea78afed71e886d338b906204cd0f0ac66de540');
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
    const verdict = validateBatch(contract, forged, { from, count, seed });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.index).toBe(from + 200);
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
