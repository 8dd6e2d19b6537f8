/**
 * Diagnostics: how every stage of the Zi toolchain (lexer, parser, checker, cost analysis,
 * compiler) reports a problem in the source. Stages collect diagnostics as data and never throw
 * on bad source; {@link renderDiagnostic} turns one into the text a person reads:
 *
 * ```text
 * error[ZL0102]: expected `}` to close the block opened at 3:38
 *  --> mandel.zi:9:1
 *   |
 * 3 |   mcu classify(c: complex) -> Sample {
 *   |                                      - the block opened here
 *   ...
 * 9 |
 *   | ^ expected `}` here
 *   |
 *   = hint: every `{` needs a matching `}`; check the lines above for one that is missing.
 * ```
 *
 * Codes are stable: once published a code keeps its meaning. Ranges: `ZL00xx` lexer, `ZL01xx`
 * parser (syntax), `ZL02xx` formatter, `ZL1xxx` reserved, `ZL2xxx` checker (types, names),
 * `ZL3xxx` cost and bounds, `ZL4xxx` compiler, `ZL9xxx` internal errors of the toolchain.
 * @module
 */

/**
 * A stretch of source text. Offsets count UTF-16 code units from 0 (JavaScript string indices);
 * lines and columns count from 1. `end`/`endColumn` point just past the last character, so an
 * empty span (`start === end`) marks a position between characters.
 */
export interface Span {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
  /** Line of the first character (1-based). */
  readonly line: number;
  /** Column of the first character (1-based). */
  readonly column: number;
  /** Line of the last character (1-based). */
  readonly endLine: number;
  /** Column just past the last character (1-based). */
  readonly endColumn: number;
}

/** How bad a diagnostic is: only `error` stops a build. */
export type Severity = 'error' | 'warning' | 'note';

/** A secondary place in the source a diagnostic points at, with what to say about it. */
export interface Label {
  readonly span: Span;
  readonly message: string;
}

/** A machine-applicable fix: replace the text of `span` with `replacement`. */
export interface Fix {
  readonly span: Span;
  readonly replacement: string;
}

/** One problem found in the source. */
export interface Diagnostic {
  /** Stable code such as `ZL0102` (see {@link SYNTAX_CODES} and the language README). */
  readonly code: string;
  readonly severity: Severity;
  /** One sentence, lower case start, no final period: what is wrong. */
  readonly message: string;
  /** The primary place. */
  readonly span: Span;
  /** Text shown under the primary span's carets. */
  readonly spanLabel?: string | undefined;
  /** Other places worth showing (the opening brace of an unclosed block, an earlier declaration). */
  readonly labels?: readonly Label[] | undefined;
  /** How to fix it, in a sentence or two. */
  readonly hint?: string | undefined;
  /** Extra background, one sentence each. */
  readonly notes?: readonly string[] | undefined;
  /** A suggested replacement an editor could apply (the `did you mean` of a misspelling). */
  readonly fix?: Fix | undefined;
}

/**
 * The lexer's, parser's and formatter's codes with a one-line meaning each. The back end keeps its
 * own table for `ZL2xxx`–`ZL4xxx`; the language README lists them all.
 */
export const SYNTAX_CODES = {
  ZL0001: 'a character that cannot start any token',
  ZL0002: 'a string literal without its closing quote',
  ZL0003: 'a block comment without its closing `*/`',
  ZL0004: 'an unknown escape sequence in a string',
  ZL0005: 'a malformed number literal',
  ZL0006: 'a number literal too large to represent',
  ZL0101: 'an unexpected token: something else was expected here',
  ZL0102: 'an unclosed `(`, `[` or `{`',
  ZL0103: 'a closing bracket that does not match the open one',
  ZL0104: 'a misspelled keyword',
  ZL0105: 'two statements on one line without `;` between them',
  ZL0106: 'an assignment to something that cannot be assigned',
  ZL0107: 'chained comparisons such as `a < b < c`',
  ZL0108: 'an `if` used as a value without an `else`',
  ZL0109: 'an unknown generic type or wrong type arguments',
  ZL0110: 'an unknown price unit (expected `li` or `zi`)',
  ZL0111: 'nesting deeper than the parser allows',
  ZL0112: 'text after the end of the contract',
  ZL0113: 'a grid axis without exactly one of `step` and `count`',
  ZL0114: 'a price that is not a whole number of Li',
  ZL0115: 'a shift operator written with a space (`> >`)',
  ZL0116: 'positional arguments after named ones',
  ZL0117: 'too many errors; the rest are not shown',
  ZL0118: 'the file does not start with `contract`',
  ZL9001: 'an internal error of the Zi toolchain (please report it)',
} as const;

/** A code of {@link SYNTAX_CODES}. */
export type SyntaxCode = keyof typeof SYNTAX_CODES;

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by position, then by code, for stable output. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.span.start - b.span.start || a.span.end - b.span.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** The smallest span covering both `a` and `b`. */
export function joinSpans(a: Span, b: Span): Span {
  const first = a.start <= b.start ? a : b;
  const last = a.end >= b.end ? a : b;
  return { start: first.start, line: first.line, column: first.column, end: last.end, endLine: last.endLine, endColumn: last.endColumn };
}

/**
 * Maps offsets of one source text to lines and columns (binary search over line starts).
 *
 * @example
 * ```ts
 * const lines = new LineIndex('a\nbc');
 * lines.spanAt(3, 4); // { start: 3, end: 4, line: 2, column: 2, endLine: 2, endColumn: 3 }
 * ```
 */
export class LineIndex {
  readonly #starts: number[] = [0];
  readonly #length: number;

  constructor(source: string) {
    this.#length = source.length;
    // Same line terminators as the lexer: \n, \r\n, \r.
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10) this.#starts.push(i + 1);
      else if (c === 13) {
        if (source.charCodeAt(i + 1) === 10) i++;
        this.#starts.push(i + 1);
      }
    }
  }

  /** Line (1-based) and column (1-based) of an offset, clamped to the text. */
  position(offset: number): { line: number; column: number } {
    const at = Math.max(0, Math.min(offset, this.#length));
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#starts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - (this.#starts[lo] ?? 0) + 1 };
  }

  /** The span from `start` (inclusive) to `end` (exclusive). */
  spanAt(start: number, end: number): Span {
    const s = this.position(start);
    const e = this.position(Math.max(start, end));
    return { start, end: Math.max(start, end), line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
  }
}

/** Options of {@link renderDiagnostic}. */
export interface RenderOptions {
  /** Colour with ANSI escapes (default false: plain text). */
  readonly color?: boolean;
  /** Columns a tab advances when showing source lines (default 4). */
  readonly tabWidth?: number;
}

/** Source lines wider than this are shown as a window around the markers. */
const MAX_SHOWN_WIDTH = 120;

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  cyan: '\u001b[36m',
  blue: '\u001b[34m',
} as const;

interface Marker {
  readonly line: number;
  readonly column: number;
  readonly endColumn: number | undefined;
  readonly primary: boolean;
  readonly message: string;
}

/**
 * Renders one diagnostic as text in the style of the Rust compiler: a header with severity and
 * code, the location, the source lines with carets (`^` for the primary span, `-` for labels),
 * then hint and notes. Never throws, whatever the span says (out-of-range spans are clamped).
 *
 * @param source the whole source text the span refers to
 * @param file the file name to show (as the user would type it)
 * @example
 * ```ts
 * const { diagnostics } = parse(src, 'a.zi');
 * for (const d of diagnostics) process.stderr.write(renderDiagnostic(src, 'a.zi', d) + '\n');
 * ```
 */
export function renderDiagnostic(source: string, file: string, d: Diagnostic, options: RenderOptions = {}): string {
  const color = options.color === true;
  const tabWidth = options.tabWidth ?? 4;
  const paint = (style: string, text: string): string => (color ? `${style}${text}${ANSI.reset}` : text);
  const severityStyle = d.severity === 'error' ? ANSI.red : d.severity === 'warning' ? ANSI.yellow : ANSI.cyan;

  const lines = source.split(/\r\n|\n|\r/);
  const clampLine = (line: number): number => Math.max(1, Math.min(line, lines.length));
  const markers: Marker[] = [];
  const addMarker = (span: Span, primary: boolean, message: string): void => {
    const line = clampLine(span.line);
    const sameLine = span.endLine === span.line;
    markers.push({ line, column: Math.max(1, span.column), endColumn: sameLine ? span.endColumn : undefined, primary, message });
  };
  addMarker(d.span, true, d.spanLabel ?? '');
  for (const label of d.labels ?? []) addMarker(label.span, false, label.message);

  const shown = [...new Set(markers.map((m) => m.line))].sort((a, b) => a - b);
  const gutter = String(shown[shown.length - 1] ?? 1).length;
  const pad = ' '.repeat(gutter);
  const bar = paint(ANSI.blue, '|');
  const out: string[] = [];

  out.push(`${paint(ANSI.bold + severityStyle, `${d.severity}[${d.code}]`)}${paint(ANSI.bold, `: ${d.message}`)}`);
  out.push(`${pad}${paint(ANSI.blue, '-->')} ${file}:${clampLine(d.span.line)}:${Math.max(1, d.span.column)}`);
  out.push(`${pad} ${bar}`);

  let previous = 0;
  for (const lineNo of shown) {
    if (previous !== 0 && lineNo - previous === 2) {
      out.push(sourceRow(previous + 1, 0, Number.POSITIVE_INFINITY));
    } else if (previous !== 0 && lineNo - previous > 2) {
      out.push(`${pad}${paint(ANSI.blue, '...')}`);
    }
    const text = lines[lineNo - 1] ?? '';
    // Primary marker first, then labels left to right; columns in display cells.
    const here = markers
      .filter((m) => m.line === lineNo)
      .sort((a, b) => Number(b.primary) - Number(a.primary) || a.column - b.column)
      .map((m) => {
        const from = displayWidth(text, m.column - 1, tabWidth);
        const endIndex = m.endColumn === undefined ? text.length : m.endColumn - 1;
        const to = displayWidth(text, Math.max(m.column - 1, endIndex), tabWidth);
        return { ...m, from, to: Math.max(from + 1, to) };
      });
    // Long lines are shown as a window around the markers.
    const width = expandTabs(text, tabWidth).length;
    const first = Math.min(...here.map((m) => m.from));
    const windowStart = width > MAX_SHOWN_WIDTH && first > 40 ? first - 30 : 0;
    const windowEnd = width > MAX_SHOWN_WIDTH ? windowStart + MAX_SHOWN_WIDTH - 10 : Number.POSITIVE_INFINITY;
    const shift = windowStart > 0 ? 3 - windowStart : 0;
    out.push(sourceRow(lineNo, windowStart, windowEnd));
    for (const m of here) {
      const from = Math.max(0, Math.min(m.from, windowEnd) + shift);
      const to = Math.max(from + 1, Math.min(m.to, windowEnd) + shift);
      const glyph = m.primary ? '^' : '-';
      const style = m.primary ? ANSI.bold + severityStyle : ANSI.bold + ANSI.blue;
      const message = m.message === '' ? '' : ` ${m.message}`;
      out.push(`${pad} ${bar} ${' '.repeat(from)}${paint(style, glyph.repeat(to - from) + message)}`);
    }
    previous = lineNo;
  }

  if (d.hint !== undefined || (d.notes !== undefined && d.notes.length > 0)) out.push(`${pad} ${bar}`);
  if (d.hint !== undefined) out.push(`${pad} ${paint(ANSI.bold, '=')} ${paint(ANSI.bold, 'hint')}: ${d.hint}`);
  for (const note of d.notes ?? []) out.push(`${pad} ${paint(ANSI.bold, '=')} ${paint(ANSI.bold, 'note')}: ${note}`);
  return out.join('\n');

  function sourceRow(lineNo: number, from: number, to: number): string {
    const full = expandTabs(lines[lineNo - 1] ?? '', tabWidth);
    const text = `${from > 0 ? '...' : ''}${full.slice(from, to)}${full.length > to ? '...' : ''}`.trimEnd();
    const number = paint(ANSI.blue, String(lineNo).padStart(gutter));
    return text === '' ? `${number} ${bar}` : `${number} ${bar} ${text}`;
  }
}

/**
 * Renders several diagnostics separated by blank lines, followed by a one-line summary such as
 * `2 errors, 1 warning` (omitted when the list is empty).
 */
export function renderDiagnostics(source: string, file: string, diagnostics: readonly Diagnostic[], options: RenderOptions = {}): string {
  if (diagnostics.length === 0) return '';
  const parts = diagnostics.map((d) => renderDiagnostic(source, file, d, options));
  const count = (severity: Severity, word: string): string | undefined => {
    const n = diagnostics.filter((d) => d.severity === severity).length;
    return n === 0 ? undefined : `${n} ${word}${n === 1 ? '' : 's'}`;
  };
  const summary = [count('error', 'error'), count('warning', 'warning'), count('note', 'note')].filter((s) => s !== undefined).join(', ');
  return `${parts.join('\n\n')}\n\n${summary}`;
}

function expandTabs(text: string, tabWidth: number): string {
  if (!text.includes('\t')) return text;
  let out = '';
  for (const ch of text) out += ch === '\t' ? ' '.repeat(tabWidth - (out.length % tabWidth)) : ch;
  return out;
}

/** Display width of the first `count` UTF-16 units of `text`, tabs expanded. */
function displayWidth(text: string, count: number, tabWidth: number): number {
  let width = 0;
  const n = Math.min(count, text.length);
  for (let i = 0; i < n; i++) width = text.charCodeAt(i) === 9 ? width + tabWidth - (width % tabWidth) : width + 1;
  // Positions past the end of the line (an error at the end of a line) keep counting columns.
  return width + Math.max(0, count - text.length);
}
