import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderDiagnostics, SYNTAX_CODES } from '../src/diagnostics.js';
import { parse } from '../src/parse.js';

// Golden diagnostics: every test/golden/NAME.zi is parsed and its rendered diagnostics compared with
// test/golden/NAME.txt. Run with UPDATE_GOLDEN=1 to rewrite the .txt files after a deliberate change
// (then read the diff: the text is what users see).

const dir = new URL('./golden/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';
const files = readdirSync(fileURLToPath(dir))
  .filter((f) => f.endsWith('.zi'))
  .sort();

describe('golden diagnostics', () => {
  it('has golden files', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const { ast, diagnostics } = parse(source, file);
    expect(ast).toBeUndefined();
    expect(diagnostics.length).toBeGreaterThan(0);
    for (const d of diagnostics) expect(Object.keys(SYNTAX_CODES)).toContain(d.code);
    const rendered = `${renderDiagnostics(source, file, diagnostics)}\n`;
    const expectedFile = new URL(file.replace(/\.zi$/, '.txt'), dir);
    if (update) writeFileSync(expectedFile, rendered);
    expect(rendered).toBe(readFileSync(expectedFile, 'utf8'));
  });
});
