import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Contract } from '../../src/ast.js';
import { parse } from '../../src/parse.js';

/** The AST without spans, comments and bigints (as `123n` strings), for comparisons and snapshots. */
export function strip(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (key, v: unknown) => {
      if (key === 'span' || key === 'indexSpan' || key === 'comments') return undefined;
      return typeof v === 'bigint' ? `${v}n` : v;
    }),
  );
}

/** Parses source that must be free of diagnostics. */
export function parseOk(source: string): Contract {
  const { ast, diagnostics } = parse(source, 'test.zi');
  expect(diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`)).toEqual([]);
  if (ast === undefined) throw new Error('no AST');
  return ast;
}

/** Wraps statements into a contract with one helper function. */
export function inFunction(body: string): string {
  return `contract T version 1 {\n  fn f(x: u32) -> u32 {\n${body}\n  }\n}\n`;
}

/** Parses statements inside a function and returns them without spans. */
export function statementsOf(body: string): unknown[] {
  const ast = parseOk(inFunction(body));
  const item = ast.items[0];
  if (item?.kind !== 'Function') throw new Error('no function');
  return strip(item.body.statements) as unknown[];
}

/** Parses one expression (as `let e = …`) and returns it without spans. */
export function exprOf(source: string): unknown {
  const [stmt] = statementsOf(`let e = ${source}`) as [{ value: unknown }];
  return stmt.value;
}

/** Parses one type (as `type X = …`) and returns it without spans. */
export function typeOf(source: string): unknown {
  const ast = parseOk(`contract T version 1 { type X = ${source} }`);
  const item = ast.items[0];
  if (item?.kind !== 'TypeAlias') throw new Error('no type');
  return strip(item.type);
}

const fixtures = new URL('../fixtures/', import.meta.url);
const golden = new URL('../golden/', import.meta.url);

/** Every `.zi` file of the fixtures (valid) and golden (invalid) folders: [name, source]. */
export function sampleSources(): { name: string; source: string; valid: boolean }[] {
  const read = (dir: URL, valid: boolean) =>
    readdirSync(fileURLToPath(dir))
      .filter((f) => f.endsWith('.zi'))
      .sort()
      .map((f) => ({ name: f, source: readFileSync(new URL(f, dir), 'utf8'), valid }));
  return [...read(fixtures, true), ...read(golden, false)];
}
