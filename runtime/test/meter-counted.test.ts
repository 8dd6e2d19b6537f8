// Counted loops: `for (let __zi_i = a, __zi_e = b; __zi_i < __zi_e; __zi_i++)` over reserved names is
// charged its trip count once, on entry, instead of one gas per iteration (the Zi compiler emits
// its loops this way). Any contract may write the shape, so it must never let code run more work
// than it pays for: these contracts try.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterBundle, RuntimeError, Sandbox, SandboxPool } from '../src/index.js';
import { buildSource } from './helpers.js';

let pool: SandboxPool;
beforeAll(() => {
  pool = new SandboxPool({ size: 1 });
});
afterAll(async () => {
  await pool.close();
});

/** A TypeScript contract over the inputs 0 .. count-1 whose mcu is the function expression `mcu`. */
function contract(mcu: string, before = '', gas = 100_000, count = 4): string {
  return `import { defineContract } from '@zi/sdk';
${before}
export default defineContract({
  name: 'counted', version: '1.0.0', price: 1n, limits: { gasPerMcu: ${gas} },
  inputs: { count: ${count}, at: (i: number) => i },
  mcu: ${mcu},
});
`;
}

async function run(mcu: string, before = '', gas = 100_000, count = 4) {
  const sandbox = await Sandbox.load(pool, await buildSource(contract(mcu, before, gas, count)));
  return sandbox.runRange({ from: 0, count });
}

const COUNTED = (end: string, body: string) => `for (let __zi_i = 0, __zi_e = ${end}; __zi_i < __zi_e; __zi_i++) { ${body} }`;

describe('counted loops are metered exactly', () => {
  it('the same gas as the same loop charged per iteration, leaving early or not (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 4000 }), async (trips, exitAt) => {
        const plain = await run(
          `(n: number) => { let s = 0; for (let i = 0; i < ${trips} + n; i++) { if (i === ${exitAt}) return s; s += i; } return s; }`,
        );
        const counted = await run(
          `(n: number) => { let s = 0; ${COUNTED(`${trips} + n`, `if (__zi_i === ${exitAt}) return s; s += __zi_i;`)} return s; }`,
        );
        expect(counted.resultsJson).toBe(plain.resultsJson);
        expect(counted.gas).toBe(plain.gas);
        const breaking = await run(
          `(n: number) => { let s = 0; ${COUNTED(`${trips} + n`, `if (__zi_i === ${exitAt}) break; s += __zi_i;`)} return s; }`,
        );
        expect(breaking.gas).toBe(plain.gas);
      }),
      { numRuns: 8 },
    );
  });

  it('a huge trip count fails on entry, before running anything', async () => {
    const batch = await run(`(n: number) => { let s = 0; ${COUNTED('1e15', 's++;')} return s; }`, '', 1_000_000);
    expect(batch.errors.map((e) => e.code)).toEqual(['RT_OUT_OF_GAS', 'RT_OUT_OF_GAS', 'RT_OUT_OF_GAS', 'RT_OUT_OF_GAS']);
    expect(batch.gas).toBe(4 * 1_000_000);
  });

  it('bounds that are not safe integers fail (i++ could stall past 2^53)', async () => {
    for (const [from, to] of [
      ['2 ** 53', '2 ** 53 + 2'],
      ['0.5', '10'],
      ['0', '"9"'],
      ['0n', '10n'],
    ]) {
      const batch = await run(
        `(n: number) => { let s = 0; for (let __zi_i = ${from}, __zi_e = ${to}; __zi_i < __zi_e; __zi_i++) { s++; } return s; }`,
      );
      expect(batch.errors.map((e) => e.code)).toEqual(['RT_OUT_OF_GAS', 'RT_OUT_OF_GAS', 'RT_OUT_OF_GAS', 'RT_OUT_OF_GAS']);
    }
  });

  it('a finally that cancels the return cannot claim a refund', async () => {
    // Without the rule, each `return` would give back the rest of the loop and `continue` run it anyway.
    const batch = await run(`(n: number) => { let s = 0; ${COUNTED('1000', 'try { return s; } finally { s++; continue; }')} return s; }`);
    expect(batch.results.map(([, v]) => v)).toEqual([1000, 1000, 1000, 1000]);
    expect(batch.minGas).toBeGreaterThanOrEqual(1000);
  });

  it('a catch that swallows a throw from the return value cannot claim a refund', async () => {
    const batch = await run(
      `(n: number) => { let s = 0; ${COUNTED('1000', 'try { return boom(); } catch { s++; }')} return s; }`,
      'function boom(): number { throw new Error("x"); }',
    );
    expect(batch.results.map(([, v]) => v)).toEqual([1000, 1000, 1000, 1000]);
    expect(batch.minGas).toBeGreaterThanOrEqual(2000);
  });

  it('a return inside a nested function is not an exit of the loop', async () => {
    const batch = await run(`(n: number) => { let s = 0; ${COUNTED('500', 's += (() => { return 1; })();')} return s; }`);
    expect(batch.results.map(([, v]) => v)).toEqual([500, 500, 500, 500]);
    expect(batch.minGas).toBe(4 + 500 + 500);
  });
});

describe('the reserved names of a counted loop stay read-only', () => {
  const reject = (body: string): string => {
    try {
      meterBundle(`var __zi_contract = (() => { for (let __zi_i = 0, __zi_e = 10; __zi_i < __zi_e; __zi_i++) { ${body} } })();`);
    } catch (e) {
      return e instanceof RuntimeError ? e.code : String(e);
    }
    return 'accepted';
  };

  it.each([
    ['an assignment', '__zi_i = 0;'],
    ['an update', '__zi_e++;'],
    ['a compound assignment', '__zi_e += 100;'],
    ['a shadowing declaration', 'let __zi_e = 1e9;'],
    ['a destructuring target', '[__zi_i] = [0];'],
    ['an object pattern', '({ a: __zi_i } = { a: 0 });'],
    ['a parameter', 'const f = (__zi_i) => __zi_i;'],
    ['delete', 'delete __zi_i;'],
    ['a name of the meter', '__zi_G.g = 1e9;'],
  ])('rejects %s', (_name, body) => {
    expect(reject(body)).toBe('RT_BUILD_FORBIDDEN');
  });

  it('accepts reads anywhere in the body, closures included', () => {
    expect(reject('const f = () => __zi_i + __zi_e; const o = { __zi_i, k: [__zi_i][0] }; if (__zi_i < f()) g(__zi_e);')).toBe('accepted');
  });

  it('rejects the reserved names outside their loop', () => {
    try {
      meterBundle('var __zi_contract = (() => { for (let __zi_i = 0, __zi_e = 10; __zi_i < __zi_e; __zi_i++) {} return __zi_i; })();');
      expect.unreachable();
    } catch (e) {
      expect((e as RuntimeError).code).toBe('RT_BUILD_FORBIDDEN');
    }
  });
});
