/**
 * The Zi grammar as a chevrotain `CstParser`. It builds a concrete syntax tree; `cst-to-ast.ts`
 * turns that into the AST, and `parse.ts` ties lexer, parser, conversion and diagnostics
 * together. One parser instance is built on first use and reused (building it costs far more
 * than parsing a file).
 *
 * Grammar notes (see the language README for the reference):
 * - Binary operators are parsed as a flat `operand (op operand)*` list and grouped by precedence
 *   in the AST conversion: fewer rules, less recursion, and the precedence table in one place.
 * - `>` is always one token. `>>` is two adjacent `>` and `>>=` is `>` followed by `>=`, so that
 *   `list<batch<T>>` closes two type argument lists.
 * - A call `f(…)` or an index `a[…]` must start on the line where `f`/`a` ends, and the value of
 *   `return` must start on the line of `return`: a line starting with `(` or `[` begins a new
 *   statement, and a bare `return` at the end of a line returns nothing.
 * - Nesting (blocks, brackets, types, `if` chains) is capped at {@link MAX_NESTING} so that no
 *   input can overflow the stack.
 * @module
 */

import { CstParser, type IToken, type TokenType, tokenMatcher } from 'chevrotain';
import * as T from './lexer.js';

/** How deep blocks, brackets, types and `else if` chains may nest. */
export const MAX_NESTING = 128;

/** Thrown (and caught by `parse`) when input nests deeper than {@link MAX_NESTING}. */
export class NestingTooDeepError extends Error {
  /** The token at which the limit was reached. */
  readonly token: IToken;
  constructor(token: IToken) {
    super('nesting too deep');
    this.name = 'NestingTooDeepError';
    this.token = token;
  }
}

/** Generic type constructors: only these names take `<…>` after `as` (so `x as u8 < y` compares). */
export const GENERIC_TYPE_NAMES: ReadonlySet<string> = new Set(['list', 'option', 'batch', 'bytes', 'image']);

/**
 * The structured payload of a chevrotain error, encoded in its message by our error message
 * provider and decoded by `parse` to write a friendly diagnostic.
 */
export interface SyntaxErrorInfo {
  readonly kind: 'mismatch' | 'noViableAlt' | 'earlyExit' | 'notAllInput';
  /** Names of the token types that would have been accepted. */
  readonly expected: readonly string[];
  /** The rule in which the error happened. */
  readonly rule: string;
}

function firstTokens(paths: readonly (readonly TokenType[])[]): string[] {
  const names = new Set<string>();
  for (const path of paths) {
    const first = path[0];
    if (first !== undefined) names.add(first.name);
  }
  return [...names];
}

/** After this many syntax errors in one file the parser gives up (recovery can cost O(n) each). */
export const MAX_PARSER_ERRORS = 100;

/** Thrown (and caught by `parse`) when a file has more than {@link MAX_PARSER_ERRORS} syntax errors. */
export class TooManyErrorsError extends Error {
  constructor() {
    super('too many syntax errors');
    this.name = 'TooManyErrorsError';
  }
}

let errorsThisParse = 0;

function counted(message: string): string {
  errorsThisParse++;
  if (errorsThisParse > MAX_PARSER_ERRORS) throw new TooManyErrorsError();
  return message;
}

const errorMessageProvider = {
  buildMismatchTokenMessage: (o: { expected: TokenType; ruleName: string }): string =>
    counted(JSON.stringify({ kind: 'mismatch', expected: [o.expected.name], rule: o.ruleName } satisfies SyntaxErrorInfo)),
  buildNotAllInputParsedMessage: (o: { ruleName: string }): string =>
    counted(JSON.stringify({ kind: 'notAllInput', expected: [], rule: o.ruleName } satisfies SyntaxErrorInfo)),
  buildNoViableAltMessage: (o: { expectedPathsPerAlt: TokenType[][][]; ruleName: string }): string =>
    counted(
      JSON.stringify({
        kind: 'noViableAlt',
        expected: firstTokens(o.expectedPathsPerAlt.flat()),
        rule: o.ruleName,
      } satisfies SyntaxErrorInfo),
    ),
  buildEarlyExitMessage: (o: { expectedIterationPaths: TokenType[][]; ruleName: string }): string =>
    counted(
      JSON.stringify({ kind: 'earlyExit', expected: firstTokens(o.expectedIterationPaths), rule: o.ruleName } satisfies SyntaxErrorInfo),
    ),
};

/** The Zi grammar. Use {@link ziParser} rather than building new instances. */
export class ZiParser extends CstParser {
  #depth = 0;

  constructor() {
    super([...T.ALL_TOKENS], { recoveryEnabled: true, nodeLocationTracking: 'onlyOffset', maxLookahead: 3, errorMessageProvider });
    this.performSelfAnalysis();
  }

  /** Sets the tokens to parse and resets per-parse state; call before each parse. */
  load(tokens: IToken[]): void {
    this.#depth = 0;
    errorsThisParse = 0;
    this.input = tokens;
  }

  #enter(): void {
    this.ACTION(() => {
      this.#depth++;
      if (this.#depth > MAX_NESTING) throw new NestingTooDeepError(this.LA(1));
    });
  }

  #leave(): void {
    this.ACTION(() => {
      this.#depth--;
    });
  }

  /** True when the next token starts on the line where the previous one ends. */
  #sameLine(): boolean {
    const previous = this.LA(0);
    const next = this.LA(1);
    return next.startLine === previous.endLine;
  }

  /** True when the next tokens, at the start of a line, look like a contract declaration. */
  #startsDeclaration(): boolean {
    const [a, b, c] = [this.LA(1), this.LA(2), this.LA(3)];
    if (a.startLine === this.LA(0).endLine) return false;
    switch (a.tokenType) {
      case T.Mcu:
        return tokenMatcher(b, T.Identifier) && c.tokenType === T.LParen;
      case T.Union:
      case T.Validate:
      case T.Render:
        return b.tokenType === T.LParen && tokenMatcher(c, T.Identifier);
      case T.Meta:
        return b.tokenType === T.LCurly;
      case T.Price:
        return b.tokenType === T.NumberLiteral;
      case T.Type:
        return tokenMatcher(b, T.Identifier) && c.tokenType === T.Equals;
      case T.Input:
        return tokenMatcher(b, T.Identifier) && c.tokenType === T.Colon;
      default:
        return false;
    }
  }

  /** True when the next two tokens are adjacent `a` and `b` (as in `>>`). */
  #adjacent(a: TokenType, b: TokenType): boolean {
    const first = this.LA(1);
    const second = this.LA(2);
    return first.tokenType === a && second.tokenType === b && second.startOffset === (first.endOffset ?? Number.NaN) + 1;
  }

  // --- the contract --------------------------------------------------------------------------

  /** `contract := contractHeader '{' (item | ';')* '}'` */
  readonly contract = this.RULE('contract', () => {
    this.SUBRULE(this.contractHeader);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.item) }, { ALT: () => this.CONSUME(T.Semi) }]);
    });
    this.CONSUME(T.RCurly);
  });

  /** `contractHeader := 'contract' NAME 'version' NUMBER` */
  // A rule of its own so that a mistake in the header re-synchronises at the `{` that follows.
  readonly contractHeader = this.RULE('contractHeader', () => {
    this.CONSUME(T.ContractKw);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Version);
    this.CONSUME(T.NumberLiteral, { LABEL: 'version' });
  });

  /** `item := metaDecl | priceDecl | constDecl | typeAliasDecl | inputDecl | functionDecl` */
  readonly item = this.RULE('item', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.metaDecl) },
      { ALT: () => this.SUBRULE(this.priceDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.typeAliasDecl) },
      { ALT: () => this.SUBRULE(this.inputDecl) },
      { ALT: () => this.SUBRULE(this.functionDecl) },
    ]);
  });

  /** `metaDecl := 'meta' '{' (metaEntry | ',' | ';')* '}'` */
  readonly metaDecl = this.RULE('metaDecl', () => {
    this.CONSUME(T.Meta);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.metaEntry) }, { ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semi) }]);
    });
    this.CONSUME(T.RCurly);
  });

  /** `metaEntry := NAME '=' expression` */
  readonly metaEntry = this.RULE('metaEntry', () => {
    this.CONSUME(T.Identifier, { LABEL: 'key' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  /** `priceDecl := 'price' NUMBER UNIT 'per' 'mcu'` */
  readonly priceDecl = this.RULE('priceDecl', () => {
    this.CONSUME(T.Price);
    this.CONSUME(T.NumberLiteral, { LABEL: 'amount' });
    this.CONSUME(T.Identifier, { LABEL: 'unit' });
    this.CONSUME(T.Per);
    this.CONSUME(T.Mcu);
  });

  /** `constDecl := 'const' NAME (':' type)? '=' expression` */
  readonly constDecl = this.RULE('constDecl', () => {
    this.CONSUME(T.Const);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  /** `typeAliasDecl := 'type' NAME '=' type` */
  readonly typeAliasDecl = this.RULE('typeAliasDecl', () => {
    this.CONSUME(T.Type);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.type);
  });

  /** `inputDecl := 'input' NAME ':' type 'over' (rangeSpace | gridSpace)` */
  readonly inputDecl = this.RULE('inputDecl', () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.CONSUME(T.Over);
    this.OR([{ ALT: () => this.SUBRULE(this.rangeSpace) }, { ALT: () => this.SUBRULE(this.gridSpace) }]);
  });

  /** `rangeSpace := 'range' expression ('..<' | '..=') expression` */
  readonly rangeSpace = this.RULE('rangeSpace', () => {
    this.CONSUME(T.Range);
    this.SUBRULE(this.expression, { LABEL: 'from' });
    this.OR([{ ALT: () => this.CONSUME(T.DotDotLess) }, { ALT: () => this.CONSUME(T.DotDotEq) }]);
    this.SUBRULE2(this.expression, { LABEL: 'to' });
  });

  /** `gridSpace := 'grid' '{' (gridAxis | ',' | ';')* '}'` */
  readonly gridSpace = this.RULE('gridSpace', () => {
    this.CONSUME(T.Grid);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.gridAxis) }, { ALT: () => this.CONSUME(T.Comma) }, { ALT: () => this.CONSUME(T.Semi) }]);
    });
    this.CONSUME(T.RCurly);
  });

  /** `gridAxis := NAME 'from' expression 'to' expression ('step' expression)? ('count' expression)? 'exclusive'?` */
  readonly gridAxis = this.RULE('gridAxis', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.From);
    this.SUBRULE(this.expression, { LABEL: 'from' });
    this.CONSUME(T.To);
    this.SUBRULE2(this.expression, { LABEL: 'to' });
    this.OPTION(() => {
      this.CONSUME(T.Step);
      this.SUBRULE3(this.expression, { LABEL: 'step' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Count);
      this.SUBRULE4(this.expression, { LABEL: 'count' });
    });
    this.OPTION3(() => this.CONSUME(T.Exclusive));
  });

  /** `functionDecl := ('fn' NAME | 'mcu' NAME | 'union' | 'validate' | 'render') '(' (param (',' param)* ','?)? ')' '->' type block` */
  readonly functionDecl = this.RULE('functionDecl', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Fn);
          this.CONSUME(T.Identifier, { LABEL: 'name' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Mcu);
          this.CONSUME2(T.Identifier, { LABEL: 'name' });
        },
      },
      { ALT: () => this.CONSUME(T.Union) },
      { ALT: () => this.CONSUME(T.Validate) },
      { ALT: () => this.CONSUME(T.Render) },
    ]);
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.param);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.type, { LABEL: 'result' });
    this.SUBRULE(this.block);
  });

  /** `param := NAME ':' type` */
  readonly param = this.RULE('param', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  });

  // --- types ---------------------------------------------------------------------------------

  /** `type := NAME ('<' typeArg (',' typeArg)* '>')? | arrayType | tupleType | recordType` */
  readonly type = this.RULE('type', (inCast?: boolean) => {
    this.#enter();
    try {
      this.OR([
        {
          ALT: () => {
            const name = this.CONSUME(T.Identifier, { LABEL: 'name' });
            this.OPTION({
              GATE: () => inCast !== true || GENERIC_TYPE_NAMES.has(name.image),
              DEF: () => {
                this.CONSUME(T.Less);
                this.SUBRULE(this.typeArg);
                this.MANY(() => {
                  this.CONSUME(T.Comma);
                  this.SUBRULE2(this.typeArg);
                });
                this.CONSUME(T.Greater);
              },
            });
          },
        },
        { ALT: () => this.SUBRULE(this.arrayType) },
        { ALT: () => this.SUBRULE(this.tupleType) },
        { ALT: () => this.SUBRULE(this.recordType) },
      ]);
    } finally {
      this.#leave();
    }
  });

  /** `typeArg := 'max' (NUMBER | NAME) | NUMBER | type` */
  readonly typeArg = this.RULE('typeArg', () => {
    this.OR({
      // `max` is also a name; `max N` wins where both could start.
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(T.Max);
            this.OR2([
              { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'maxNumber' }) },
              { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'maxName' }) },
            ]);
          },
        },
        { ALT: () => this.CONSUME2(T.NumberLiteral, { LABEL: 'number' }) },
        { ALT: () => this.SUBRULE(this.type) },
      ],
    });
  });

  /** `arrayType := '[' type ';' (NUMBER | NAME) ']'` */
  readonly arrayType = this.RULE('arrayType', () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.type);
    this.CONSUME(T.Semi);
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'lengthNumber' }) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'lengthName' }) },
    ]);
    this.CONSUME(T.RBracket);
  });

  /** `tupleType := '(' type (',' type)* ','? ')'` */
  readonly tupleType = this.RULE('tupleType', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.type);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.type);
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RParen);
  });

  /** `recordType := '{' (fieldType (',' fieldType)* ','?)? '}'` */
  readonly recordType = this.RULE('recordType', () => {
    this.CONSUME(T.LCurly);
    this.OPTION(() => {
      this.SUBRULE(this.fieldType);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.fieldType);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `fieldType := NAME ':' type` */
  readonly fieldType = this.RULE('fieldType', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  });

  // --- statements ----------------------------------------------------------------------------

  /** `block := '{' (statement | ';')* '}'` */
  readonly block = this.RULE('block', () => {
    this.#enter();
    try {
      this.CONSUME(T.LCurly);
      this.MANY(() => {
        this.OR([{ ALT: () => this.SUBRULE(this.statement) }, { ALT: () => this.CONSUME(T.Semi) }]);
      });
      this.CONSUME(T.RCurly);
    } finally {
      this.#leave();
    }
  });

  /** `statement := letStmt | ifStmt | forStmt | 'break' | 'continue' | returnStmt | exprStmt` */
  readonly statement = this.RULE('statement', () => {
    // An `if` at the start of a statement is an if statement, never an if expression. One token
    // of lookahead decides: deeper lookahead would turn a mistake inside the statement into a
    // "no statement here" error at its first token.
    this.OR({
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.letStmt) },
        { ALT: () => this.SUBRULE(this.ifStmt) },
        { ALT: () => this.SUBRULE(this.forStmt) },
        { ALT: () => this.CONSUME(T.Break) },
        { ALT: () => this.CONSUME(T.Continue) },
        { ALT: () => this.SUBRULE(this.returnStmt) },
        { ALT: () => this.SUBRULE(this.exprStmt) },
      ],
    });
  });

  /** `letStmt := ('let' | 'var') NAME (':' type)? '=' expression` */
  readonly letStmt = this.RULE('letStmt', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Let) }, { ALT: () => this.CONSUME(T.Var) }]);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  /** `ifStmt := 'if' expression block ('else' (ifStmt | block))?` */
  readonly ifStmt = this.RULE('ifStmt', () => {
    this.#enter();
    try {
      this.CONSUME(T.If);
      this.SUBRULE(this.expression, { LABEL: 'condition' });
      this.SUBRULE(this.block, { LABEL: 'then' });
      this.OPTION(() => {
        this.CONSUME(T.Else);
        this.OR([
          { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: 'elseIf' }) },
          { ALT: () => this.SUBRULE2(this.block, { LABEL: 'else' }) },
        ]);
      });
    } finally {
      this.#leave();
    }
  });

  /** `forStmt := 'for' NAME 'in' expression (('..<' | '..=') expression)? ('max' expression)? block` */
  readonly forStmt = this.RULE('forStmt', () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Identifier, { LABEL: 'binding' });
    this.CONSUME(T.In);
    this.SUBRULE(this.expression, { LABEL: 'from' });
    this.OPTION(() => {
      this.OR([{ ALT: () => this.CONSUME(T.DotDotLess) }, { ALT: () => this.CONSUME(T.DotDotEq) }]);
      this.SUBRULE2(this.expression, { LABEL: 'to' });
    });
    this.OPTION2(() => {
      this.CONSUME(T.Max);
      this.SUBRULE3(this.expression, { LABEL: 'max' });
    });
    this.SUBRULE(this.block);
  });

  /** `returnStmt := 'return' expression?   (the value starts on the line of `return`)` */
  readonly returnStmt = this.RULE('returnStmt', () => {
    this.CONSUME(T.Return);
    this.OPTION({ GATE: () => this.#sameLine(), DEF: () => this.SUBRULE(this.expression) });
  });

  /** `exprStmt := expression (assignOp expression)?` */
  readonly exprStmt = this.RULE('exprStmt', () => {
    this.SUBRULE(this.expression, { LABEL: 'target' });
    this.OPTION(() => {
      this.SUBRULE(this.assignOp);
      this.SUBRULE2(this.expression, { LABEL: 'value' });
    });
  });

  /** `assignOp := '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=' | '++='` */
  readonly assignOp = this.RULE('assignOp', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Equals) },
      { ALT: () => this.CONSUME(T.PlusEq) },
      { ALT: () => this.CONSUME(T.MinusEq) },
      { ALT: () => this.CONSUME(T.StarEq) },
      { ALT: () => this.CONSUME(T.SlashEq) },
      { ALT: () => this.CONSUME(T.PercentEq) },
      { ALT: () => this.CONSUME(T.AmpEq) },
      { ALT: () => this.CONSUME(T.PipeEq) },
      { ALT: () => this.CONSUME(T.CaretEq) },
      { ALT: () => this.CONSUME(T.LShiftEq) },
      { ALT: () => this.CONSUME(T.PlusPlusEq) },
      {
        // `>>=` is `>` directly followed by `>=`.
        GATE: () => this.#adjacent(T.Greater, T.GreaterEq),
        ALT: () => {
          this.CONSUME(T.Greater);
          this.CONSUME(T.GreaterEq);
        },
      },
    ]);
  });

  // --- expressions ---------------------------------------------------------------------------

  /** `expression := operand (binaryOperator operand)*   (precedence applied in the AST conversion)` */
  readonly expression = this.RULE('expression', () => {
    this.#enter();
    try {
      this.SUBRULE(this.operand, { LABEL: 'operands' });
      this.MANY({
        // `x >>= 1` is an assignment: the `>` belongs to `>>=`, not to a comparison.
        GATE: () => !this.#adjacent(T.Greater, T.GreaterEq),
        DEF: () => {
          // Operators are inlined (not a rule of their own): one rule call less per operator.
          this.OR([
            { ALT: () => this.CONSUME(T.OrOr, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.AndAnd, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.EqEq, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.NotEq, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.Less, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.LessEq, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.GreaterEq, { LABEL: 'operators' }) },
            {
              ALT: () => {
                this.CONSUME(T.Greater, { LABEL: 'operators' });
                // `>>`: a second `>` right after the first (both end up in `operators`).
                this.OPTION({ GATE: () => this.#touchesPrevious(T.Greater), DEF: () => this.CONSUME2(T.Greater, { LABEL: 'operators' }) });
              },
            },
            { ALT: () => this.CONSUME(T.Pipe, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.Caret, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.Amp, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.LShift, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.PlusPlus, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.Plus, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.Minus, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.Star, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.Slash, { LABEL: 'operators' }) },
            { ALT: () => this.CONSUME(T.Percent, { LABEL: 'operators' }) },
          ]);
          this.SUBRULE2(this.operand, { LABEL: 'operands' });
        },
      });
    } finally {
      this.#leave();
    }
  });

  /** True when the next token is `type` and starts right where the previous token ends. */
  #touchesPrevious(type: TokenType): boolean {
    const previous = this.LA(0);
    const next = this.LA(1);
    return next.tokenType === type && next.startOffset === (previous.endOffset ?? Number.NaN) + 1;
  }

  /**
   * One operand of a binary expression: prefix operators, a primary, then calls, indexing and
   * field accesses, then `as` casts. One rule rather than one per level keeps the parser fast;
   * the AST conversion builds the nesting (`-x as u8` is `(-x) as u8`).
   */
  readonly operand = this.RULE('operand', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Minus, { LABEL: 'prefix' }) },
        { ALT: () => this.CONSUME(T.Bang, { LABEL: 'prefix' }) },
        { ALT: () => this.CONSUME(T.Tilde, { LABEL: 'prefix' }) },
      ]);
    });
    this.SUBRULE(this.primary);
    this.MANY2({
      GATE: () => {
        const next = this.LA(1).tokenType;
        return next === T.Dot || ((next === T.LParen || next === T.LBracket) && this.#sameLine());
      },
      DEF: () => {
        this.OR2([
          { ALT: () => this.SUBRULE(this.callSuffix, { LABEL: 'suffixes' }) },
          { ALT: () => this.SUBRULE(this.indexSuffix, { LABEL: 'suffixes' }) },
          { ALT: () => this.SUBRULE(this.fieldSuffix, { LABEL: 'suffixes' }) },
        ]);
      },
    });
    this.MANY3(() => {
      this.CONSUME(T.As);
      this.SUBRULE(this.type, { ARGS: [true] });
    });
  });

  /** `callSuffix := '(' (arg (',' arg)* ','?)? ')'` */
  readonly callSuffix = this.RULE('callSuffix', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.arg);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.arg);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
  });

  /** `arg := (NAME ':')? expression` */
  readonly arg = this.RULE('arg', () => {
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: 'name' });
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.expression);
  });

  /** `indexSuffix := '[' expression ']'` */
  readonly indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RBracket);
  });

  /** `fieldSuffix := '.' (NAME | NUMBER)` */
  readonly fieldSuffix = this.RULE('fieldSuffix', () => {
    this.CONSUME(T.Dot);
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'field' }) },
      { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'position' }) },
    ]);
  });

  /** `primary := NUMBER | STRING | 'true' | 'false' | 'none' | someExpr | NAME | parenExpr | listExpr | recordExpr | ifExpr | lambdaExpr` */
  readonly primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.None) },
      { ALT: () => this.SUBRULE(this.someExpr) },
      {
        // A declaration keyword at the start of a line ends an unfinished expression above it
        // (`const A = 1 +` followed by `mcu f(…)`) instead of being read as a name.
        GATE: () => !this.#startsDeclaration(),
        ALT: () => this.CONSUME(T.Identifier),
      },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.listExpr) },
      { ALT: () => this.SUBRULE(this.recordExpr) },
      { ALT: () => this.SUBRULE(this.ifExpr) },
      { ALT: () => this.SUBRULE(this.lambdaExpr) },
    ]);
  });

  /** `someExpr := 'some' '(' expression ')'` */
  readonly someExpr = this.RULE('someExpr', () => {
    this.CONSUME(T.Some);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RParen);
  });

  /** `parenExpr := '(' expression (',' expression)* ','? ')'   (one element: parentheses; more: a tuple)` */
  readonly parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expression);
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
    this.CONSUME(T.RParen);
  });

  /** `listExpr := '[' (expression (';' expression | (',' expression)* ','?))? ']'` */
  readonly listExpr = this.RULE('listExpr', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Semi);
            this.SUBRULE2(this.expression, { LABEL: 'count' });
          },
        },
        {
          ALT: () => {
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE3(this.expression);
            });
            this.OPTION2(() => this.CONSUME2(T.Comma));
          },
        },
      ]);
    });
    this.CONSUME(T.RBracket);
  });

  /** `recordExpr := '{' (fieldInit (',' fieldInit)* ','?)? '}'` */
  readonly recordExpr = this.RULE('recordExpr', () => {
    this.CONSUME(T.LCurly);
    this.OPTION(() => {
      this.SUBRULE(this.fieldInit);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.fieldInit);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `fieldInit := NAME ':' expression` */
  readonly fieldInit = this.RULE('fieldInit', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression);
  });

  /** `ifExpr := 'if' expression block ('else' (ifExpr | block))?` */
  readonly ifExpr = this.RULE('ifExpr', () => {
    this.#enter();
    try {
      this.CONSUME(T.If);
      this.SUBRULE(this.expression, { LABEL: 'condition' });
      this.SUBRULE(this.block, { LABEL: 'then' });
      this.OPTION(() => {
        this.CONSUME(T.Else);
        this.OR([
          { ALT: () => this.SUBRULE(this.ifExpr, { LABEL: 'elseIf' }) },
          { ALT: () => this.SUBRULE2(this.block, { LABEL: 'else' }) },
        ]);
      });
    } finally {
      this.#leave();
    }
  });

  /** `lambdaExpr := 'fn' '(' (lambdaParam (',' lambdaParam)* ','?)? ')' '=>' expression` */
  readonly lambdaExpr = this.RULE('lambdaExpr', () => {
    this.CONSUME(T.Fn);
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.lambdaParam);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.lambdaParam);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
    this.CONSUME(T.FatArrow);
    this.SUBRULE(this.expression, { LABEL: 'body' });
  });

  /** `lambdaParam := NAME (':' type)?` */
  readonly lambdaParam = this.RULE('lambdaParam', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.type);
    });
  });
}

let instance: ZiParser | undefined;

/** The shared parser instance (built on first use). */
export function ziParser(): ZiParser {
  instance ??= new ZiParser();
  return instance;
}
