import { describe, expect, it } from 'vitest';
import { type Diagnostic, hasErrors, joinSpans, LineIndex, renderDiagnostic, renderDiagnostics, SYNTAX_CODES } from '../src/diagnostics.js';
import { parse } from '../src/parse.js';
import { didYouMean, editDistance, suggest, suggestAll } from '../src/suggest.js';

const source = 'contract A version 1 {\n\tconst B = 1\n  const C = 2\n}\n';
const lines = new LineIndex(source);

describe('LineIndex', () => {
  it('maps offsets to lines and columns for \\n, \\r\\n and \\r', () => {
    const text = 'ab\ncd\r\nef\rgh';
    const index = new LineIndex(text);
    expect(['a', 'c', 'e', 'g'].map((ch) => index.position(text.indexOf(ch)))).toEqual([
      { line: 1, column: 1 },
      { line: 2, column: 1 },
      { line: 3, column: 1 },
      { line: 4, column: 1 },
    ]);
    expect(index.position(text.length)).toEqual({ line: 4, column: 3 });
    expect(index.position(-5)).toEqual({ line: 1, column: 1 });
    expect(index.spanAt(3, 5)).toEqual({ start: 3, end: 5, line: 2, column: 1, endLine: 2, endColumn: 3 });
  });

  it('joins spans', () => {
    expect(joinSpans(lines.spanAt(30, 31), lines.spanAt(0, 8))).toEqual(lines.spanAt(0, 31));
  });
});

describe('renderDiagnostic', () => {
  const diagnostic: Diagnostic = {
    code: 'ZL0101',
    severity: 'error',
    message: 'something is wrong',
    span: lines.spanAt(source.indexOf('C'), source.indexOf('C') + 1),
    spanLabel: 'here',
    labels: [{ span: lines.spanAt(source.indexOf('B'), source.indexOf('B') + 1), message: 'and there' }],
    hint: 'fix it.',
    notes: ['a note.'],
  };

  it('shows the excerpt with carets, labels, hint and notes; tabs expanded', () => {
    expect(renderDiagnostic(source, 'a.zi', diagnostic)).toBe(
      [
        'error[ZL0101]: something is wrong',
        ' --> a.zi:3:9',
        '  |',
        '2 |     const B = 1',
        '  |           - and there',
        '3 |   const C = 2',
        '  |         ^ here',
        '  |',
        '  = hint: fix it.',
        '  = note: a note.',
      ].join('\n'),
    );
  });

  it('colours only on request', () => {
    const plain = renderDiagnostic(source, 'a.zi', diagnostic);
    expect(plain).not.toContain('\u001b[');
    const coloured = renderDiagnostic(source, 'a.zi', diagnostic, { color: true });
    expect(coloured).toContain('\u001b[31m');
    expect(coloured.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')).toBe(plain);
  });

  it('never throws on spans outside the text', () => {
    const wild: Diagnostic = {
      code: 'ZL0101',
      severity: 'warning',
      message: 'm',
      span: { start: 999, end: 1999, line: 99, column: 500, endLine: 120, endColumn: 1 },
    };
    expect(renderDiagnostic('x', 'a.zi', wild)).toContain('warning[ZL0101]: m');
    expect(renderDiagnostic('', 'a.zi', { ...wild, span: { start: 0, end: 0, line: 0, column: 0, endLine: 0, endColumn: 0 } })).toContain(
      'a.zi:1:1',
    );
  });

  it('marks a span over several lines to the end of its first line', () => {
    const d: Diagnostic = {
      code: 'ZL0101',
      severity: 'note',
      message: 'm',
      span: lines.spanAt(source.indexOf('const B'), source.indexOf('const C') + 5),
    };
    expect(renderDiagnostic(source, 'a.zi', d).split('\n')[4]).toBe('  |     ^^^^^^^^^^^');
  });

  it('summarises several diagnostics', () => {
    const text = renderDiagnostics(source, 'a.zi', [
      diagnostic,
      { ...diagnostic, severity: 'warning' },
      { ...diagnostic, severity: 'error' },
    ]);
    expect(text.endsWith('\n\n2 errors, 1 warning')).toBe(true);
    expect(renderDiagnostics(source, 'a.zi', [])).toBe('');
  });

  it('hasErrors looks at severities', () => {
    expect(hasErrors([{ ...diagnostic, severity: 'warning' }])).toBe(false);
    expect(hasErrors([diagnostic])).toBe(true);
  });

  it('every syntax code has a one-line meaning', () => {
    for (const [code, meaning] of Object.entries(SYNTAX_CODES)) {
      expect(code).toMatch(/^ZL\d{4}$/);
      expect(meaning).not.toContain('\n');
    }
  });

  it('puts machine-applicable fixes on misspellings', () => {
    const src = 'contract A verison 1 { }';
    const [d] = parse(src).diagnostics;
    expect(d?.code).toBe('ZL0104');
    expect(d?.fix?.replacement).toBe('version');
    expect(src.slice(d?.fix?.span.start, d?.fix?.span.end)).toBe('verison');
  });
});

describe('did you mean', () => {
  it('measures edits, counting a swap of neighbours as one', () => {
    expect(editDistance('retrun', 'return')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
  });

  it('suggests the closest word, only when close enough', () => {
    expect(suggest('retrun', ['return', 'break', 'continue'])).toBe('return');
    expect(suggest('u3', ['u8', 'u16', 'u32', 'u64'])).toBe('u32');
    expect(suggest('i63', ['i32', 'i53', 'i64'])).toBe('i64');
    expect(suggest('Return', ['return', 'retur'])).toBe('return');
    expect(suggest('x', ['return'])).toBeUndefined();
    expect(suggest('zzzzzz', ['return'])).toBeUndefined();
    expect(suggestAll('lenght', ['length', 'left', 'len', 'lenght'])).toEqual(['length']);
    expect(didYouMean('MAX_ITR', ['MAX_ITER', 'ESCAPE'])).toBe('did you mean `MAX_ITER`?');
    expect(didYouMean('q', ['MAX_ITER'])).toBeUndefined();
  });
});
