import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, SandboxPool } from '../../runtime/src/index.js';
import { buildZi, gasBoundOf } from './support/zi-sandbox.js';

// The law of the cost analysis: the gas an MCU really uses in the sandbox (what the runtime meters)
// never exceeds the static bound the compiler proved. Checked on the templates at random indices
// and on random small programs with nested loops, early exits, branches and calls.

const TEMPLATES = new URL('../../templates/', import.meta.url);

let pool: SandboxPool;
beforeAll(() => {
  pool = new SandboxPool({ size: 1 });
});
afterAll(async () => {
  await pool.close();
});

/** A deterministic generator of small random Zi programs (a tiny LCG drives the choices). */
function randomProgram(seed: number): string {
  let state = seed >>> 0 || 1;
  const next = (n: number): number => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return (state >>> 8) % n;
  };
  let loops = 0;
  const helpers = next(3);
  const expr = (vars: string[]): string => {
    const v = vars[next(vars.length)] ?? '1';
    return next(2) === 0 ? v : `${v} * ${1 + next(4)} + ${next(9)}`;
  };
  const cond = (vars: string[]): string => `(${expr(vars)}) % ${2 + next(5)} == ${next(2)}`;
  const stmts = (depth: number, vars: string[], inLoop: boolean, indent: string): string[] => {
    const out: string[] = [];
    const count = 1 + next(3);
    for (let k = 0; k < count; k++) {
      const pick = next(depth > 0 ? 9 : 4);
      if (pick === 0 || pick === 1) out.push(`${indent}acc = (acc + ${expr(vars)}) % 1000`);
      else if (pick === 2 && helpers > 0) out.push(`${indent}acc = (acc + h${next(helpers)}(${expr(vars)})) % 1000`);
      else if (pick === 3 && inLoop) {
        const exit = ['break', 'continue', 'return acc % 1000'][next(3)];
        out.push(`${indent}if ${cond(vars)} {`, `${indent}  ${exit}`, `${indent}}`);
      } else if (pick === 4 || pick === 5) {
        const i = `i${loops++}`;
        const m = 1 + next(8);
        // `x % m` is below m: a `max` of at least m - 1 never traps.
        const head = next(2) === 0 ? `0 ..< ${next(13)}` : `0 ..< ${vars[0] ?? 'n'} % ${m} max ${m - 1 + next(3)}`;
        out.push(`${indent}for ${i} in ${head} {`, ...stmts(depth - 1, [...vars, i], true, `${indent}  `), `${indent}}`);
      } else if (pick === 6 || pick === 7) {
        out.push(
          `${indent}if ${cond(vars)} {`,
          ...stmts(depth - 1, vars, inLoop, `${indent}  `),
          `${indent}} else {`,
          ...stmts(depth - 1, vars, inLoop, `${indent}  `),
          `${indent}}`,
        );
      } else out.push(`${indent}acc = (acc * 3 + ${expr(vars)}) % 1000`);
    }
    return out;
  };
  const lines = ['contract Random version 1 {', '  price 1 li per mcu', '  input n: u53 over range 0 ..< 48'];
  for (let h = 0; h < helpers; h++) {
    // A helper calls only helpers declared before it: no recursion.
    const callable = h;
    lines.push(`  fn h${h}(x: u53) -> u53 {`, '    var acc: u53 = x % 7');
    const body = stmts(2, ['x', 'acc'], false, '    ').map((l) => l.replace(/h(\d+)\(/g, (m, d) => (Number(d) < callable ? m : '(')));
    lines.push(...body, '    return acc % 1000', '  }');
  }
  lines.push('  mcu run(n: u53) -> u53 {', '    var acc: u53 = n % 5');
  lines.push(...stmts(3, ['n', 'acc'], false, '    '), '    return acc % 1000', '  }', '}');
  return `${lines.join('\n')}\n`;
}

describe('measured gas never exceeds the static bound', () => {
  it.each([
    ['mandelbrot-zi', 80_000],
    ['nonce-zi', 1_048_576],
    ['primes-zi', 1000],
  ])('%s at random indices', async (name, count) => {
    const bundle = await buildZi(readFileSync(new URL(`${name}/src/contract.zi`, TEMPLATES), 'utf8'));
    const bound = gasBoundOf(bundle);
    const sandbox = await Sandbox.load(pool, bundle);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: count - 8 }), async (from) => {
        const batch = await sandbox.runRange({ from, count: name === 'primes-zi' ? 2 : 8 });
        expect(batch.errorCount).toBe(0);
        expect(batch.maxGas).toBeLessThanOrEqual(bound);
      }),
      { numRuns: name === 'primes-zi' ? 5 : 25 },
    );
  });

  it('on random programs with nested loops, early exits, branches and calls', async () => {
    let tight = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const source = randomProgram(seed);
        const bundle = await buildZi(source);
        const bound = gasBoundOf(bundle);
        const sandbox = await Sandbox.load(pool, bundle);
        const batch = await sandbox.runRange({ from: 0, count: 48 });
        expect(batch.errors, source).toEqual([]);
        expect(batch.maxGas, source).toBeLessThanOrEqual(bound);
        if (batch.maxGas === bound - 1) tight++;
      }),
      { numRuns: Number(process.env.ZI_PROPERTY_RUNS ?? 30) },
    );
    // The bound is not loose by construction: straight-line programs meet it (all but the trap's 1).
    expect(tight).toBeGreaterThan(0);
  });
});
