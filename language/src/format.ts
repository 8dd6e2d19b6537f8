/**
 * `format`: the canonical layout of a Zi source file (what `zi fmt` writes).
 *
 * - Printed from the AST, so the result parses to the same AST (spans aside).
 * - Two spaces of indentation, one statement or declaration per line, no `;`, single spaces
 *   around binary operators, `{ a: 1 }` records, `[1, 2]` lists.
 * - Literals are printed exactly as written (`10_000` stays `10_000`), and so are parentheses.
 * - Blank lines between declarations and statements are kept, at most one in a row.
 * - Constructs that do not fit in {@link MAX_LINE_WIDTH} columns — or that contain a comment —
 *   are broken one element per line with trailing commas (calls, records, lists, tuples, record
 *   types, parameter lists, `if` expressions).
 * - Comments are never dropped. A comment inside a construct printed on one line moves to its
 *   own line above that line's statement; a comment at the end of a line stays there.
 * - Idempotent: formatting formatted text changes nothing.
 * @module
 */

import type * as A from './ast.js';
import type { Diagnostic } from './diagnostics.js';
import { parse } from './parse.js';

/** Lines longer than this are broken where the grammar allows. */
export const MAX_LINE_WIDTH = 100;

const INDENT = '  ';

/** What {@link format} returns. */
export interface FormatResult {
  /** The formatted source, or `undefined` when the source has errors. */
  readonly text: string | undefined;
  /** The parser's diagnostics (errors mean nothing was formatted). */
  readonly diagnostics: Diagnostic[];
}

/**
 * Formats Zi source text. Source that does not parse is not formatted: `text` is `undefined` and
 * `diagnostics` says why. Never throws.
 *
 * @example
 * ```ts
 * format('contract A version 1{price 1 li per mcu}').text;
 * // 'contract A version 1 {\n  price 1 li per mcu\n}\n'
 * ```
 */
export function format(source: string): FormatResult {
  const { ast, diagnostics } = parse(source);
  if (ast === undefined) return { text: undefined, diagnostics };
  return { text: new Printer(source, ast.comments).contract(ast), diagnostics };
}

/** Formats an already parsed contract (its comments included); `source` is the text it came from. */
export function formatAst(source: string, ast: A.Contract): string {
  return new Printer(source, ast.comments).contract(ast);
}

function ind(level: number): string {
  return INDENT.repeat(level);
}

/** Width of the last line of a possibly multi-line string. */
function lastLineWidth(text: string): number {
  const nl = text.lastIndexOf('\n');
  return nl < 0 ? text.length : text.length - nl - 1;
}

class Printer {
  readonly #source: string;
  readonly #comments: readonly A.Comment[];
  /** Index of the first comment not printed yet (comments are printed in source order). */
  #next = 0;
  /** Source line of the end of the last thing printed, to keep blank lines. */
  #lastLine = 0;

  constructor(source: string, comments: readonly A.Comment[]) {
    this.#source = source;
    this.#comments = comments;
  }

  // --- comments and blank lines --------------------------------------------------------------

  #hasCommentIn(span: A.Span): boolean {
    for (let i = this.#next; i < this.#comments.length; i++) {
      const c = this.#comments[i] as A.Comment;
      if (c.span.start >= span.end) return false;
      if (c.span.start >= span.start) return true;
    }
    return false;
  }

  /** Lines for the comments that start before `offset`, each on its own line at `level`. */
  #leading(offset: number, level: number, out: string[], allowBlank = true): void {
    while (this.#next < this.#comments.length) {
      const c = this.#comments[this.#next] as A.Comment;
      if (c.span.start >= offset) break;
      this.#next++;
      if (allowBlank) this.#blankBefore(c.span.line, out);
      allowBlank = true;
      const [first = '', ...rest] = c.text.split(/\r\n|\n|\r/);
      out.push(ind(level) + first.trimEnd());
      // Continuation lines of a block comment are kept as written.
      for (const line of rest) out.push(line.trimEnd());
      this.#lastLine = c.span.endLine;
    }
  }

  /** A comment starting on source line `line` at or after `offset` is appended to the last line. */
  #trailing(offset: number, line: number, out: string[]): void {
    const c = this.#comments[this.#next];
    if (c === undefined || c.span.start < offset || c.span.line !== line || out.length === 0) return;
    if (c.style === 'block' && c.span.endLine !== c.span.line) return;
    // Only when nothing but white space (or the `,`/`;` after an element) separates the comment
    // from the node…
    if (!/^[\s,;]*$/.test(this.#source.slice(offset, c.span.start))) return;
    // …and follows the comment on its line.
    const after = this.#source.slice(c.span.end, this.#endOfLine(c.span.end));
    if (after.trim() !== '') return;
    this.#next++;
    out[out.length - 1] = `${out[out.length - 1]} ${c.text}`;
    this.#lastLine = c.span.endLine;
  }

  #endOfLine(offset: number): number {
    const nl = this.#source.slice(offset).search(/\r|\n/);
    return nl < 0 ? this.#source.length : offset + nl;
  }

  #blankBefore(line: number, out: string[]): void {
    const last = out[out.length - 1];
    if (this.#lastLine > 0 && line - this.#lastLine >= 2 && last !== undefined && last !== '' && !/[{([]$/.test(last)) out.push('');
  }

  /**
   * A node on lines of its own: the comments before it (and a kept blank line), its lines, and a
   * comment at the end of its last line. Comments inside the node that its printing did not place
   * (inside something printed on one line) go on lines of their own above it.
   */
  #node(span: A.Span, level: number, out: string[], print: () => string[]): void {
    this.#leading(span.start, level, out);
    this.#blankBefore(span.line, out);
    const at = out.length;
    const lines = print();
    for (const line of lines) out.push(line);
    const inside: string[] = [];
    this.#leading(span.end, level, inside, false);
    out.splice(at, 0, ...inside);
    this.#lastLine = span.endLine;
    this.#trailing(span.end, span.endLine, out);
  }

  // --- the contract --------------------------------------------------------------------------

  contract(c: A.Contract): string {
    const out: string[] = [];
    this.#leading(c.span.start, 0, out);
    this.#blankBefore(c.span.line, out);
    out.push(`contract ${c.name.name} version ${c.version.raw} {`);
    this.#lastLine = c.version.span.endLine;
    const open = this.#source.indexOf('{', c.version.span.end);
    if (open >= 0) this.#trailing(open + 1, c.version.span.line, out);
    for (const item of c.items) this.#node(item.span, 1, out, () => this.#item(item, 1));
    this.#leading(c.span.end - 1, 1, out);
    out.push('}');
    this.#lastLine = c.span.endLine;
    this.#trailing(c.span.end, c.span.endLine, out);
    this.#leading(Number.POSITIVE_INFINITY, 0, out);
    return `${out.join('\n')}\n`;
  }

  #item(item: A.Item, level: number): string[] {
    const pad = ind(level);
    switch (item.kind) {
      case 'Meta': {
        if (item.entries.length === 0 && !this.#hasCommentIn(item.span)) return [`${pad}meta {}`];
        const out = [`${pad}meta {`];
        for (const entry of item.entries) {
          this.#node(entry.span, level + 1, out, () => {
            const head = `${ind(level + 1)}${entry.key.name} = `;
            return [head + this.#expr(entry.value, level + 1, head.length)];
          });
        }
        this.#leading(item.span.end - 1, level + 1, out);
        out.push(`${pad}}`);
        return out;
      }
      case 'Price':
        return [`${pad}price ${item.amount.raw} ${item.unit} per mcu`];
      case 'Const': {
        const head = `${pad}const ${item.name.name}${item.type ? `: ${this.#type(item.type, level, pad.length + 8 + item.name.name.length)}` : ''} = `;
        return [head + this.#expr(item.value, level, lastLineWidth(head))];
      }
      case 'TypeAlias': {
        const head = `${pad}type ${item.name.name} = `;
        return [head + this.#type(item.type, level, head.length)];
      }
      case 'Input': {
        const head = `${pad}input ${item.name.name}: ${this.#type(item.type, level, pad.length + 8 + item.name.name.length)} over `;
        const space = item.space;
        if (space.kind === 'RangeSpace') {
          const from = this.#expr(space.from, level, lastLineWidth(head) + 6);
          const op = space.inclusive ? ' ..= ' : ' ..< ';
          return [`${head}range ${from}${op}${this.#expr(space.to, level, lastLineWidth(head) + 6 + from.length + 5)}`];
        }
        const out = [`${head}grid {`];
        for (const axis of space.axes) this.#node(axis.span, level + 1, out, () => [this.#axis(axis, level + 1)]);
        this.#leading(space.span.end - 1, level + 1, out);
        out.push(`${pad}}`);
        return out;
      }
      case 'Function':
        return this.#function(item, level);
    }
  }

  #axis(axis: A.GridAxis, level: number): string {
    let text = `${ind(level)}${axis.name.name} from `;
    text += this.#expr(axis.from, level, lastLineWidth(text));
    text += ' to ';
    text += this.#expr(axis.to, level, lastLineWidth(text));
    if (axis.step) {
      text += ' step ';
      text += this.#expr(axis.step, level, lastLineWidth(text));
    }
    if (axis.count) {
      text += ' count ';
      text += this.#expr(axis.count, level, lastLineWidth(text));
    }
    if (axis.exclusive) text += ' exclusive';
    return text;
  }

  #function(f: A.FunctionDecl, level: number): string[] {
    const pad = ind(level);
    const keyword = f.role === 'fn' ? `fn ${f.name.name}` : f.role === 'mcu' ? `mcu ${f.name.name}` : f.role;
    const flatParams = f.params.map((p) => `${p.name.name}: ${this.#flatType(p.type)}`).join(', ');
    const result = this.#flatType(f.result);
    const paramsSpan: A.Span = { ...f.span, end: f.body.span.start };
    let head: string;
    if (!this.#hasCommentIn(paramsSpan) && pad.length + keyword.length + flatParams.length + result.length + 8 <= MAX_LINE_WIDTH) {
      head = `${pad}${keyword}(${flatParams}) -> ${result}`;
    } else {
      const lines = [`${pad}${keyword}(`];
      for (const p of f.params) {
        this.#node(p.span, level + 1, lines, () => {
          const start = `${ind(level + 1)}${p.name.name}: `;
          return [`${start}${this.#type(p.type, level + 1, start.length)},`];
        });
      }
      this.#leading(f.result.span.start, level + 1, lines);
      head = `${lines.join('\n')}\n${pad}) -> ${this.#type(f.result, level, pad.length + 5)}`;
    }
    return [`${head} ${this.#block(f.body, level)}`];
  }

  // --- statements ----------------------------------------------------------------------------

  /** `{ … }` with the statements at `level + 1`; the caller has printed what precedes it. */
  #block(block: A.Block, level: number): string {
    if (block.statements.length === 0 && !this.#hasCommentIn(block.span)) return '{}';
    const out: string[] = ['{'];
    this.#lastLine = block.span.line;
    for (const s of block.statements) this.#statement(s, level + 1, out);
    this.#leading(block.span.end - 1, level + 1, out);
    out.push(`${ind(level)}}`);
    this.#lastLine = block.span.endLine;
    return out.join('\n');
  }

  #statement(s: A.Stmt, level: number, out: string[]): void {
    this.#node(s.span, level, out, () => [this.#statementText(s, level)]);
  }

  #statementText(s: A.Stmt, level: number): string {
    const pad = ind(level);
    switch (s.kind) {
      case 'Let': {
        const type = s.type ? `: ${this.#type(s.type, level, pad.length + 6 + s.name.name.length)}` : '';
        const head = `${pad}${s.mutable ? 'var' : 'let'} ${s.name.name}${type} = `;
        return head + this.#expr(s.value, level, lastLineWidth(head));
      }
      case 'Assign': {
        const target = this.#expr(s.target, level, pad.length);
        const head = `${pad}${target} ${s.op} `;
        return head + this.#expr(s.value, level, lastLineWidth(head));
      }
      case 'IfStmt':
        return pad + this.#ifChain(s, level, pad.length);
      case 'ForRange': {
        let head = `${pad}for ${s.binding.name} in `;
        head += this.#expr(s.from, level, lastLineWidth(head));
        head += s.inclusive ? ' ..= ' : ' ..< ';
        head += this.#expr(s.to, level, lastLineWidth(head));
        if (s.max) head += ` max ${this.#expr(s.max, level, lastLineWidth(head) + 5)}`;
        return `${head} ${this.#block(s.body, level)}`;
      }
      case 'ForEach': {
        let head = `${pad}for ${s.binding.name} in `;
        head += this.#expr(s.iterable, level, lastLineWidth(head));
        if (s.max) head += ` max ${this.#expr(s.max, level, lastLineWidth(head) + 5)}`;
        return `${head} ${this.#block(s.body, level)}`;
      }
      case 'Break':
        return `${pad}break`;
      case 'Continue':
        return `${pad}continue`;
      case 'Return':
        return s.value ? `${pad}return ${this.#expr(s.value, level, pad.length + 7)}` : `${pad}return`;
      case 'ExprStmt':
        return pad + this.#expr(s.expr, level, pad.length);
    }
  }

  /** `if c { … } else if d { … } else { … }` for statements and multi-line `if` expressions. */
  #ifChain(s: A.IfStmt | A.IfExpr, level: number, column: number): string {
    let text = 'if ';
    text += this.#expr(s.condition, level, column + 3);
    text += ` ${this.#block(s.then, level)}`;
    const otherwise = s.else;
    if (otherwise === undefined) return text;
    if (otherwise.kind === 'Block') return `${text} else ${this.#block(otherwise, level)}`;
    return `${text} else ${this.#ifChain(otherwise, level, lastLineWidth(text) + 6)}`;
  }

  // --- expressions ---------------------------------------------------------------------------

  /**
   * An expression starting at `column` of a line whose statement is at `level`. Breakable
   * constructs are broken when their one-line form does not fit or holds a comment.
   */
  #expr(e: A.Expr, level: number, column: number): string {
    if (!this.#hasCommentIn(e.span)) {
      const flat = this.#flat(e);
      // NUL marks an `if` expression that cannot be written on one line.
      if (!flat.includes('\u0000') && column + flat.length <= MAX_LINE_WIDTH) return flat;
    }
    return this.#broken(e, level, column);
  }

  /** The multi-line form: lists one element per line; other nodes pass the break on to their children. */
  #broken(e: A.Expr, level: number, column: number): string {
    const pad = ind(level);
    const inner = level + 1;
    const elements = (open: string, close: string, items: readonly { span: A.Span; text: () => string }[], end: number): string => {
      const out = [open];
      this.#lastLine = Number.POSITIVE_INFINITY;
      for (const item of items) this.#node(item.span, inner, out, () => [`${ind(inner)}${item.text()},`]);
      this.#leading(end, inner, out);
      out.push(`${pad}${close}`);
      return out.join('\n');
    };
    switch (e.kind) {
      case 'Call':
        return elements(
          `${e.callee.name}(`,
          ')',
          e.args.map((a) => ({ span: a.span, text: () => this.#arg(a, inner) })),
          e.span.end - 1,
        );
      case 'Record':
        return elements(
          '{',
          '}',
          e.fields.map((f) => ({
            span: f.span,
            text: () => `${f.name.name}: ${this.#expr(f.value, inner, ind(inner).length + f.name.name.length + 2)}`,
          })),
          e.span.end - 1,
        );
      case 'List':
        return elements(
          '[',
          ']',
          e.elements.map((x) => ({ span: x.span, text: () => this.#expr(x, inner, ind(inner).length) })),
          e.span.end - 1,
        );
      case 'Tuple':
        return elements(
          '(',
          ')',
          e.elements.map((x) => ({ span: x.span, text: () => this.#expr(x, inner, ind(inner).length) })),
          e.span.end - 1,
        );
      case 'IfExpr':
        return this.#ifChain(e, level, column);
      case 'Lambda': {
        const head = `fn(${e.params.map((p) => this.#lambdaParam(p)).join(', ')}) => `;
        return head + this.#expr(e.body, level, column + head.length);
      }
      case 'Binary': {
        const left = this.#expr(e.left, level, column);
        const head = `${left} ${e.op} `;
        return head + this.#expr(e.right, level, lastLineWidth(head) + (head.includes('\n') ? 0 : column));
      }
      case 'Paren':
        return `(${this.#expr(e.expr, level, column + 1)})`;
      case 'Cast': {
        const inner2 = this.#expr(e.expr, level, column);
        return `${inner2} as ${this.#type(e.type, level, lastLineWidth(inner2) + 4)}`;
      }
      case 'Unary':
        return `${e.op}${this.#expr(e.operand, level, column + 1)}`;
      case 'Some':
        return `some(${this.#expr(e.value, level, column + 5)})`;
      case 'Field':
        return `${this.#expr(e.target, level, column)}.${e.field.name}`;
      case 'TupleIndex':
        return `${this.#expr(e.target, level, column)}.${e.index}`;
      case 'Index': {
        const target = this.#expr(e.target, level, column);
        return `${target}[${this.#expr(e.index, level, lastLineWidth(target) + 1)}]`;
      }
      case 'ArrayRepeat':
        return `[${this.#expr(e.value, level, column + 1)}; ${this.#flat(e.count)}]`;
      default:
        return this.#flat(e);
    }
  }

  #arg(a: A.Arg, level: number): string {
    const head = a.name ? `${a.name.name}: ` : '';
    return head + this.#expr(a.value, level, ind(level).length + head.length);
  }

  #lambdaParam(p: A.LambdaParam): string {
    return p.type ? `${p.name.name}: ${this.#flatType(p.type)}` : p.name.name;
  }

  /** The one-line form of an expression. */
  #flat(e: A.Expr): string {
    switch (e.kind) {
      case 'Int':
      case 'Float':
      case 'Imaginary':
      case 'Hex':
      case 'String':
        return e.raw;
      case 'Bool':
        return String(e.value);
      case 'None':
        return 'none';
      case 'Some':
        return `some(${this.#flat(e.value)})`;
      case 'Name':
        return e.name;
      case 'Unary':
        return `${e.op}${this.#flat(e.operand)}`;
      case 'Binary':
        return `${this.#flat(e.left)} ${e.op} ${this.#flat(e.right)}`;
      case 'Cast':
        return `${this.#flat(e.expr)} as ${this.#flatType(e.type)}`;
      case 'Call':
        return `${e.callee.name}(${e.args.map((a) => (a.name ? `${a.name.name}: ` : '') + this.#flat(a.value)).join(', ')})`;
      case 'Lambda':
        return `fn(${e.params.map((p) => this.#lambdaParam(p)).join(', ')}) => ${this.#flat(e.body)}`;
      case 'IfExpr':
        return this.#flatIf(e) ?? '\u0000';
      case 'Record':
        return e.fields.length === 0 ? '{}' : `{ ${e.fields.map((f) => `${f.name.name}: ${this.#flat(f.value)}`).join(', ')} }`;
      case 'Tuple':
        return `(${e.elements.map((x) => this.#flat(x)).join(', ')})`;
      case 'List':
        return `[${e.elements.map((x) => this.#flat(x)).join(', ')}]`;
      case 'ArrayRepeat':
        return `[${this.#flat(e.value)}; ${this.#flat(e.count)}]`;
      case 'Index':
        return `${this.#flat(e.target)}[${this.#flat(e.index)}]`;
      case 'Field':
        return `${this.#flat(e.target)}.${e.field.name}`;
      case 'TupleIndex':
        return `${this.#flat(e.target)}.${e.index}`;
      case 'Paren':
        return `(${this.#flat(e.expr)})`;
    }
  }

  /** `if c { a } else { b }` on one line when every branch is a single expression. */
  #flatIf(e: A.IfExpr): string | undefined {
    const single = (b: A.Block): string | undefined => {
      const only = b.statements[0];
      if (b.statements.length !== 1 || only === undefined || only.kind !== 'ExprStmt') return undefined;
      const text = this.#flat(only.expr);
      return text.includes('\u0000') ? undefined : `{ ${text} }`;
    };
    const then = single(e.then);
    if (then === undefined) return undefined;
    let text = `if ${this.#flat(e.condition)} ${then}`;
    if (e.else === undefined) return text;
    if (e.else.kind === 'Block') {
      const other = single(e.else);
      return other === undefined ? undefined : `${text} else ${other}`;
    }
    const rest = this.#flatIf(e.else);
    if (rest === undefined) return undefined;
    text += ` else ${rest}`;
    return text;
  }

  // --- types ---------------------------------------------------------------------------------

  #type(t: A.TypeExpr, level: number, column: number): string {
    if (t.kind !== 'RecordType') return this.#flatType(t);
    const flat = this.#flatType(t);
    if (!this.#hasCommentIn(t.span) && column + flat.length <= MAX_LINE_WIDTH) return flat;
    const inner = level + 1;
    const out = ['{'];
    this.#lastLine = Number.POSITIVE_INFINITY;
    for (const f of t.fields) {
      this.#node(f.span, inner, out, () => {
        const head = `${ind(inner)}${f.name.name}: `;
        return [`${head}${this.#type(f.type, inner, head.length)},`];
      });
    }
    this.#leading(t.span.end - 1, inner, out);
    out.push(`${ind(level)}}`);
    return out.join('\n');
  }

  #flatType(t: A.TypeExpr): string {
    switch (t.kind) {
      case 'NamedType':
        return t.name.name;
      case 'OptionType':
        return `option<${this.#flatType(t.inner)}>`;
      case 'ListType':
        return t.max ? `list<${this.#flatType(t.element)}, max ${this.#flat(t.max)}>` : `list<${this.#flatType(t.element)}>`;
      case 'BatchType':
        return `batch<${this.#flatType(t.element)}>`;
      case 'BytesType':
        return `bytes<${this.#flat(t.length)}>`;
      case 'ImageType':
        return `image<${t.format}>`;
      case 'ArrayType':
        return `[${this.#flatType(t.element)}; ${this.#flat(t.length)}]`;
      case 'TupleType':
        return `(${t.elements.map((x) => this.#flatType(x)).join(', ')})`;
      case 'RecordType':
        return t.fields.length === 0 ? '{}' : `{ ${t.fields.map((f) => `${f.name.name}: ${this.#flatType(f.type)}`).join(', ')} }`;
    }
  }
}
