import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check } from '../src/check.js';
import { costOf } from '../src/cost.js';
import { parse } from '../src/parse.js';

const TEMPLATES = new URL('../../templates/', import.meta.url);

function bounds(source: string) {
  const { ast, diagnostics } = parse(source, 'c.zi');
  if (!ast) throw new Error(diagnostics.map((d) => d.message).join('; '));
  const checked = check(ast);
  expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return costOf(checked.program);
}

/** The bound of `run`'s body alone: the function's own entry plus what the body can use. */
function body(statements: string, extra = ''): number {
  const source = `contract T version 1 {
  price 1 li per mcu
  input n: u53 over range 0 ..< 100
${extra}
  mcu run(n: u53) -> u53 {
${statements}
  }
}
`;
  return (bounds(source).functions.run ?? 0) - 1;
}

describe('static gas bounds (golden)', () => {
  it('of the templates', () => {
    const of = (name: string) => bounds(readFileSync(new URL(`${name}/src/contract.zi`, TEMPLATES), 'utf8'));
    // 2000 iterations + the MCU, the input map, two SDK wrappers and a possible trap.
    expect(of('mandelbrot-zi')).toMatchObject({ mcu: 2005, render: 171_999 });
    expect(of('nonce-zi').mcu).toBe(258);
    expect(of('primes-zi').mcu).toBe(41_647_737);
  });

  it('straight code costs nothing; calls cost 1 plus the callee', () => {
    expect(body('    return n * 2 + 1')).toBe(0);
    expect(body('    return f(n) + f(n)', '  fn f(x: u53) -> u53 { return x }')).toBe(2);
  });

  it('a loop costs its bound plus the bound times its body', () => {
    expect(body('    var s: u53 = 0\n    for i in 0 ..< 10 { s += i }\n    return s')).toBe(10);
    expect(body('    var s: u53 = 0\n    for i in 0 ..< 10 { for j in 0 ..< 5 { s += j } }\n    return s')).toBe(10 + 10 * 5);
    expect(body('    var s: u53 = 0\n    for i in 0 ..< n max 30 { s += i }\n    return s')).toBe(30);
  });

  it('`if` costs the worse branch', () => {
    const f = '  fn f(x: u53) -> u53 {\n    var s: u53 = 0\n    for i in 0 ..< 100 { s += i }\n    return s\n  }';
    expect(body('    if n > 5 { return f(n) }\n    return 0', f)).toBe(101);
    expect(body('    if n > 5 { return f(n) } else { return f(n) + f(n) }', f)).toBe(202);
  });

  it('is path-aware: a return inside a loop is an exit, not an iteration', () => {
    const f = '  fn f(x: u53) -> u53 {\n    var s: u53 = 0\n    for i in 0 ..< 100 { s += i }\n    return s\n  }';
    // Naive: 10 iterations each paying for f (10 x 101). Path-aware: f runs only on the way out.
    expect(body('    for i in 0 ..< 10 {\n      if i == n { return f(i) }\n    }\n    return 0', f)).toBe(10 + 101);
    // After the loop: the worse of leaving through the return and finishing the loop.
    expect(body('    for i in 0 ..< 10 {\n      if i == n { return 0 }\n    }\n    return f(n)', f)).toBe(10 + 101);
  });

  it('hashing costs per 64-byte block', () => {
    const hash = (text: string) => body(`    return leading_zero_bits(sha256("${text}")) as u53`);
    // A string is turned into bytes (1 + n) and hashed (1 + n + 129 per block + 8); 56 bytes no
    // longer leave room for the padding in one block.
    const one = hash('a'.repeat(55));
    expect(one).toBe(1 + 55 + (1 + 55 + 129 + 8) + (1 + 32)); // and leading_zero_bits walks 32 bytes
    expect(hash('a'.repeat(56))).toBe(one + 2 + 129);
    expect(hash('')).toBe(one - 2 * 55);
  });
});
