/**
 * Turns chevrotain's recognition errors into Zi diagnostics written for people: what was
 * expected in words ("an expression", "a type"), where an unclosed bracket was opened, and
 * "did you mean" for misspelled keywords, instead of "Expecting token of type …".
 * @module
 */

import { EOF, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import { FOREIGN_WORDS } from './cst-to-ast.js';
import type { Diagnostic, Label, LineIndex, Span } from './diagnostics.js';
import * as T from './lexer.js';
import type { SyntaxErrorInfo } from './parser.js';
import { suggest } from './suggest.js';

const OPENERS: Readonly<Record<string, string>> = { LParen: 'RParen', LBracket: 'RBracket', LCurly: 'RCurly' };
const CLOSERS: Readonly<Record<string, string>> = { RParen: 'LParen', RBracket: 'LBracket', RCurly: 'LCurly' };

const EXPRESSION_START = [
  'NumberLiteral',
  'StringLiteral',
  'TrueKw',
  'FalseKw',
  'NoneKw',
  'SomeKw',
  'Identifier',
  'LParen',
  'LBracket',
  'LCurly',
  'IfKw',
  'FnKw',
  'Minus',
  'Bang',
  'Tilde',
];
const STATEMENT_START = ['LetKw', 'VarKw', 'IfKw', 'ForKw', 'BreakKw', 'ContinueKw', 'ReturnKw', ...EXPRESSION_START];
const ITEM_START = ['MetaKw', 'PriceKw', 'ConstKw', 'TypeKw', 'InputKw', 'FnKw', 'McuKw', 'UnionKw', 'ValidateKw', 'RenderKw'];
const TYPE_START = ['Identifier', 'LBracket', 'LParen', 'LCurly'];
const TYPE_RULES = new Set(['type', 'typeArg', 'arrayType', 'tupleType', 'recordType', 'fieldType', 'param', 'functionDecl']);

const tokenTypesByName = new Map<string, TokenType>(T.ALL_TOKENS.map((t) => [t.name, t]));

/** How a token type is named in a message. */
function describeTokenType(name: string): string {
  if (name === 'Identifier') return 'a name';
  if (name === 'NumberLiteral') return 'a number';
  if (name === 'StringLiteral') return 'a string';
  const label = tokenTypesByName.get(name)?.LABEL;
  return label ?? name;
}

/** "A", "A or B", "A, B or C". */
function oneOf(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? 'something else';
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

/** What the parser wanted, in words. */
export function describeExpected(expected: readonly string[], rule: string): string {
  const remaining = new Set(expected);
  const parts: string[] = [];
  const take = (names: readonly string[]): void => {
    for (const n of names) remaining.delete(n);
  };
  if (remaining.has('ConstKw') && remaining.has('McuKw')) {
    parts.push('a declaration (`const`, `type`, `input`, `fn`, `mcu`, …)');
    take(ITEM_START);
  }
  if (remaining.has('LetKw') && remaining.has('ReturnKw')) {
    parts.push('a statement');
    take(STATEMENT_START);
  } else if (remaining.has('NumberLiteral') && remaining.has('StringLiteral') && remaining.has('LParen')) {
    parts.push('an expression');
    take(EXPRESSION_START);
  } else if (TYPE_RULES.has(rule) && TYPE_START.every((n) => remaining.has(n))) {
    parts.push('a type');
    take(TYPE_START);
  }
  for (const name of remaining) parts.push(describeTokenType(name));
  return oneOf(parts);
}

/** How the token actually found is named in a message. */
export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the file';
  const name = token.tokenType.name;
  if (name === 'StringLiteral') return 'a string';
  if (name === 'NumberLiteral') return `the number \`${token.image}\``;
  if (T.HARD_KEYWORDS.includes(token.image) && name.endsWith('Kw')) return `the keyword \`${token.image}\``;
  return `\`${token.image}\``;
}

function decodeInfo(error: IRecognitionException): SyntaxErrorInfo {
  try {
    const parsed: unknown = JSON.parse(error.message);
    if (typeof parsed === 'object' && parsed !== null && 'kind' in parsed && 'expected' in parsed && 'rule' in parsed) {
      return parsed as SyntaxErrorInfo;
    }
  } catch {
    // Not one of ours: fall through to a generic description.
  }
  return { kind: 'noViableAlt', expected: [], rule: error.context?.ruleStack?.[error.context.ruleStack.length - 1] ?? '' };
}

/** Index of the first token at or after `offset` (tokens are sorted by offset). */
function tokenIndexAt(tokens: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid]?.startOffset ?? 0) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The innermost bracket opened before `index` and not closed before it; of kind `want` if given. */
function unclosedOpener(tokens: readonly IToken[], index: number, want?: string): IToken | undefined {
  const pending: string[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const token = tokens[i];
    if (token === undefined) continue;
    const name = token.tokenType.name;
    if (CLOSERS[name] !== undefined) pending.push(name);
    else if (OPENERS[name] !== undefined) {
      const closer = pending[pending.length - 1];
      if (closer !== undefined && CLOSERS[closer] === name) pending.pop();
      else if (closer === undefined && (want === undefined || want === name)) return token;
      // A mismatched pair (an error reported elsewhere): keep looking outwards.
    }
  }
  return undefined;
}

function bracketWhat(opener: IToken, tokens: readonly IToken[], index: number): string {
  if (opener.tokenType.name !== 'LCurly') return `the \`${opener.image}\``;
  const before = tokens[index - 1];
  const name = before?.tokenType.name ?? '';
  if (name === 'NumberLiteral' && tokens[index - 2]?.tokenType.name === 'VersionKw') return 'the contract';
  // After a value-expecting token a `{` opens a record; otherwise a block (or a declaration body).
  const recordAfter = new Set(['Equals', 'LParen', 'Comma', 'Colon', 'ReturnKw', 'FatArrow', 'LBracket', 'Arrow']);
  return recordAfter.has(name) ? 'the record' : 'the block';
}

/** Context-specific advice, keyed by rule and what was expected. */
function hintFor(info: SyntaxErrorInfo, actual: IToken): string | undefined {
  const expected = new Set(info.expected);
  const image = actual.tokenType === EOF ? '' : actual.image;
  if (expected.has('Identifier') && !expected.has('NumberLiteral') && T.HARD_KEYWORDS.includes(image))
    return `\`${image}\` is a keyword and cannot be used as a name; choose another name.`;
  if (image === '=' && (info.rule === 'ifStmt' || info.rule === 'ifExpr' || info.rule === 'block'))
    return 'to compare two values, use `==`.';
  switch (info.rule) {
    case 'item':
      return 'a contract holds `meta`, `price`, `const`, `type`, `input`, `fn`, `mcu`, `union`, `validate` and `render` declarations; statements belong inside a function body.';
    case 'functionDecl':
      if (expected.has('Arrow')) return 'declare the result type after `->`: `fn double(x: u32) -> u32 { return x * 2 }`.';
      return 'functions are written `fn name(x: u32) -> u32 { … }`.';
    case 'param':
      return 'each parameter needs a type: `x: u32`.';
    case 'letStmt':
      if (expected.has('Equals')) return 'variables start with a value: `let x = 0` or `var total: u32 = 0`.';
      return undefined;
    case 'forStmt':
      return 'loops are written `for i in 0 ..< n { … }` or `for x in list { … }`.';
    case 'priceDecl':
      return 'write the price as `price 10 li per mcu` or `price 0.5 zi per mcu`.';
    case 'inputDecl':
      return 'declare the input space: `input n: u53 over range 0 ..< 1000` or `input c: complex over grid { … }`.';
    case 'rangeSpace':
      return 'a range is `a ..< b` (without b) or `a ..= b` (with b).';
    case 'gridAxis':
      return 'a grid axis is written `re from -2.0 to 2.0 step 0.01`, optionally followed by `exclusive`.';
    case 'metaEntry':
      return 'meta entries are written `key = value`, e.g. `title = "Mandelbrot"`.';
    case 'contract':
      if (expected.has('ContractKw')) return undefined;
      return 'a contract starts with `contract Name version 1 {`.';
    default:
      return undefined;
  }
}

/** Inputs of {@link syntaxDiagnostic}. */
export interface SyntaxErrorContext {
  readonly tokens: readonly IToken[];
  readonly lines: LineIndex;
  readonly sourceLength: number;
}

/**
 * True for errors that usually follow from an earlier one: text after the contract's end, or a
 * token at the contract's top level that cannot start a declaration (after recovery lost track of
 * a function body).
 */
export function isLikelyCascade(error: IRecognitionException): boolean {
  const info = decodeInfo(error);
  return info.kind === 'notAllInput' || (info.rule === 'contract' && info.expected.includes('RCurly'));
}

/** One chevrotain recognition error as a diagnostic. */
export function syntaxDiagnostic(error: IRecognitionException, ctx: SyntaxErrorContext): Diagnostic {
  const { tokens, lines } = ctx;
  const info = decodeInfo(error);
  const actual = error.token;
  const atEnd = actual.tokenType === EOF || Number.isNaN(actual.startOffset);
  const index = atEnd ? tokens.length : tokenIndexAt(tokens, actual.startOffset);
  const previous = tokens[index - 1];
  const actualSpan = atEnd
    ? lines.spanAt(ctx.sourceLength, ctx.sourceLength)
    : lines.spanAt(actual.startOffset, actual.startOffset + actual.image.length);
  // When the token found is on a later line, the mistake is a missing piece after the previous token.
  const previousEnd =
    previous === undefined
      ? undefined
      : lines.spanAt(previous.startOffset + previous.image.length, previous.startOffset + previous.image.length);
  const missingSpan = previousEnd !== undefined && (atEnd || actual.startLine !== previous?.endLine) ? previousEnd : actualSpan;
  const expected = new Set(info.expected);

  if (info.kind === 'notAllInput') {
    const closing = previous;
    const labels: Label[] =
      closing === undefined
        ? []
        : [{ span: lines.spanAt(closing.startOffset, closing.startOffset + 1), message: 'the contract ends here' }];
    return {
      code: 'ZL0112',
      severity: 'error',
      message: `found ${describeToken(actual)} after the end of the contract`,
      span: actualSpan,
      spanLabel: 'this is outside the contract',
      labels,
      hint: 'a file holds one contract and everything belongs inside its `{ … }`. An extra `}` above may have closed the contract too early.',
    };
  }

  if (index === 0 && expected.has('ContractKw')) {
    return {
      code: 'ZL0118',
      severity: 'error',
      message: atEnd ? 'the file is empty' : `a Zi file starts with \`contract\`, not ${describeToken(actual)}`,
      span: actualSpan,
      hint: 'start with `contract Name version 1 {` and end with `}`; everything else goes between them.',
    };
  }

  // `while x > 1 {`: a word from another language starting the line explains what follows.
  const lineStart = firstTokenOfLine(tokens, atEnd ? index - 1 : index);
  const foreignToken = lineStart === undefined ? undefined : tokens[lineStart];
  if (foreignToken !== undefined && foreignToken.tokenType === T.Identifier && FOREIGN_WORDS[foreignToken.image] !== undefined) {
    const foreign = FOREIGN_WORDS[foreignToken.image];
    const span = lines.spanAt(foreignToken.startOffset, foreignToken.startOffset + foreignToken.image.length);
    return {
      code: 'ZL0104',
      severity: 'error',
      message: `\`${foreignToken.image}\` is not a Zi keyword`,
      span,
      hint: foreign?.hint ?? '',
      ...(foreign?.use === undefined ? {} : { fix: { span, replacement: foreign.use } }),
    };
  }

  // Inside a list of declarations, statements, entries or axes, a token that cannot start one
  // is rarely a missing `}`.
  const body = BODY_RULES[info.rule];
  if (body !== undefined && expected.has('RCurly') && !atEnd && CLOSERS[actual.tokenType.name] === undefined) {
    if (actual.tokenType === T.Identifier && body.keywords.length > 0) {
      const foreign = FOREIGN_WORDS[actual.image];
      if (foreign?.use !== undefined && body.keywords.includes(foreign.use))
        return misspelled(actual, actualSpan, foreign.use, foreign.hint);
      const close = suggest(actual.image, body.keywords);
      if (close !== undefined) return misspelled(actual, actualSpan, close, `\`${close}\` starts a declaration here.`);
    }
    const hint = hintFor({ ...info, rule: body.hintRule }, actual);
    return {
      code: 'ZL0101',
      severity: 'error',
      message: `expected ${body.what} or \`}\`, found ${describeToken(actual)}`,
      span: actualSpan,
      spanLabel: `expected ${body.what} or \`}\``,
      ...(hint === undefined ? {} : { hint }),
    };
  }

  const closers = info.expected.filter((n) => CLOSERS[n] !== undefined);
  const closerFound = CLOSERS[actual.tokenType.name] !== undefined;
  const onlyCloser = info.kind === 'mismatch' && closers.length === 1;
  if (closers.length > 0 && (onlyCloser || atEnd || closerFound)) {
    for (const closer of closers) {
      const openerName = CLOSERS[closer] as string;
      const opener = unclosedOpener(tokens, index, openerName);
      if (opener === undefined) continue;
      const closeText = describeTokenType(closer);
      const openerIndex = tokenIndexAt(tokens, opener.startOffset);
      const what = bracketWhat(opener, tokens, openerIndex);
      const at = `${opener.startLine ?? 0}:${opener.startColumn ?? 0}`;
      const openerSpan = lines.spanAt(opener.startOffset, opener.startOffset + 1);
      if (closerFound && actual.tokenType.name !== closer) {
        return {
          code: 'ZL0103',
          severity: 'error',
          message: `expected ${closeText} to close ${what} opened at ${at}, found ${describeToken(actual)}`,
          span: actualSpan,
          spanLabel: `this does not match the \`${opener.image}\``,
          labels: [{ span: openerSpan, message: `${what.replace(/^the /, 'this ')} is still open` }],
          hint: `close the \`${opener.image}\` with ${closeText} first, or remove the stray ${describeToken(actual)}.`,
        };
      }
      const labels: Label[] = [{ span: openerSpan, message: `${what.replace(/^the /, 'this ')} is never closed` }];
      const suspect = openerName === 'LCurly' ? misindentedOpener(tokens, openerIndex, index) : undefined;
      if (suspect !== undefined) {
        labels.push({
          span: lines.spanAt(suspect.opener.startOffset, suspect.opener.startOffset + 1),
          message: `perhaps this \`{\` is the one missing its \`}\`: the \`}\` on line ${suspect.closer.startLine ?? 0} lines up with an outer block`,
        });
      }
      return {
        code: 'ZL0102',
        severity: 'error',
        message: `expected ${closeText} to close ${what} opened at ${at}`,
        span: missingSpan,
        spanLabel: atEnd ? `the file ends before ${what} is closed` : `expected ${closeText} here`,
        labels,
        hint: `every \`${opener.image}\` needs a matching ${closeText}; add it where ${what.replace(/^the /, 'the ')} should end.`,
      };
    }
  }

  // A plain name where a keyword was expected: probably a misspelling.
  if (actual.tokenType === T.Identifier) {
    const keywords = info.expected
      .map((n) => tokenTypesByName.get(n))
      .filter((t): t is TokenType => t?.name.endsWith('Kw') === true)
      .map((t) => String(t.PATTERN).slice(1, -1));
    const foreign = FOREIGN_WORDS[actual.image];
    const close = suggest(actual.image, keywords);
    if (foreign?.use !== undefined && keywords.includes(foreign.use.split(' ')[0] ?? '')) {
      return misspelled(actual, actualSpan, foreign.use, foreign.hint);
    }
    if (close !== undefined) return misspelled(actual, actualSpan, close, `\`${close}\` is expected here.`);
  }

  const phrase = describeExpected(info.expected, info.rule);
  let hint = hintFor(info, actual);
  if (hint === undefined && phrase.startsWith('an expression') && previous !== undefined && OPERATOR_TOKENS.has(previous.tokenType.name)) {
    hint = `\`${previous.image}\` on line ${previous.startLine ?? 0} needs a value after it.`;
  }
  return {
    code: 'ZL0101',
    severity: 'error',
    message: `expected ${phrase}, found ${describeToken(actual)}`,
    span: missingSpan,
    spanLabel: missingSpan === actualSpan ? `expected ${phrase}` : `expected ${phrase} after this`,
    ...(hint === undefined ? {} : { hint }),
  };
}

const OPERATOR_TOKENS = new Set([
  'OrOr',
  'AndAnd',
  'EqEq',
  'NotEq',
  'Less',
  'LessEq',
  'Greater',
  'GreaterEq',
  'Pipe',
  'Caret',
  'Amp',
  'LShift',
  'PlusPlus',
  'Plus',
  'Minus',
  'Star',
  'Slash',
  'Percent',
  'Equals',
  'PlusEq',
  'MinusEq',
  'StarEq',
  'SlashEq',
  'PercentEq',
  'AmpEq',
  'PipeEq',
  'CaretEq',
  'LShiftEq',
  'PlusPlusEq',
  'FatArrow',
]);

/** Rules that hold a list of things up to a `}`: what the list holds, for messages. */
const BODY_RULES: Readonly<Record<string, { what: string; keywords: readonly string[]; hintRule: string }>> = {
  contract: {
    what: 'a declaration',
    keywords: ['meta', 'price', 'const', 'type', 'input', 'fn', 'mcu', 'union', 'validate', 'render'],
    hintRule: 'item',
  },
  block: { what: 'a statement', keywords: [], hintRule: 'block' },
  metaDecl: { what: 'a `key = value` entry', keywords: [], hintRule: 'metaEntry' },
  gridSpace: { what: 'a grid axis', keywords: [], hintRule: 'gridAxis' },
};

/** Index of the first token on the line of `tokens[index]`. */
function firstTokenOfLine(tokens: readonly IToken[], index: number): number | undefined {
  const token = tokens[index];
  if (token === undefined) return undefined;
  let i = index;
  while (i > 0 && tokens[i - 1]?.startLine === token.startLine) i--;
  return i;
}

/**
 * Inside the braces from `from` to `to`, the first `{ … }` pair whose `}` starts a line at a
 * different indentation than the line of its `{`: the likeliest place of a missing `}`.
 */
function misindentedOpener(tokens: readonly IToken[], from: number, to: number): { opener: IToken; closer: IToken } | undefined {
  const open: number[] = [];
  let best: { opener: IToken; closer: IToken; at: number } | undefined;
  for (let i = from + 1; i < to; i++) {
    const token = tokens[i];
    if (token === undefined) continue;
    if (token.tokenType === T.LCurly) open.push(i);
    else if (token.tokenType === T.RCurly) {
      const o = open.pop();
      if (o === undefined) continue;
      const opener = tokens[o];
      const previous = tokens[i - 1];
      const lineStart = tokens[firstTokenOfLine(tokens, o) ?? o];
      if (opener === undefined || previous === undefined || lineStart === undefined) continue;
      const closerStartsLine = previous.startLine !== token.startLine;
      // The first pair closed (the innermost) is where the braces started to drift.
      if (closerStartsLine && token.startColumn !== lineStart.startColumn && best === undefined) best = { opener, closer: token, at: o };
    }
  }
  return best === undefined ? undefined : { opener: best.opener, closer: best.closer };
}

function misspelled(actual: IToken, span: Span, keyword: string, hint: string): Diagnostic {
  return {
    code: 'ZL0104',
    severity: 'error',
    message: `unknown keyword \`${actual.image}\`; did you mean \`${keyword}\`?`,
    span,
    spanLabel: `did you mean \`${keyword}\`?`,
    hint,
    fix: { span, replacement: keyword },
  };
}
