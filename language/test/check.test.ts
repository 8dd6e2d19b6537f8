import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from '../src/check.js';
import { parse } from '../src/parse.js';

const TEMPLATES = new URL('../../templates/', import.meta.url);

/** Parses (which must succeed) and checks; the diagnostics as `CODE@line` plus the full list. */
function diagnose(source: string) {
  const parsed = parse(source, 'test.zi');
  if (!parsed.ast) throw new Error(`does not parse: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const result = check(parsed.ast);
  return { ...result, at: result.diagnostics.map((d) => `${d.code}@${d.span.line}`) };
}

/** A contract around an MCU body: the input is `n: u53` over 0 ..< 100. */
function contract(body: string, extra = ''): string {
  return `contract T version 1 {
  price 1 li per mcu
  input n: u53 over range 0 ..< 100
${extra}
  mcu run(n: u53) -> u53 {
${body}
  }
}
`;
}

describe('the checker accepts', () => {
  it.each(['mandelbrot-zi', 'primes-zi', 'nonce-zi'])('the %s template', (name) => {
    const source = readFileSync(new URL(`${name}/src/contract.zi`, TEMPLATES), 'utf8');
    const { diagnostics, program } = diagnose(source);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(program.mcu?.name).toBeDefined();
    expect(program.input?.count).toBeGreaterThan(0);
  });

  it('bounded loops of every kind: constants, `max`, lists, arrays and batches', () => {
    const { at } = diagnose(
      contract(
        `    var s: u53 = 0
    for i in 0 ..< 10 { s += i }
    for i in 0 ..= n max 100 { s += i }
    let xs: list<u53, max 4> = [1, 2, 3]
    for x in xs { s += x }
    for b in [1 as u8; 8] { s += b as u53 }
    return s`,
      ),
    );
    expect(at).toEqual([]);
  });

  it('lays out a grid input: first axis fastest, counts from exact decimals', () => {
    const { program, at } = diagnose(`contract G version 1 {
  price 1 li per mcu
  input c: complex over grid {
    re from -2.0 to 2.0 step 0.005 exclusive
    im from -1.0 to 1.0 step 0.005
  }
  mcu f(c: complex) -> f64 { return c.re }
}
`);
    expect(at).toEqual([]);
    expect(program.input?.count).toBe(800 * 401);
    expect(program.input?.space).toMatchObject({
      kind: 'grid',
      axes: [
        { name: 're', count: 800, div: 1000, mul: 5 },
        { name: 'im', count: 401 },
      ],
    });
  });

  it('names the contract for the manifest and reads meta', () => {
    const { program } = diagnose(`contract NonceHunt version 3 {
  meta { description = "d" sample_rate = 0.25 }
  price 2 li per mcu
  input n: u53 over range 0 ..< 10
  mcu f(n: u53) -> u53 { return n }
}
`);
    expect(program.settings).toMatchObject({ name: 'nonce-hunt', version: '3', description: 'd', priceLi: 2n, sampleRate: 0.25 });
  });
});

describe('the checker rejects, pointing at the line', () => {
  it('a type error', () => {
    expect(diagnose(contract('    let x: u32 = true\n    return n')).at).toEqual(['ZL2003@6']);
  });

  it('integers and floats mixed without `as`', () => {
    expect(diagnose(contract('    let x = n * 2.5\n    return n')).at).toEqual(['ZL2004@6']);
    expect(diagnose(contract('    let x = (n as f64) * 2.5\n    return n')).at).toEqual([]);
  });

  it('different integer types in one operation', () => {
    expect(diagnose(contract('    let a: u8 = 1\n    return n + a')).at).toEqual(['ZL2003@7']);
  });

  it('an unbounded loop, and accepts it with `max`', () => {
    expect(diagnose(contract('    var s: u53 = 0\n    for i in 0 ..< n { s += i }\n    return s')).at).toEqual(['ZL3001@7']);
    expect(diagnose(contract('    var s: u53 = 0\n    for i in 0 ..< n max 100 { s += i }\n    return s')).at).toEqual([]);
  });

  it('recursion, direct and through other functions, at the call that closes the cycle', () => {
    const direct = diagnose(contract('    return f(n)', '  fn f(x: u53) -> u53 {\n    return f(x)\n  }'));
    expect(direct.at).toEqual(['ZL2026@5']);
    const indirect = diagnose(
      contract(
        '    return a(n)',
        '  fn a(x: u53) -> u53 {\n    return b(x)\n  }\n  fn b(x: u53) -> u53 {\n    return c(x)\n  }\n  fn c(x: u53) -> u53 {\n    return a(x)\n  }',
      ),
    );
    expect(indirect.at).toEqual(['ZL2026@11']);
    expect(indirect.diagnostics[0]?.notes).toEqual(['the cycle: a → b → c → a']);
  });

  it('integer constants that overflow their type', () => {
    expect(diagnose(contract('    return n', '  const X: u8 = 256')).at).toEqual(['ZL2013@4']);
    expect(diagnose(contract('    return n', '  const X: i32 = -2147483648')).at).toEqual([]);
    expect(diagnose(contract('    return n', '  const X: u32 = 65536 * 65536')).at).toEqual(['ZL2013@4']);
  });

  it('float functions that engines do not round alike, with a hint', () => {
    const { diagnostics } = diagnose(contract('    let x = sin(1.0)\n    return n'));
    expect(diagnostics.map((d) => d.code)).toEqual(['ZL2011']);
    expect(diagnostics[0]?.hint).toMatch(/not correctly rounded/);
  });

  it('unknown names, with "did you mean"', () => {
    const { diagnostics } = diagnose(contract('    return nn'));
    expect(diagnostics[0]).toMatchObject({ code: 'ZL2001', hint: 'did you mean `n`?' });
    const call = diagnose(contract('    return sqrtt(n as f64) as u53'));
    expect(call.diagnostics[0]).toMatchObject({ code: 'ZL2006', hint: 'did you mean `sqrt`?' });
  });

  it('assignment to a `let`, a parameter or a loop variable', () => {
    expect(diagnose(contract('    n = 1\n    return n')).at).toEqual(['ZL2009@6']);
    expect(diagnose(contract('    for i in 0 ..< 3 { i = 1 }\n    return n')).at).toEqual(['ZL2009@6']);
  });

  it('a function that may end without its value', () => {
    expect(diagnose(contract('    if n > 1 { return n }')).at).toEqual(['ZL2015@7']);
    expect(diagnose(contract('    if n > 1 { return n } else { return 0 }')).at).toEqual([]);
  });

  it('contracts without an mcu, an input or a price', () => {
    const { at } = diagnose('contract X version 1 {\n}\n');
    expect(at).toEqual(['ZL2017@1', 'ZL2018@1', 'ZL2028@1']);
  });
});

describe('the checker never throws', () => {
  const folders = ['golden', 'golden-check', 'fixtures'].map((f) => new URL(`./${f}/`, import.meta.url));
  const sources = folders.flatMap((dir) =>
    readdirSync(fileURLToPath(dir))
      .filter((f) => f.endsWith('.zi'))
      .map((f) => readFileSync(new URL(f, dir), 'utf8')),
  );

  it('on every test source that parses', () => {
    let checked = 0;
    for (const source of sources) {
      const { ast } = parse(source, 'x.zi');
      if (!ast) continue;
      const result = check(ast);
      expect(result.diagnostics.every((d) => d.code !== 'ZL9002')).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });
});
