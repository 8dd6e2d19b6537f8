import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from '../src/check.js';
import { CHECK_CODES } from '../src/check-codes.js';
import { renderDiagnostics } from '../src/diagnostics.js';
import { parse } from '../src/parse.js';

// Golden checker diagnostics: every test/golden-check/NAME.zi parses cleanly, and its checker
// diagnostics, rendered, must equal test/golden-check/NAME.txt. Run with UPDATE_GOLDEN=1 to rewrite
// the .txt files after a deliberate change (then read the diff: the text is what users see).

const dir = new URL('./golden-check/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';
const files = readdirSync(fileURLToPath(dir))
  .filter((f) => f.endsWith('.zi'))
  .sort();

describe('golden checker diagnostics', () => {
  it('has golden files', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s', (file) => {
    const source = readFileSync(new URL(file, dir), 'utf8');
    const parsed = parse(source, file);
    expect(parsed.diagnostics).toEqual([]);
    if (!parsed.ast) throw new Error(`${file} does not parse`);
    const { diagnostics } = check(parsed.ast);
    expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
    for (const d of diagnostics) expect(Object.keys(CHECK_CODES)).toContain(d.code);
    const rendered = `${renderDiagnostics(source, file, diagnostics)}\n`;
    const expectedFile = new URL(file.replace(/\.zi$/, '.txt'), dir);
    if (update) writeFileSync(expectedFile, rendered);
    expect(rendered).toBe(readFileSync(expectedFile, 'utf8'));
  });
});
