/**
 * The Zi lexer: token types (chevrotain) and {@link lex}, which turns source text into tokens,
 * comments and lexical diagnostics without ever throwing.
 *
 * Keywords come in two kinds. *Hard* keywords (`let`, `if`, `fn`, …) can never be names.
 * *Soft* keywords (`count`, `step`, `range`, `input`, `render`, …) only mean something in one
 * place of the grammar; they belong to the `Identifier` token category, so anywhere a name is
 * expected they are accepted as names (`let count = 3` works).
 * @module
 */

import { createToken, type ILexingError, type IToken, Lexer, type TokenType } from 'chevrotain';
import type { Diagnostic } from './diagnostics.js';
import { LineIndex } from './diagnostics.js';

/** Names: letters, digits and `_`, not starting with a digit. */
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

const keywordTokens: TokenType[] = [];
const hardKeywordNames: string[] = [];
const softKeywordNames: string[] = [];

function keyword(word: string, soft: boolean): TokenType {
  const name = `${word[0]?.toUpperCase() ?? ''}${word.slice(1)}Kw`;
  const token = createToken({
    name,
    pattern: new RegExp(word),
    label: `\`${word}\``,
    longer_alt: Identifier,
    ...(soft ? { categories: [Identifier] } : {}),
  });
  keywordTokens.push(token);
  (soft ? softKeywordNames : hardKeywordNames).push(word);
  return token;
}

// Hard keywords.
/** The keyword `const`. */
export const Const = keyword('const', false);
/** The keyword `fn`. */
export const Fn = keyword('fn', false);
/** The keyword `let`. */
export const Let = keyword('let', false);
/** The keyword `var`. */
export const Var = keyword('var', false);
/** The keyword `if`. */
export const If = keyword('if', false);
/** The keyword `else`. */
export const Else = keyword('else', false);
/** The keyword `for`. */
export const For = keyword('for', false);
/** The keyword `in`. */
export const In = keyword('in', false);
/** The keyword `return`. */
export const Return = keyword('return', false);
/** The keyword `break`. */
export const Break = keyword('break', false);
/** The keyword `continue`. */
export const Continue = keyword('continue', false);
/** The keyword `as`. */
export const As = keyword('as', false);
/** The keyword `true`. */
export const True = keyword('true', false);
/** The keyword `false`. */
export const False = keyword('false', false);
/** The keyword `none`. */
export const None = keyword('none', false);
/** The keyword `some`. */
export const Some = keyword('some', false);

// Soft keywords (also names).
/** The soft keyword `contract`. */
export const ContractKw = keyword('contract', true);
/** The soft keyword `version`. */
export const Version = keyword('version', true);
/** The soft keyword `meta`. */
export const Meta = keyword('meta', true);
/** The soft keyword `price`. */
export const Price = keyword('price', true);
/** The soft keyword `per`. */
export const Per = keyword('per', true);
/** The soft keyword `mcu`. */
export const Mcu = keyword('mcu', true);
/** The soft keyword `type`. */
export const Type = keyword('type', true);
/** The soft keyword `input`. */
export const Input = keyword('input', true);
/** The soft keyword `over`. */
export const Over = keyword('over', true);
/** The soft keyword `grid`. */
export const Grid = keyword('grid', true);
/** The soft keyword `range`. */
export const Range = keyword('range', true);
/** The soft keyword `from`. */
export const From = keyword('from', true);
/** The soft keyword `to`. */
export const To = keyword('to', true);
/** The soft keyword `step`. */
export const Step = keyword('step', true);
/** The soft keyword `count`. */
export const Count = keyword('count', true);
/** The soft keyword `exclusive`. */
export const Exclusive = keyword('exclusive', true);
/** The soft keyword `max`. */
export const Max = keyword('max', true);
/** The soft keyword `union`. */
export const Union = keyword('union', true);
/** The soft keyword `validate`. */
export const Validate = keyword('validate', true);
/** The soft keyword `render`. */
export const Render = keyword('render', true);

/** Words that can never be used as names. */
export const HARD_KEYWORDS: readonly string[] = hardKeywordNames;
/** Words with a meaning in one place of the grammar that are names everywhere else. */
export const SOFT_KEYWORDS: readonly string[] = softKeywordNames;

const digitStart = /\d/;
// Numbers are lexed generously (any letters, digits, `_`, one fraction, signed exponents) and
// classified later, so `12ab` is one malformed number rather than a number and a name.
const numberBody = /\d(?:[eE][+-]\d|[0-9A-Za-z_])*(?:\.\d(?:[eE][+-]\d|[0-9A-Za-z_])*)?/y;
const digitsOnly = /\d[0-9A-Za-z_]*/y;

/**
 * Numeric literals of every form: `2000`, `10_000`, `0x3a5f`, `1.5`, `1e-3`, `2.0i`. After a `.`
 * only digits are taken, so `pair.0.1` is two tuple indices rather than `pair` `.` `0.1`.
 */
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: {
    exec: (text: string, offset: number, tokens: IToken[]) => {
      if (!digitStart.test(text[offset] ?? '')) return null;
      const previous = tokens[tokens.length - 1];
      const regex = previous !== undefined && previous.tokenType === Dot && previous.endOffset === offset - 1 ? digitsOnly : numberBody;
      regex.lastIndex = offset;
      const match = regex.exec(text);
      return match === null ? null : [match[0]];
    },
  },
  start_chars_hint: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  line_breaks: false,
});

/** A string literal with its quotes. */
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/ });
/** A string missing its closing quote on the same line. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/, group: 'invalid' });

/** `// …` to the end of the line. */
export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\n\r]*/, group: 'comments' });
/** `/* … *\/` (not nested). */
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, line_breaks: true, group: 'comments' });
/** `/*` without its `*\/`: everything to the end of the file. */
export const UnterminatedComment = createToken({
  name: 'UnterminatedComment',
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
  group: 'invalid',
});

/** Spaces, tabs and line breaks. */
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED, line_breaks: true });

function punct(name: string, text: string): TokenType {
  return createToken({ name, pattern: new RegExp(text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), label: `\`${text}\`` });
}

// Longer operators before their prefixes.
/** `..<` */
export const DotDotLess = punct('DotDotLess', '..<');
/** `..=` */
export const DotDotEq = punct('DotDotEq', '..=');
/** `<<=` */
export const LShiftEq = punct('LShiftEq', '<<=');
/** `++=` */
export const PlusPlusEq = punct('PlusPlusEq', '++=');
/** `==` */
export const EqEq = punct('EqEq', '==');
/** `!=` */
export const NotEq = punct('NotEq', '!=');
/** `<=` */
export const LessEq = punct('LessEq', '<=');
/** `>=`; `>>=` is lexed as `>` followed by `>=` (see {@link Greater}). */
export const GreaterEq = punct('GreaterEq', '>=');
/** `&&` */
export const AndAnd = punct('AndAnd', '&&');
/** `||` */
export const OrOr = punct('OrOr', '||');
/** `<<` */
export const LShift = punct('LShift', '<<');
/** `++` */
export const PlusPlus = punct('PlusPlus', '++');
/** `+=` */
export const PlusEq = punct('PlusEq', '+=');
/** `-=` */
export const MinusEq = punct('MinusEq', '-=');
/** `*=` */
export const StarEq = punct('StarEq', '*=');
/** `/=` */
export const SlashEq = punct('SlashEq', '/=');
/** `%=` */
export const PercentEq = punct('PercentEq', '%=');
/** `&=` */
export const AmpEq = punct('AmpEq', '&=');
/** `|=` */
export const PipeEq = punct('PipeEq', '|=');
/** `^=` */
export const CaretEq = punct('CaretEq', '^=');
/** `->` */
export const Arrow = punct('Arrow', '->');
/** `=>` */
export const FatArrow = punct('FatArrow', '=>');
/** `+` */
export const Plus = punct('Plus', '+');
/** `-` */
export const Minus = punct('Minus', '-');
/** `*` */
export const Star = punct('Star', '*');
/** `/` */
export const Slash = punct('Slash', '/');
/** `%` */
export const Percent = punct('Percent', '%');
/** `&` */
export const Amp = punct('Amp', '&');
/** `|` */
export const Pipe = punct('Pipe', '|');
/** `^` */
export const Caret = punct('Caret', '^');
/** `~` */
export const Tilde = punct('Tilde', '~');
/** `!` */
export const Bang = punct('Bang', '!');
/** `<` */
export const Less = punct('Less', '<');
/**
 * `>` is always a single token: `>>` (shift) and `>>=` are two adjacent tokens joined by the
 * parser, so `list<batch<T>>` closes two type argument lists.
 */
export const Greater = punct('Greater', '>');
/** `=` */
export const Equals = punct('Equals', '=');
/** `(` */
export const LParen = punct('LParen', '(');
/** `)` */
export const RParen = punct('RParen', ')');
/** `[` */
export const LBracket = punct('LBracket', '[');
/** `]` */
export const RBracket = punct('RBracket', ']');
/** `{` */
export const LCurly = punct('LCurly', '{');
/** `}` */
export const RCurly = punct('RCurly', '}');
/** `,` */
export const Comma = punct('Comma', ',');
/** `;` */
export const Semi = punct('Semi', ';');
/** `:` */
export const Colon = punct('Colon', ':');
/** `.` */
export const Dot = punct('Dot', '.');

/** Every token type, in the order the lexer tries them. */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  DotDotLess,
  DotDotEq,
  LShiftEq,
  PlusPlusEq,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  AndAnd,
  OrOr,
  LShift,
  PlusPlus,
  PlusEq,
  MinusEq,
  StarEq,
  SlashEq,
  PercentEq,
  AmpEq,
  PipeEq,
  CaretEq,
  Arrow,
  FatArrow,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Amp,
  Pipe,
  Caret,
  Tilde,
  Bang,
  Less,
  Greater,
  Equals,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Comma,
  Semi,
  Colon,
  Dot,
  // Longest first: `in` must not match the start of `input` before `input` is tried.
  ...[...keywordTokens].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length),
  Identifier,
];

let lexerInstance: Lexer | undefined;

/** The one lexer instance (built on first use: building it costs milliseconds). */
function lexer(): Lexer {
  lexerInstance ??= new Lexer([...ALL_TOKENS], {
    ensureOptimizations: true,
    positionTracking: 'full',
    // Diagnostics are rebuilt from the error offsets; chevrotain's own text is not shown.
    errorMessageProvider: {
      buildUnexpectedCharactersMessage: () => 'unexpected character',
      buildUnableToPopLexerModeMessage: () => 'unexpected end of lexer mode',
    },
  });
  return lexerInstance;
}

/** What {@link lex} returns. */
export interface LexResult {
  /** Tokens for the parser (no white space, no comments). */
  readonly tokens: IToken[];
  /** Comment tokens in source order. */
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Splits source text into tokens. Never throws; every problem becomes a diagnostic and lexing
 * carries on after it.
 */
export function lex(source: string, lines: LineIndex = new LineIndex(source)): LexResult {
  const result = lexer().tokenize(source);
  const diagnostics: Diagnostic[] = result.errors.map((e) => unexpectedCharacter(source, e, lines));
  const comments = result.groups.comments ?? [];
  let tokens = result.tokens;
  for (const bad of result.groups.invalid ?? []) {
    const span = lines.spanAt(bad.startOffset, bad.startOffset + bad.image.length);
    if (bad.tokenType === UnterminatedString) {
      // The parser sees a string here, so the rest of the file parses as if it were closed.
      tokens = insertToken(tokens, { ...bad, tokenType: StringLiteral, tokenTypeIdx: StringLiteral.tokenTypeIdx ?? bad.tokenTypeIdx });
      diagnostics.push({
        code: 'ZL0002',
        severity: 'error',
        message: 'this string has no closing `"`',
        span,
        spanLabel: 'the string starts here and runs to the end of the line',
        hint: 'strings end on the line where they start; add the closing `"`.',
      });
    } else {
      diagnostics.push({
        code: 'ZL0003',
        severity: 'error',
        message: 'this block comment has no closing `*/`',
        span: lines.spanAt(bad.startOffset, bad.startOffset + 2),
        spanLabel: 'the comment starts here and runs to the end of the file',
        hint: 'add `*/` where the comment should end. Block comments do not nest.',
      });
    }
  }
  return { tokens, comments, diagnostics };
}

function insertToken(tokens: IToken[], token: IToken): IToken[] {
  let at = tokens.length;
  while (at > 0 && (tokens[at - 1]?.startOffset ?? 0) > token.startOffset) at--;
  return [...tokens.slice(0, at), token, ...tokens.slice(at)];
}

function unexpectedCharacter(source: string, error: ILexingError, lines: LineIndex): Diagnostic {
  const text = source.slice(error.offset, error.offset + error.length);
  const first = String.fromCodePoint(text.codePointAt(0) ?? 0xfffd);
  const shown = describeCharacter(first);
  const many = [...text].length > 1;
  const hints: Record<string, string> = {
    "'": 'strings use double quotes: `"text"`.',
    '#': 'comments start with `//`.',
    '?': 'Zi has no `?` operator; use `if c { a } else { b }` for a choice.',
    '@': 'Zi has no annotations.',
    $: 'names are made of letters, digits and `_`.',
    '`': 'strings use double quotes: `"text"`.',
  };
  return {
    code: 'ZL0001',
    severity: 'error',
    message: many ? `unexpected characters starting with ${shown}` : `unexpected character ${shown}`,
    span: lines.spanAt(error.offset, error.offset + error.length),
    spanLabel: many ? 'Zi does not understand these characters' : 'Zi does not understand this character',
    hint: hints[first] ?? 'remove it, or put it inside a string or a comment.',
  };
}

/** A character as shown in a message: printable ones in backquotes, others by code point. */
export function describeCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0xfeff || (code >= 0xd800 && code <= 0xdfff)) return hex;
  return `\`${ch}\` (${hex})`;
}
