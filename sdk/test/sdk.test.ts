import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPrng,
  deepEqual,
  defaultUnion,
  defaultValidate,
  defineContract,
  sample,
  sampleIndices,
  UnionConflictError,
} from '../src/index.js';
import { runRange, validateBatch } from '../src/testing.js';

const squares = defineContract({
  name: 'squares',
  version: '1.0.0',
  price: 3n,
  limits: { gasPerMcu: 100 },
  inputs: { count: 50, at: (i) => i },
  mcu: (n: number) => n * n,
});

describe('defineContract', () => {
  it('fills in defaults and freezes', () => {
    expect(squares.kind).toBe('zi-contract');
    expect(squares.price).toBe('3');
    expect(squares.limits).toEqual({
      gasPerMcu: 100,
      gasPerValidate: 1_001_000,
      gasPerUnion: 100_000_000,
      gasPerRender: 2_000_000_000,
      memoryMb: 128,
    });
    expect(squares.sampleRate).toBe(0.05);
    expect(squares.render).toBeNull();
    expect(Object.isFrozen(squares)).toBe(true);
  });

  it('rejects a bad definition naming the field', () => {
    const base = {
      name: 'ok',
      version: '1',
      price: 1n,
      limits: { gasPerMcu: 10 },
      inputs: { count: 1, at: (i: number) => i },
      mcu: (x: number) => x,
    };
    expect(() => defineContract({ ...base, name: 'Bad Name' })).toThrow(/name must be lower-case/);
    expect(() => defineContract({ ...base, limits: { gasPerMcu: 0 } })).toThrow(/limits.gasPerMcu must be an integer from 1/);
    expect(() => defineContract({ ...base, inputs: { count: -1, at: (i: number) => i } })).toThrow(/inputs.count must be a non-negative/);
    expect(() => defineContract({ ...base, price: 1.5 })).toThrow(/price must be Li/);
    expect(() => defineContract({ ...base, validation: { sampleRate: 0 } })).toThrow(/sampleRate must be in \(0, 1\]/);
  });

  it('keeps this for a method-style mcu', () => {
    const c = defineContract({
      name: 'method',
      version: '1',
      price: 1n,
      limits: { gasPerMcu: 10 },
      inputs: { count: 2, at: (i) => i },
      factor: 7,
      mcu(n: number) {
        return n * (this as unknown as { factor: number }).factor;
      },
    } as Parameters<typeof defineContract<number, number>>[0]);
    expect(c.mcu(3)).toBe(21);
  });
});

describe('defaultUnion', () => {
  it('merges by index and keeps agreeing overlaps once', () => {
    const a = [
      { index: 0, output: 1 },
      { index: 2, output: 3 },
    ];
    const b = [
      { index: 1, output: 2 },
      { index: 2, output: 3 },
    ];
    expect(defaultUnion(a, b).map((e) => e.index)).toEqual([0, 1, 2]);
  });

  it('reports a conflict with its index', () => {
    const error = (() => {
      try {
        defaultUnion([{ index: 4, output: { x: 1 } }], [{ index: 4, output: { x: 2 } }]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnionConflictError);
    expect((error as UnionConflictError).index).toBe(4);
  });

  it('is commutative and idempotent on agreeing sets (property)', () => {
    const entries = fc
      .uniqueArray(fc.integer({ min: 0, max: 500 }), { maxLength: 60 })
      .map((xs) => xs.sort((p, q) => p - q).map((index) => ({ index, output: index * 3 })));
    fc.assert(
      fc.property(entries, entries, (a, b) => {
        expect(defaultUnion(a, b)).toEqual(defaultUnion(b, a));
        expect(defaultUnion(a, a)).toEqual(a);
      }),
    );
  });
});

describe('deterministic helpers', () => {
  it('createPrng gives a fixed sequence for a seed', () => {
    const rng = createPrng('zi');
    const first = [rng.nextUint32(), rng.nextUint32(), rng.nextUint32()];
    const again = createPrng('zi');
    expect([again.nextUint32(), again.nextUint32(), again.nextUint32()]).toEqual(first);
    expect(createPrng('zj').nextUint32()).not.toBe(first[0]);
    expect(first).toMatchInlineSnapshot(`
      [
        1926934745,
        4180437163,
        1534481564,
      ]
    `);
  });

  it('nextInt stays in bounds and nextFloat in [0, 1) (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 2 ** 32 }), (seed, bound) => {
        const rng = createPrng(seed);
        for (let i = 0; i < 20; i++) {
          const n = rng.nextInt(bound);
          expect(n >= 0 && n < bound && Number.isInteger(n)).toBe(true);
          const f = rng.nextFloat();
          expect(f >= 0 && f < 1).toBe(true);
        }
      }),
    );
  });

  it('sampleIndices: max(1, ceil(n * rate)) distinct sorted indices, fixed by the seed (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0.0001, max: 1, noNaN: true }), fc.string(), (n, rate, seed) => {
        const picked = sampleIndices(n, rate, seed);
        expect(picked.length).toBe(Math.min(n, Math.max(1, Math.ceil(n * rate))));
        expect(new Set(picked).size).toBe(picked.length);
        expect(picked.every((i, k) => i >= 0 && i < n && (k === 0 || i > (picked[k - 1] as number)))).toBe(true);
        expect(sampleIndices(n, rate, seed)).toEqual(picked);
      }),
    );
  });

  it('sample keeps the original order', () => {
    expect(sample(['a', 'b', 'c', 'd'], 1, 's')).toEqual(['a', 'b', 'c', 'd']);
    expect(sample([], 0.5, 's')).toEqual([]);
  });

  it('deepEqual is structural', () => {
    expect(deepEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(deepEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
  });
});

describe('defaultValidate', () => {
  it('accepts honest results and rejects a sampled wrong one', () => {
    const honest = runRange(squares, 10, 20);
    expect(validateBatch(squares, honest, { from: 10, count: 20, seed: 'a' }).ok).toBe(true);
    const checked = sampleIndices(20, squares.sampleRate, 'a').map((o) => 10 + o);
    const bad = honest.map((e) => (e.index === checked[0] ? { index: e.index, output: -1 } : e));
    const verdict = validateBatch(squares, bad, { from: 10, count: 20, seed: 'a' });
    expect(verdict).toMatchObject({ ok: false, index: checked[0] });
  });

  it('rejects entries outside the batch or out of order', () => {
    const ctx = { from: 0, count: 5, seed: 's', sampleRate: 1, input: (i: number) => i, rerun: (i: number) => i * i, equal: deepEqual };
    expect(defaultValidate([{ index: 7, output: 49 }], ctx)).toMatchObject({ ok: false, index: 7 });
    expect(
      defaultValidate(
        [
          { index: 2, output: 4 },
          { index: 1, output: 1 },
        ],
        ctx,
      ),
    ).toMatchObject({ ok: false, index: 1 });
  });

  it('an omitted result must re-run to undefined', () => {
    const ctx = { from: 0, count: 3, seed: 's', sampleRate: 1, input: (i: number) => i, rerun: (i: number) => i, equal: deepEqual };
    expect(
      defaultValidate(
        [
          { index: 0, output: 0 },
          { index: 2, output: 2 },
        ],
        ctx,
      ),
    ).toMatchObject({ ok: false, index: 1 });
  });
});
