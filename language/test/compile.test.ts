import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPILER_VERSION, compile } from '../src/compile.js';

// Golden compiler output: test/compile-golden/NAME.zi compiles to exactly NAME.js (UPDATE_GOLDEN=1
// rewrites the .js files after a deliberate change; then read the diff).
const goldenDir = new URL('./compile-golden/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';
const TEMPLATES = new URL('../../templates/', import.meta.url);
const template = (name: string) => readFileSync(new URL(`${name}/src/contract.zi`, TEMPLATES), 'utf8');

describe('compiler output', () => {
  const files = readdirSync(fileURLToPath(goldenDir)).filter((f) => f.endsWith('.zi'));

  it.each(files)('%s matches its golden JavaScript', (file) => {
    const out = compile(readFileSync(new URL(file, goldenDir), 'utf8'), file);
    expect(out.diagnostics).toEqual([]);
    expect(out.ok).toBe(true);
    const expectedFile = new URL(file.replace(/\.zi$/, '.js.golden'), goldenDir);
    if (update) writeFileSync(expectedFile, out.code);
    expect(out.code).toBe(readFileSync(expectedFile, 'utf8'));
  });

  it('is the same text every time for the same source and file name', () => {
    for (const name of ['mandelbrot-zi', 'primes-zi', 'nonce-zi']) {
      const a = compile(template(name), 'src/contract.zi');
      const b = compile(template(name), 'src/contract.zi');
      expect(a.ok).toBe(true);
      expect(b.code).toBe(a.code);
    }
  });

  it('emits every loop as a counted loop the meter charges once, and the bound as gasPerMcu', () => {
    const out = compile(template('mandelbrot-zi'), 'src/contract.zi');
    expect(out.code).toMatch(/for \(let __zi_i1 = 0, __zi_e1 = 2000; __zi_i1 < __zi_e1; __zi_i1\+\+\)/);
    expect(out.code).not.toMatch(/\bwhile\b/);
    expect(out.code).toContain(`limits: { gasPerMcu: ${out.gasBound}, gasPerRender: ${out.cost?.render} }`);
    expect(out.manifestExtras).toEqual({
      language: { name: 'zi', version: COMPILER_VERSION },
      gasBound: out.gasBound,
      renderGasBound: out.cost?.render,
    });
  });

  it('lowers complex numbers to pairs of numbers: no objects in the escape-time loop', () => {
    const out = compile(template('mandelbrot-zi'), 'src/contract.zi');
    const mcu = out.code.slice(out.code.indexOf('function $escape_time'), out.code.indexOf('function $render'));
    expect(mcu).toContain('$z_re * $z_re - $z_im * $z_im');
    expect(mcu).not.toMatch(/\{ re:/);
  });

  it('maps an index to its grid point in O(1), dividing by the exact power of ten', () => {
    const out = compile(template('mandelbrot-zi'), 'src/contract.zi');
    expect(out.code).toContain('const zi_at = (i) => ({ re: -2 + (i % 400) / 100, im: 1 - Math.floor(i / 400) / 100 });');
  });

  it('takes a gas limit below the bound from meta, with a note', () => {
    const out = compile(template('primes-zi'), 'src/contract.zi');
    expect(out.ok).toBe(true);
    expect(out.code).toContain('limits: { gasPerMcu: 90000');
    expect(out.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['note ZL3004']);
    expect(out.gasBound).toBeGreaterThan(90_000);
  });
});

describe('compile on bad source', () => {
  it('returns diagnostics and no code', () => {
    const out = compile(
      'contract X version 1 {\n  price 1 li per mcu\n  input n: u53 over range 0 ..< 4\n  mcu f(n: u53) -> u53 { return n + 1.0 }\n}\n',
      'x.zi',
    );
    expect(out.ok).toBe(false);
    expect(out.code).toBe('');
    expect(out.diagnostics.map((d) => `${d.code}@${d.span.line}`)).toEqual(['ZL2004@4']);
  });

  it('never throws, on mutated template sources either', () => {
    const sources = ['mandelbrot-zi', 'primes-zi', 'nonce-zi'].map(template);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sources.length - 1 }),
        fc.array(
          fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('', ' ', '0', 'x', '}', '{', '(', '1.5', 'as u8', '-', 'for', '+')),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (which, edits) => {
          let source = sources[which] ?? '';
          for (const [at, cut, insert] of edits) {
            const i = at % (source.length + 1);
            source = source.slice(0, i) + insert + source.slice(i + cut);
          }
          const out = compile(source, 'm.zi');
          expect(out.diagnostics.filter((d) => d.code === 'ZL9002')).toEqual([]);
          if (out.ok) expect(out.code.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: Number(process.env.ZI_FUZZ_RUNS ?? 150) },
    );
  });
});
