import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Contract } from '../src/ast.js';
import type { Diagnostic } from '../src/diagnostics.js';
import { format } from '../src/format.js';
import * as language from '../src/index.js';
import { lex } from '../src/lexer.js';
import { parse } from '../src/parse.js';
import { sampleSources, strip } from './support/ast.js';

// Fuzzing: mutated sources never make the parser (or the checker, when it exists) throw, hang or
// report an internal error, and whatever still parses formats idempotently without changing its AST.
// Runs are seeded so a failure reproduces; the seed is printed by fast-check when one fails.

const valid = sampleSources().filter((s) => s.valid);
const tokensOf = valid.map((s) => ({
  source: s.source,
  tokens: lex(s.source).tokens.map((t) => ({ start: t.startOffset, text: t.image })),
}));

/** A generous per-input limit: far above any real parse, it only catches a hang or a blow-up. */
const HANG_LIMIT_MS = 5_000;

/** The back end's checker, when language/src/index.ts exports one. */
const checkFn = (language as Record<string, unknown>).check as ((ast: Contract) => { diagnostics: Diagnostic[] }) | undefined;

function parseSafely(source: string): ReturnType<typeof parse> {
  const started = performance.now();
  const result = parse(source, 'fuzz.zi');
  expect(performance.now() - started).toBeLessThan(HANG_LIMIT_MS);
  expect(Array.isArray(result.diagnostics)).toBe(true);
  const internal = result.diagnostics.filter((d) => d.code === 'ZL9001');
  expect(internal, `internal error on:\n${source}`).toEqual([]);
  if (result.ast === undefined) expect(result.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  return result;
}

function checkProperties(source: string): void {
  const result = parseSafely(source);
  if (result.ast === undefined) return;
  const formatted = format(source).text;
  expect(formatted, `format failed on:\n${source}`).toBeDefined();
  const text = formatted ?? '';
  expect(format(text).text, `format not idempotent on:\n${source}`).toBe(text);
  expect(strip(parse(text).ast), `format changed the AST of:\n${source}`).toEqual(strip(result.ast));
  if (checkFn !== undefined) {
    const checked = checkFn(result.ast);
    expect(Array.isArray(checked.diagnostics)).toBe(true);
  }
}

const sample = fc.integer({ min: 0, max: tokensOf.length - 1 });
const anyToken = fc.constantFrom(
  ...new Set(tokensOf.flatMap((s) => s.tokens.map((t) => t.text))),
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '<',
  '>',
  '>>',
  '..<',
  '..=',
  '=>',
  '->',
  '"',
  '/*',
  '*/',
  '//',
  '0x',
  '1e',
  '\n',
);

/** A token-level edit of one sample: delete, insert, duplicate or swap tokens. */
const tokenMutation = fc
  .tuple(
    sample,
    fc.array(fc.tuple(fc.constantFrom('delete', 'insert', 'duplicate', 'swap'), fc.nat(), fc.nat(), anyToken), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([index, edits]) => {
    const { source, tokens } = tokensOf[index] ?? { source: '', tokens: [] };
    const pieces = tokens.map((t, i) => {
      const next = tokens[i + 1];
      return source.slice(t.start, next === undefined ? source.length : next.start);
    });
    const head = source.slice(0, tokens[0]?.start ?? 0);
    for (const [op, a, b, token] of edits) {
      if (pieces.length === 0) break;
      const i = a % pieces.length;
      const j = b % pieces.length;
      if (op === 'delete') pieces.splice(i, 1);
      else if (op === 'insert') pieces.splice(i, 0, `${token} `);
      else if (op === 'duplicate') pieces.splice(i, 0, pieces[i] ?? '');
      else [pieces[i], pieces[j]] = [pieces[j] ?? '', pieces[i] ?? ''];
    }
    return head + pieces.join('');
  });

/** A character-level edit: delete, insert or replace characters (any code unit). */
const charMutation = fc
  .tuple(
    sample,
    fc.array(
      fc.tuple(fc.constantFrom('delete', 'insert', 'replace'), fc.nat(), fc.string({ minLength: 1, maxLength: 3, unit: 'binary' })),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([index, edits]) => {
    let text = tokensOf[index]?.source ?? '';
    for (const [op, at, chars] of edits) {
      const i = text.length === 0 ? 0 : at % text.length;
      if (op === 'delete') text = text.slice(0, i) + text.slice(i + chars.length);
      else if (op === 'insert') text = text.slice(0, i) + chars + text.slice(i);
      else text = text.slice(0, i) + chars + text.slice(i + chars.length);
    }
    return text;
  });

describe('parser fuzzing', () => {
  it('survives token-level mutations of valid contracts', () => {
    fc.assert(fc.property(tokenMutation, checkProperties), { numRuns: 1000, seed: 60601 });
  });

  it('survives character-level mutations of valid contracts', () => {
    fc.assert(fc.property(charMutation, checkProperties), { numRuns: 1000, seed: 60602 });
  });

  it('survives random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (text) => {
        parseSafely(text);
        parseSafely(`contract A version 1 { ${text} }`);
        parseSafely(`contract A version 1 { fn f(x: u32) -> u32 { ${text} } }`);
      }),
      { numRuns: 300, seed: 60603 },
    );
  });

  it('survives deep nesting and long chains', () => {
    const n = 10_000;
    const inFn = (body: string) => `contract D version 1 { fn f(x: u32) -> u32 { ${body} } }`;
    const cases = [
      '('.repeat(n),
      `contract D version 1 { const A = ${'('.repeat(n)}1${')'.repeat(n)} }`,
      inFn('{'.repeat(n)),
      inFn(`let a = ${'['.repeat(n)}`),
      inFn(`let a = ${'{a: '.repeat(n)}1${'}'.repeat(n)}`),
      inFn(`return ${'-'.repeat(n)}1`),
      inFn(`return ${'!~'.repeat(n)}x`),
      inFn(`return 1${' + 1'.repeat(n)}`),
      inFn(`return x${' as u8'.repeat(n)}`),
      inFn(`return x${'.a'.repeat(n)}${'[0]'.repeat(n)}`),
      inFn(`if a { }${' else if a { }'.repeat(n)}`),
      inFn(`return ${'if a { 1 } else '.repeat(n)}{ 2 }`),
      inFn(`return f(${'fn(x) => '.repeat(n)}x)`),
      inFn(`${'for i in 0 ..< 1 { '.repeat(n)}`),
      `contract D version 1 { type T = ${'list<'.repeat(n)}u8${'>'.repeat(n)} }`,
      `contract D version 1 { type T = ${'option<'.repeat(n)}u8${'>'.repeat(n)} }`,
      `contract D version 1 { type T = ${'{ a: '.repeat(n)}u8${' }'.repeat(n)} }`,
      `/*${'*'.repeat(n)}`,
      `"${'\\'.repeat(n)}`,
      '}'.repeat(n),
      'contract '.repeat(n),
    ];
    for (const source of cases) {
      const result = parseSafely(source);
      if (result.ast !== undefined) checkProperties(source);
      else expect(result.diagnostics.length).toBeLessThanOrEqual(40);
    }
  });

  it('reports nesting beyond the limit as ZL0111, and accepts nesting below it', () => {
    const deep = parse(`contract D version 1 { const A = ${'('.repeat(500)}1${')'.repeat(500)} }`);
    expect(deep.diagnostics.map((d) => d.code)).toEqual(['ZL0111']);
    const fine = parse(`contract D version 1 { const A = ${'('.repeat(60)}1${')'.repeat(60)} }`);
    expect(fine.diagnostics).toEqual([]);
    const chain = parse(`contract D version 1 { const A = 1${' + 1'.repeat(5000)} }`);
    expect(chain.diagnostics.map((d) => d.code)).toEqual(['ZL0111']);
  });
});
