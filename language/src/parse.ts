/**
 * `parse`: source text → AST and diagnostics. Never throws on any source text.
 * @module
 */

import { EOF } from 'chevrotain';
import type { Contract } from './ast.js';
import { cstToAst, MissingPartError } from './cst-to-ast.js';
import type { ContractCstNode } from './cst-types.js';
import { compareDiagnostics, type Diagnostic, hasErrors, LineIndex } from './diagnostics.js';
import { lex } from './lexer.js';
import { MAX_NESTING, NestingTooDeepError, TooManyErrorsError, ziParser } from './parser.js';
import { isLikelyCascade, syntaxDiagnostic } from './syntax-errors.js';
import { treeDepth } from './walk.js';

/** The deepest AST `parse` hands on (long operator chains nest without brackets). */
export const MAX_AST_DEPTH = 1000;

/** At most this many syntax diagnostics are reported for one file; the rest are summarised. */
export const MAX_SYNTAX_DIAGNOSTICS = 25;

/** What {@link parse} returns. */
export interface ParseResult {
  /** The contract, when the source has no errors (warnings allowed); otherwise `undefined`. */
  readonly ast: Contract | undefined;
  /** Every problem found, in source order. */
  readonly diagnostics: Diagnostic[];
}

/**
 * Parses one Zi source file. Lexer, parser and syntax-rule problems all come back as
 * diagnostics; one mistake does not hide the others (the parser recovers and carries on).
 *
 * @param source the text of the file
 * @param file the file name, used only in the text of an internal-error diagnostic
 * @example
 * ```ts
 * const { ast, diagnostics } = parse('contract C version 1 { price 1 li per mcu }', 'c.zi');
 * ast?.items[0]?.kind; // 'Price'
 * diagnostics.length; // 0
 * ```
 */
export function parse(source: string, file = 'contract.zi'): ParseResult {
  if (typeof source !== 'string') throw new TypeError(`parse: source must be a string, got ${typeof source}`);
  try {
    return parseUnguarded(source);
  } catch (error) {
    return { ast: undefined, diagnostics: [internalError(source, file, error)] };
  }
}

function parseUnguarded(source: string): ParseResult {
  const lines = new LineIndex(source);
  const lexed = lex(source, lines);
  const diagnostics: Diagnostic[] = [...lexed.diagnostics];
  const parser = ziParser();
  parser.load(lexed.tokens);

  let cst: ContractCstNode | undefined;
  let gaveUp = false;
  try {
    cst = parser.contract() as ContractCstNode;
  } catch (error) {
    if (error instanceof TooManyErrorsError) gaveUp = true;
    else if (error instanceof NestingTooDeepError) {
      const token = error.token;
      const at = Number.isNaN(token.startOffset) ? source.length : token.startOffset;
      diagnostics.push({
        code: 'ZL0111',
        severity: 'error',
        message: 'the code nests too deeply here',
        span: lines.spanAt(at, at + (token.image?.length ?? 0)),
        hint: `blocks, brackets, types and \`else if\` chains may nest at most ${MAX_NESTING} levels. Split the code into helper functions or constants.`,
      });
      return finish(undefined, diagnostics);
    } else throw error;
  }

  const syntaxErrors = parser.errors;
  // Recovery sometimes trips over the rest of a broken line or reports the same spot twice: show
  // the first error of each line, and errors that usually follow from an earlier one only when
  // they come first.
  // Lines with a lexical error get no syntax error on top: the parser only saw what was left.
  const seenLines = new Set<number>(lexed.diagnostics.map((d) => d.span.line));
  const openComment = lexed.diagnostics.some((d) => d.code === 'ZL0003');
  let shown = 0;
  for (const error of syntaxErrors) {
    // An unclosed comment swallows the rest of the file: "the file ends too early" adds nothing.
    if (openComment && (error.token.tokenType === EOF || Number.isNaN(error.token.startOffset))) continue;
    const diagnostic = syntaxDiagnostic(error, { tokens: lexed.tokens, lines, sourceLength: source.length });
    // A misspelled declaration keyword is its own mistake even after another one.
    if (shown > 0 && isLikelyCascade(error) && diagnostic.code !== 'ZL0104') continue;
    if (seenLines.has(diagnostic.span.line)) continue;
    seenLines.add(diagnostic.span.line);
    shown++;
    if (shown > MAX_SYNTAX_DIAGNOSTICS) {
      const offset = diagnostic.span.start;
      diagnostics.push({
        code: 'ZL0117',
        severity: 'note',
        message: `more syntax errors follow; only the first ${MAX_SYNTAX_DIAGNOSTICS} are shown`,
        span: lines.spanAt(offset, offset),
        hint: 'fix the errors above first; later ones are often caused by them.',
      });
      break;
    }
    diagnostics.push(diagnostic);
  }

  if (gaveUp && shown <= MAX_SYNTAX_DIAGNOSTICS) {
    diagnostics.push({
      code: 'ZL0117',
      severity: 'note',
      message: 'too many syntax errors; the parser stopped here',
      span: lines.spanAt(source.length, source.length),
      hint: 'fix the errors above first; later ones are often caused by them.',
    });
  }

  let ast: Contract | undefined;
  if (cst !== undefined && cst.children !== undefined) {
    const converted: Diagnostic[] = [];
    try {
      ast = cstToAst(cst, { lines, comments: lexed.comments, tolerant: syntaxErrors.length > 0 }, converted);
    } catch (error) {
      // After syntax errors the tree may have holes; the diagnostics found so far stand.
      if (!(error instanceof MissingPartError) || syntaxErrors.length === 0) throw error;
    }
    // Next to a syntax error the tree is partly guesswork: keep one diagnostic per line there.
    for (const d of converted) {
      if (syntaxErrors.length > 0 && seenLines.has(d.span.line)) continue;
      if (syntaxErrors.length > 0) seenLines.add(d.span.line);
      diagnostics.push(d);
    }
  }

  if (ast !== undefined && !hasErrors(diagnostics)) {
    const depth = treeDepth(ast);
    if (depth > MAX_AST_DEPTH) {
      diagnostics.push({
        code: 'ZL0111',
        severity: 'error',
        message: `this contract nests ${depth} levels deep, more than the ${MAX_AST_DEPTH} allowed`,
        span: ast.span,
        hint: 'very long operator chains nest too; split them with `let` or helper functions.',
      });
    }
  }
  return finish(ast, diagnostics);
}

function finish(ast: Contract | undefined, diagnostics: Diagnostic[]): ParseResult {
  diagnostics.sort(compareDiagnostics);
  return { ast: hasErrors(diagnostics) ? undefined : ast, diagnostics };
}

function internalError(source: string, file: string, error: unknown): Diagnostic {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const lines = new LineIndex(source);
  return {
    code: 'ZL9001',
    severity: 'error',
    message: `internal error in the Zi parser while reading ${file}: ${what}`,
    span: lines.spanAt(0, 0),
    hint: 'this is a bug in Zi, not in your contract. Please report it with the file that caused it.',
  };
}
