/**
 * The typed CST → AST conversion: one function per grammar rule, over the node types generated
 * into `cst-types.ts`. Besides building nodes it reports the syntax rules the grammar itself does
 * not express: number formats, operator precedence and non-chaining comparisons, assignment
 * targets, statement separation, price units, generic type arguments, grid axes.
 *
 * After recovery from syntax errors a CST may lack children the grammar requires; then a
 * {@link MissingPartError} is thrown and `parse` keeps only the diagnostics found so far.
 * @module
 */

import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.js';
import type * as C from './cst-types.js';
import type { Diagnostic, LineIndex, Span } from './diagnostics.js';
import { joinSpans } from './diagnostics.js';
import { HARD_KEYWORDS } from './lexer.js';
import { GENERIC_TYPE_NAMES } from './parser.js';
import { suggest } from './suggest.js';

/** A required CST child is missing (only after error recovery). */
export class MissingPartError extends Error {
  constructor(what: string) {
    super(`missing ${what} in the syntax tree`);
    this.name = 'MissingPartError';
  }
}

/** Precedence of each binary operator: higher binds tighter. */
export const BINARY_PRECEDENCE: Readonly<Record<A.BinaryOp, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '|': 5,
  '^': 6,
  '&': 7,
  '<<': 8,
  '>>': 8,
  '+': 9,
  '-': 9,
  '++': 9,
  '*': 10,
  '/': 10,
  '%': 10,
};

/** Words from other languages and what to say about them when they appear where Zi has a keyword. */
export const FOREIGN_WORDS: Readonly<Record<string, { readonly use?: string; readonly hint: string }>> = {
  while: { hint: 'Zi has no `while`: every loop is bounded. Use `for i in 0 ..< n max N { … }` with a declared maximum.' },
  loop: { hint: 'Zi has no unbounded `loop`: use `for i in 0 ..< n max N { … }` with a declared maximum.' },
  function: { use: 'fn', hint: 'functions are declared with `fn`: `fn name(x: u32) -> u32 { … }`.' },
  func: { use: 'fn', hint: 'functions are declared with `fn`: `fn name(x: u32) -> u32 { … }`.' },
  def: { use: 'fn', hint: 'functions are declared with `fn`: `fn name(x: u32) -> u32 { … }`.' },
  elif: { use: 'else if', hint: 'write `else if`.' },
  elsif: { use: 'else if', hint: 'write `else if`.' },
  elseif: { use: 'else if', hint: 'write `else if`.' },
  mut: { use: 'var', hint: 'mutable variables are declared with `var`: `var x = 0`.' },
  match: { hint: 'Zi has no `match`; use `if … else if … else` and the option builtins.' },
  switch: { hint: 'Zi has no `switch`; use `if … else if … else`.' },
  struct: { use: 'type', hint: 'record types are declared with `type Name = { field: T }`.' },
  null: { use: 'none', hint: 'an absent value is `none` (of an `option<T>`).' },
  nil: { use: 'none', hint: 'an absent value is `none` (of an `option<T>`).' },
};

/** Statement keywords a misspelled bare word at the start of a statement may have meant. */
const STATEMENT_KEYWORDS = ['let', 'var', 'if', 'for', 'return', 'break', 'continue'];

const COMPARISON_LEVELS = new Set([3, 4]);

/** Context of one conversion. */
export interface ConvertContext {
  readonly lines: LineIndex;
  readonly comments: readonly IToken[];
  /**
   * Set after syntax errors: items and statements with holes are skipped (and the result is only
   * good for its diagnostics) instead of failing the whole conversion.
   */
  readonly tolerant?: boolean;
}

/**
 * Converts a contract CST into the AST, appending syntax diagnostics to `diagnostics`.
 * Throws {@link MissingPartError} when recovery left a hole (only possible after syntax errors).
 */
export function cstToAst(cst: C.ContractCstNode, ctx: ConvertContext, diagnostics: Diagnostic[]): A.Contract {
  return new Converter(ctx, diagnostics).contract(cst);
}

function need<T>(items: readonly T[] | undefined, what: string): T {
  const item = items?.[0];
  if (item === undefined) throw new MissingPartError(what);
  return item;
}

function tokenEnd(token: IToken): number {
  return token.startOffset + token.image.length;
}

class Converter {
  readonly #lines: LineIndex;
  readonly #comments: readonly IToken[];
  readonly #diagnostics: Diagnostic[];
  readonly #tolerant: boolean;

  constructor(ctx: ConvertContext, diagnostics: Diagnostic[]) {
    this.#lines = ctx.lines;
    this.#comments = ctx.comments;
    this.#diagnostics = diagnostics;
    this.#tolerant = ctx.tolerant === true;
  }

  /** Converts each element; in tolerant mode elements with holes are left out. */
  #each<S, R>(items: readonly S[] | undefined, convert: (item: S) => R): R[] {
    const out: R[] = [];
    for (const item of items ?? []) {
      if (!this.#tolerant) {
        out.push(convert(item));
        continue;
      }
      try {
        out.push(convert(item));
      } catch (error) {
        if (!(error instanceof MissingPartError)) throw error;
      }
    }
    return out;
  }

  // --- spans and reporting -------------------------------------------------------------------

  #tokenSpan(token: IToken): Span {
    if (Number.isNaN(token.startOffset)) throw new MissingPartError(`token ${token.tokenType.name}`);
    return this.#lines.spanAt(token.startOffset, tokenEnd(token));
  }

  #nodeSpan(node: CstNode): Span {
    const start = node.location?.startOffset ?? Number.NaN;
    const end = node.location?.endOffset ?? Number.NaN;
    if (Number.isNaN(start) || Number.isNaN(end)) throw new MissingPartError(`location of ${node.name}`);
    return this.#lines.spanAt(start, end + 1);
  }

  #ident(token: IToken): A.Ident {
    return { kind: 'Ident', name: token.image, span: this.#tokenSpan(token) };
  }

  #report(d: Diagnostic): void {
    this.#diagnostics.push(d);
  }

  // --- the contract --------------------------------------------------------------------------

  contract(cst: C.ContractCstNode): A.Contract {
    const c = cst.children;
    const items = this.#each(c.item, (item) => this.#item(item));
    const header = this.#tolerantly(() => this.#header(need(c.contractHeader, 'contract header')));
    const span = this.#nodeSpan(cst);
    const placeholder = this.#lines.spanAt(span.start, span.start);
    return {
      kind: 'Contract',
      name: header?.name ?? { kind: 'Ident', name: '', span: placeholder },
      version: header?.version ?? { kind: 'Int', value: 0n, raw: '0', span: placeholder },
      items,
      comments: this.#comments.map((t) => ({
        kind: 'Comment',
        style: t.image.startsWith('//') ? 'line' : 'block',
        text: t.image,
        span: this.#tokenSpan(t),
      })),
      span,
    };
  }

  /** Runs `convert`; in tolerant mode a hole gives `undefined` instead of an exception. */
  #tolerantly<R>(convert: () => R): R | undefined {
    try {
      return convert();
    } catch (error) {
      if (this.#tolerant && error instanceof MissingPartError) return undefined;
      throw error;
    }
  }

  #header(cst: C.ContractHeaderCstNode): { name: A.Ident; version: A.IntLiteral } {
    const versionToken = need(cst.children.version, 'version');
    const version = this.#number(versionToken);
    let versionLiteral: A.IntLiteral;
    if (version.kind === 'Int') versionLiteral = version;
    else {
      this.#report(this.#notAnInteger(versionToken, 'a contract version'));
      versionLiteral = { kind: 'Int', value: 0n, raw: versionToken.image, span: version.span };
    }
    return { name: this.#ident(need(cst.children.name, 'contract name')), version: versionLiteral };
  }

  #notAnInteger(token: IToken, what: string): Diagnostic {
    return {
      code: 'ZL0005',
      severity: 'error',
      message: `${what} must be a whole number, not \`${token.image}\``,
      span: this.#tokenSpan(token),
      hint: 'write a decimal integer such as `1`.',
    };
  }

  #item(cst: C.ItemCstNode): A.Item {
    const c = cst.children;
    if (c.metaDecl) return this.#meta(need(c.metaDecl, 'meta'));
    if (c.priceDecl) return this.#price(need(c.priceDecl, 'price'));
    if (c.constDecl) return this.#const(need(c.constDecl, 'const'));
    if (c.typeAliasDecl) return this.#typeAlias(need(c.typeAliasDecl, 'type'));
    if (c.inputDecl) return this.#input(need(c.inputDecl, 'input'));
    return this.#function(need(c.functionDecl, 'declaration'));
  }

  #meta(cst: C.MetaDeclCstNode): A.MetaDecl {
    const entries = (cst.children.metaEntry ?? []).map((e): A.MetaEntry => {
      const value = this.#expression(need(e.children.expression, 'meta value'));
      return { kind: 'MetaEntry', key: this.#ident(need(e.children.key, 'meta key')), value, span: this.#nodeSpan(e) };
    });
    return { kind: 'Meta', entries, span: this.#nodeSpan(cst) };
  }

  #price(cst: C.PriceDeclCstNode): A.PriceDecl {
    const amountToken = need(cst.children.amount, 'price amount');
    const unitToken = need(cst.children.unit, 'price unit');
    const span = this.#nodeSpan(cst);
    const literal = this.#number(amountToken);
    let amount: A.IntLiteral | A.FloatLiteral;
    if (literal.kind === 'Int' || literal.kind === 'Float') amount = literal;
    else {
      this.#report({
        code: 'ZL0114',
        severity: 'error',
        message: `a price is a plain decimal number, not \`${amountToken.image}\``,
        span: literal.span,
        hint: 'write it like `price 10 li per mcu` or `price 0.5 zi per mcu`.',
      });
      amount = { kind: 'Int', value: 0n, raw: amountToken.image, span: literal.span };
    }
    let unit: A.PriceUnit = 'li';
    if (unitToken.image === 'li' || unitToken.image === 'zi') unit = unitToken.image;
    else {
      const close = suggest(unitToken.image, ['li', 'zi'], { maxDistance: 2 });
      this.#report({
        code: 'ZL0110',
        severity: 'error',
        message: `unknown price unit \`${unitToken.image}\``,
        span: this.#tokenSpan(unitToken),
        spanLabel: close === undefined ? 'expected `li` or `zi`' : `did you mean \`${close}\`?`,
        hint: 'prices are in `li` (10^-9 Zi) or `zi`: `price 10 li per mcu`.',
        ...(close === undefined ? {} : { fix: { span: this.#tokenSpan(unitToken), replacement: close } }),
      });
    }
    let li = 0n;
    if (amount.kind === 'Int' || amount.kind === 'Float') {
      const exact = decimalToLi(amount.raw, unit);
      if (exact === undefined) {
        this.#report({
          code: 'ZL0114',
          severity: 'error',
          message: `the price \`${amount.raw} ${unit}\` is not a whole number of Li`,
          span: joinSpans(amount.span, this.#tokenSpan(unitToken)),
          hint: '1 Zi is 1,000,000,000 Li and the smallest price is 1 li; round the price to whole Li.',
        });
      } else li = exact;
    }
    return { kind: 'Price', amount, unit, li, span };
  }

  #const(cst: C.ConstDeclCstNode): A.ConstDecl {
    const c = cst.children;
    const type = c.type ? this.#type(need(c.type, 'type')) : undefined;
    return {
      kind: 'Const',
      name: this.#ident(need(c.name, 'constant name')),
      ...(type ? { type } : {}),
      value: this.#expression(need(c.expression, 'constant value')),
      span: this.#nodeSpan(cst),
    };
  }

  #typeAlias(cst: C.TypeAliasDeclCstNode): A.TypeAliasDecl {
    return {
      kind: 'TypeAlias',
      name: this.#ident(need(cst.children.name, 'type name')),
      type: this.#type(need(cst.children.type, 'type')),
      span: this.#nodeSpan(cst),
    };
  }

  #input(cst: C.InputDeclCstNode): A.InputDecl {
    const c = cst.children;
    let space: A.InputSpace;
    if (c.rangeSpace) {
      const r = need(c.rangeSpace, 'range');
      space = {
        kind: 'RangeSpace',
        from: this.#expression(need(r.children.from, 'range start')),
        to: this.#expression(need(r.children.to, 'range end')),
        inclusive: r.children.DotDotEq !== undefined,
        span: this.#nodeSpan(r),
      };
    } else {
      const g = need(c.gridSpace, 'grid');
      space = { kind: 'GridSpace', axes: (g.children.gridAxis ?? []).map((a) => this.#gridAxis(a)), span: this.#nodeSpan(g) };
    }
    return {
      kind: 'Input',
      name: this.#ident(need(c.name, 'input name')),
      type: this.#type(need(c.type, 'input type')),
      space,
      span: this.#nodeSpan(cst),
    };
  }

  #gridAxis(cst: C.GridAxisCstNode): A.GridAxis {
    const c = cst.children;
    const span = this.#nodeSpan(cst);
    const step = c.step ? this.#expression(need(c.step, 'step')) : undefined;
    const count = c.count ? this.#expression(need(c.count, 'count')) : undefined;
    const name = this.#ident(need(c.name, 'axis name'));
    if ((step === undefined) === (count === undefined)) {
      this.#report({
        code: 'ZL0113',
        severity: 'error',
        message:
          step === undefined
            ? `the grid axis \`${name.name}\` needs a \`step\` or a \`count\``
            : `the grid axis \`${name.name}\` has both a \`step\` and a \`count\``,
        span,
        hint: 'give the distance between points (`re from -2.0 to 2.0 step 0.01`) or the number of points (`x from 0.0 to 1.0 count 100`), not both.',
      });
    }
    return {
      kind: 'GridAxis',
      name,
      from: this.#expression(need(c.from, 'axis start')),
      to: this.#expression(need(c.to, 'axis end')),
      ...(step ? { step } : {}),
      ...(count ? { count } : {}),
      exclusive: c.ExclusiveKw !== undefined,
      span,
    };
  }

  #function(cst: C.FunctionDeclCstNode): A.FunctionDecl {
    const c = cst.children;
    let role: A.FunctionRole;
    let name: A.Ident;
    if (c.FnKw) [role, name] = ['fn', this.#ident(need(c.name, 'function name'))];
    else if (c.McuKw) [role, name] = ['mcu', this.#ident(need(c.name, 'mcu name'))];
    else if (c.UnionKw) [role, name] = ['union', this.#ident(need(c.UnionKw, 'union'))];
    else if (c.ValidateKw) [role, name] = ['validate', this.#ident(need(c.ValidateKw, 'validate'))];
    else [role, name] = ['render', this.#ident(need(c.RenderKw, 'render'))];
    const params = (c.param ?? []).map(
      (p): A.Param => ({
        kind: 'Param',
        name: this.#ident(need(p.children.name, 'parameter name')),
        type: this.#type(need(p.children.type, 'parameter type')),
        span: this.#nodeSpan(p),
      }),
    );
    return {
      kind: 'Function',
      role,
      name,
      params,
      result: this.#type(need(c.result, 'result type')),
      body: this.#block(need(c.block, 'function body')),
      span: this.#nodeSpan(cst),
    };
  }

  // --- types ---------------------------------------------------------------------------------

  #type(cst: C.TypeCstNode): A.TypeExpr {
    const c = cst.children;
    const span = this.#nodeSpan(cst);
    if (c.arrayType) {
      const a = need(c.arrayType, 'array type');
      return {
        kind: 'ArrayType',
        element: this.#type(need(a.children.type, 'element type')),
        length: this.#sizeExpr(a.children.lengthNumber?.[0] ?? need(a.children.lengthName, 'array length')),
        span,
      };
    }
    if (c.tupleType) {
      const t = need(c.tupleType, 'tuple type');
      const elements = (t.children.type ?? []).map((e) => this.#type(e));
      // `(T)` is just T in parentheses.
      if (elements.length === 1) return need(elements, 'type');
      return { kind: 'TupleType', elements, span };
    }
    if (c.recordType) {
      const r = need(c.recordType, 'record type');
      const fields = (r.children.fieldType ?? []).map(
        (f): A.FieldType => ({
          kind: 'FieldType',
          name: this.#ident(need(f.children.name, 'field name')),
          type: this.#type(need(f.children.type, 'field type')),
          span: this.#nodeSpan(f),
        }),
      );
      return { kind: 'RecordType', fields, span };
    }
    const nameToken = need(c.name, 'type name');
    const name = this.#ident(nameToken);
    if (c.Less === undefined) {
      if (GENERIC_TYPE_NAMES.has(name.name)) {
        this.#report({
          code: 'ZL0109',
          severity: 'error',
          message: `\`${name.name}\` needs type arguments`,
          span,
          hint: GENERIC_HINTS[name.name] ?? '',
        });
      }
      return { kind: 'NamedType', name, span };
    }
    return this.#genericType(
      name,
      (c.typeArg ?? []).map((a) => this.#typeArg(a)),
      span,
    );
  }

  #typeArg(cst: C.TypeArgCstNode): TypeArg {
    const c = cst.children;
    const span = this.#nodeSpan(cst);
    if (c.MaxKw) return { kind: 'max', value: this.#sizeExpr(c.maxNumber?.[0] ?? need(c.maxName, 'max bound')), span };
    if (c.number) return { kind: 'number', value: this.#sizeExpr(need(c.number, 'number')), span };
    return { kind: 'type', type: this.#type(need(c.type, 'type argument')), span };
  }

  /** An integer literal or a constant's name used as a size (`bytes<32>`, `[u8; N]`, `max 100`). */
  #sizeExpr(token: IToken): A.Expr {
    if (token.tokenType.name === 'NumberLiteral') return this.#number(token);
    return { kind: 'Name', name: token.image, span: this.#tokenSpan(token) };
  }

  #genericType(name: A.Ident, args: TypeArg[], span: Span): A.TypeExpr {
    const bad = (message: string): A.TypeExpr => {
      this.#report({ code: 'ZL0109', severity: 'error', message, span, hint: GENERIC_HINTS[name.name] ?? '' });
      return { kind: 'NamedType', name, span };
    };
    const typeOf = (arg: TypeArg | undefined): A.TypeExpr | undefined => (arg?.kind === 'type' ? arg.type : undefined);
    switch (name.name) {
      case 'option':
      case 'batch': {
        const inner = typeOf(args[0]);
        if (args.length !== 1 || inner === undefined) return bad(`\`${name.name}\` takes one type: \`${name.name}<T>\``);
        return name.name === 'option' ? { kind: 'OptionType', inner, span } : { kind: 'BatchType', element: inner, span };
      }
      case 'list': {
        const element = typeOf(args[0]);
        const max = args[1];
        if (element === undefined || args.length > 2 || (max !== undefined && max.kind !== 'max')) {
          return bad('a list type is written `list<T, max N>`');
        }
        return { kind: 'ListType', element, ...(max?.kind === 'max' ? { max: max.value } : {}), span };
      }
      case 'bytes': {
        const arg = args[0];
        if (args.length !== 1 || arg === undefined || arg.kind === 'max') return bad('a bytes type is written `bytes<N>`, N a number');
        if (arg.kind === 'number') return { kind: 'BytesType', length: arg.value, span };
        if (arg.type.kind !== 'NamedType') return bad('a bytes type is written `bytes<N>`, N a number');
        return { kind: 'BytesType', length: { kind: 'Name', name: arg.type.name.name, span: arg.type.span }, span };
      }
      case 'image': {
        const arg = args[0];
        const format = arg?.kind === 'type' && arg.type.kind === 'NamedType' ? arg.type.name.name : undefined;
        if (args.length !== 1 || format === undefined) return bad('an image type is written `image<gray8>` or `image<rgb8>`');
        if (format !== 'gray8' && format !== 'rgb8') {
          const close = suggest(format, ['gray8', 'rgb8']);
          return bad(`unknown image format \`${format}\`${close === undefined ? '' : `; did you mean \`${close}\`?`}`);
        }
        return { kind: 'ImageType', format, span };
      }
      default: {
        const close = suggest(name.name, GENERIC_TYPE_NAMES);
        this.#report({
          code: 'ZL0109',
          severity: 'error',
          message: `\`${name.name}\` does not take type arguments${close === undefined ? '' : `; did you mean \`${close}\`?`}`,
          span,
          hint: 'only `list`, `option`, `batch`, `bytes` and `image` take arguments in `<…>`.',
          ...(close === undefined ? {} : { fix: { span: name.span, replacement: close } }),
        });
        return { kind: 'NamedType', name, span };
      }
    }
  }

  // --- statements ----------------------------------------------------------------------------

  #block(cst: C.BlockCstNode): A.Block {
    const c = cst.children;
    const statementCsts = c.statement ?? [];
    const statements = this.#each(statementCsts, (s) => this.#statement(s));
    const semicolons = (c.Semi ?? []).map((t) => t.startOffset);
    for (let i = 0; i < statements.length; i++) {
      const stmt = statements[i];
      if (stmt === undefined) continue;
      const next = statements[i + 1];
      const bareWord = stmt.kind === 'ExprStmt' && stmt.expr.kind === 'Name' ? stmt.expr : undefined;
      if (bareWord !== undefined && this.#reportMisspelledKeyword(bareWord)) continue;
      if (next === undefined) continue;
      const sameLine = next.span.line === stmt.span.endLine;
      const separated = semicolons.some((offset) => offset >= stmt.span.end && offset < next.span.start);
      // A statement ending in `}` (an if or for) needs nothing more to end it.
      const endsWithBrace = stmt.kind === 'IfStmt' || stmt.kind === 'ForRange' || stmt.kind === 'ForEach';
      if (sameLine && !separated && !endsWithBrace) {
        this.#report({
          code: 'ZL0105',
          severity: 'error',
          message: 'expected a new line or `;` between these statements',
          span: next.span.line === next.span.endLine ? next.span : this.#lines.spanAt(next.span.start, next.span.start + 1),
          spanLabel: 'a new statement starts here',
          labels: [{ span: stmt.span, message: 'after this one on the same line' }],
          hint: 'put each statement on its own line, or separate them with `;`. If this was meant to be one statement, an operator may be missing.',
        });
      }
    }
    return { kind: 'Block', statements, span: this.#nodeSpan(cst) };
  }

  /** Reports `retrun x` style mistakes: a bare word where a statement keyword was likely meant. */
  #reportMisspelledKeyword(word: A.NameExpr): boolean {
    const foreign = FOREIGN_WORDS[word.name];
    // Very short words are too often real names (`f`, `x`) to call them misspellings.
    const close = foreign === undefined && word.name.length >= 3 ? suggest(word.name, STATEMENT_KEYWORDS) : undefined;
    if (foreign === undefined && close === undefined) return false;
    const replacement = foreign?.use ?? close;
    this.#report({
      code: 'ZL0104',
      severity: 'error',
      message:
        foreign === undefined ? `unknown keyword \`${word.name}\`; did you mean \`${close}\`?` : `\`${word.name}\` is not a Zi keyword`,
      span: word.span,
      ...(foreign === undefined
        ? { hint: `\`${close}\` starts a statement; \`${word.name}\` on its own does nothing.` }
        : { hint: foreign.hint }),
      ...(replacement === undefined ? {} : { fix: { span: word.span, replacement } }),
    });
    return true;
  }

  #statement(cst: C.StatementCstNode): A.Stmt {
    const c = cst.children;
    const span = this.#nodeSpan(cst);
    if (c.letStmt) return this.#let(need(c.letStmt, 'let'));
    if (c.ifStmt) return this.#ifStmt(need(c.ifStmt, 'if'));
    if (c.forStmt) return this.#for(need(c.forStmt, 'for'));
    if (c.BreakKw) return { kind: 'Break', span };
    if (c.ContinueKw) return { kind: 'Continue', span };
    if (c.returnStmt) {
      const r = need(c.returnStmt, 'return');
      const value = r.children.expression ? this.#expression(need(r.children.expression, 'return value')) : undefined;
      return { kind: 'Return', ...(value ? { value } : {}), span };
    }
    return this.#exprStmt(need(c.exprStmt, 'statement'));
  }

  #let(cst: C.LetStmtCstNode): A.LetStmt {
    const c = cst.children;
    const type = c.type ? this.#type(need(c.type, 'type')) : undefined;
    return {
      kind: 'Let',
      mutable: c.VarKw !== undefined,
      name: this.#ident(need(c.name, 'variable name')),
      ...(type ? { type } : {}),
      value: this.#expression(need(c.expression, 'initial value')),
      span: this.#nodeSpan(cst),
    };
  }

  #ifStmt(cst: C.IfStmtCstNode): A.IfStmt {
    const c = cst.children;
    const otherwise = c.elseIf ? this.#ifStmt(need(c.elseIf, 'else if')) : c.else ? this.#block(need(c.else, 'else block')) : undefined;
    return {
      kind: 'IfStmt',
      condition: this.#expression(need(c.condition, 'condition')),
      // biome-ignore lint/suspicious/noThenProperty: the AST names an if's first branch `then`; nodes are never awaited.
      then: this.#block(need(c.then, 'then block')),
      ...(otherwise ? { else: otherwise } : {}),
      span: this.#nodeSpan(cst),
    };
  }

  #for(cst: C.ForStmtCstNode): A.ForRangeStmt | A.ForEachStmt {
    const c = cst.children;
    const binding = this.#ident(need(c.binding, 'loop variable'));
    const from = this.#expression(need(c.from, 'loop source'));
    const max = c.max ? this.#expression(need(c.max, 'max bound')) : undefined;
    const body = this.#block(need(c.block, 'loop body'));
    const span = this.#nodeSpan(cst);
    if (c.to) {
      return {
        kind: 'ForRange',
        binding,
        from,
        to: this.#expression(need(c.to, 'range end')),
        inclusive: c.DotDotEq !== undefined,
        ...(max ? { max } : {}),
        body,
        span,
      };
    }
    return { kind: 'ForEach', binding, iterable: from, ...(max ? { max } : {}), body, span };
  }

  #exprStmt(cst: C.ExprStmtCstNode): A.ExprStmt | A.AssignStmt {
    const c = cst.children;
    const span = this.#nodeSpan(cst);
    const target = this.#expression(need(c.target, 'expression'));
    if (c.assignOp === undefined) return { kind: 'ExprStmt', expr: target, span };
    const opNode = need(c.assignOp, 'assignment operator').children;
    const opTokens = Object.values(opNode)
      .flat()
      .sort((a, b) => a.startOffset - b.startOffset);
    const op = opTokens.map((t) => t.image).join('') as A.AssignOp;
    const value = this.#expression(need(c.value, 'assigned value'));
    if (!isAssignable(target)) {
      this.#report({
        code: 'ZL0106',
        severity: 'error',
        message: `cannot assign to ${describeExpr(target)}`,
        span: target.span,
        spanLabel: 'not a variable, field or element',
        hint:
          op === '=' && target.kind !== 'Paren'
            ? 'only variables (`x`), fields (`p.x`, `t.0`) and elements (`a[i]`) can be assigned. To compare, use `==`.'
            : 'only variables (`x`), fields (`p.x`, `t.0`) and elements (`a[i]`) can be assigned.',
      });
      return { kind: 'ExprStmt', expr: target, span };
    }
    return { kind: 'Assign', op, target, value, span };
  }

  // --- expressions ---------------------------------------------------------------------------

  #expression(cst: C.ExpressionCstNode): A.Expr {
    const c = cst.children;
    const operands = c.operands.map((o) => this.#operand(o));
    // `>>` arrives as two adjacent `>` tokens.
    const operators: A.BinaryOp[] = [];
    const opTokens = c.operators ?? [];
    for (let i = 0; i < opTokens.length; i++) {
      const token = opTokens[i] as IToken;
      const next = opTokens[i + 1];
      if (token.image === '>' && next !== undefined && next.image === '>' && next.startOffset === token.startOffset + 1) {
        operators.push('>>');
        i++;
      } else operators.push(token.image as A.BinaryOp);
    }
    if (operands.length !== operators.length + 1) throw new MissingPartError('operand');
    // Operator precedence by shunting-yard: all operators are left-associative.
    const values: A.Expr[] = [need(operands, 'operand')];
    const ops: A.BinaryOp[] = [];
    const reduce = (): void => {
      const op = ops.pop();
      const right = values.pop();
      const left = values.pop();
      if (op === undefined || right === undefined || left === undefined) throw new MissingPartError('operand');
      values.push({ kind: 'Binary', op, left, right, span: joinSpans(left.span, right.span) });
    };
    for (let i = 0; i < operators.length; i++) {
      const op = operators[i] as A.BinaryOp;
      const precedence = BINARY_PRECEDENCE[op];
      while (ops.length > 0 && BINARY_PRECEDENCE[ops[ops.length - 1] as A.BinaryOp] >= precedence) reduce();
      ops.push(op);
      values.push(operands[i + 1] as A.Expr);
    }
    while (ops.length > 0) reduce();
    const result = need(values, 'expression');
    if (operators.length > 1) this.#checkChainedComparisons(result);
    return result;
  }

  /** `a < b < c` parses as `(a < b) < c`, which is never what was meant: report it. */
  #checkChainedComparisons(root: A.Expr): void {
    const stack: A.Expr[] = [root];
    while (stack.length > 0) {
      const e = stack.pop();
      if (e === undefined || e.kind !== 'Binary') continue;
      const level = BINARY_PRECEDENCE[e.op];
      if (COMPARISON_LEVELS.has(level) && e.left.kind === 'Binary' && BINARY_PRECEDENCE[e.left.op] === level) {
        const a = e.left;
        this.#report({
          code: 'ZL0107',
          severity: 'error',
          message: `comparisons cannot be chained: \`… ${a.op} … ${e.op} …\``,
          span: e.span,
          hint:
            level === 4
              ? 'to test a range, combine two comparisons with `&&`: `a < b && b < c`.'
              : 'compare two values at a time and combine the results with `&&`, or add parentheses if you mean to compare booleans.',
        });
      }
      stack.push(e.left, e.right);
    }
  }

  #operand(cst: C.OperandCstNode): A.Expr {
    const c = cst.children;
    let expr = this.#primary(need(c.primary, 'operand'));
    for (const suffix of c.suffixes ?? []) {
      const span = joinSpans(expr.span, this.#nodeSpan(suffix));
      if (suffix.name === 'callSuffix') expr = this.#call(expr, suffix as C.CallSuffixCstNode, span);
      else if (suffix.name === 'indexSuffix') {
        const index = this.#expression(need((suffix as C.IndexSuffixCstNode).children.expression, 'index'));
        expr = { kind: 'Index', target: expr, index, span };
      } else {
        const f = (suffix as C.FieldSuffixCstNode).children;
        if (f.field) expr = { kind: 'Field', target: expr, field: this.#ident(need(f.field, 'field')), span };
        else {
          const token = need(f.position, 'tuple position');
          const position = /^\d+$/.test(token.image) ? Number(token.image) : Number.NaN;
          if (!Number.isSafeInteger(position)) {
            this.#report({
              code: 'ZL0005',
              severity: 'error',
              message: `\`.${token.image}\` is not a field or a tuple position`,
              span: this.#tokenSpan(token),
              hint: 'tuple elements are numbered from 0: `pair.0`, `pair.1`.',
            });
          }
          expr = {
            kind: 'TupleIndex',
            target: expr,
            index: Number.isSafeInteger(position) ? position : 0,
            indexSpan: this.#tokenSpan(token),
            span,
          };
        }
      }
    }
    const prefixes = c.prefix ?? [];
    for (let i = prefixes.length - 1; i >= 0; i--) {
      const token = prefixes[i] as IToken;
      expr = { kind: 'Unary', op: token.image as A.UnaryOp, operand: expr, span: joinSpans(this.#tokenSpan(token), expr.span) };
    }
    for (const typeCst of c.type ?? []) {
      const type = this.#type(typeCst);
      expr = { kind: 'Cast', expr, type, span: joinSpans(expr.span, type.span) };
    }
    return expr;
  }

  #call(callee: A.Expr, cst: C.CallSuffixCstNode, span: Span): A.Expr {
    const args = (cst.children.arg ?? []).map((a): A.Arg => {
      const name = a.children.name ? this.#ident(need(a.children.name, 'argument name')) : undefined;
      return {
        kind: 'Arg',
        ...(name ? { name } : {}),
        value: this.#expression(need(a.children.expression, 'argument')),
        span: this.#nodeSpan(a),
      };
    });
    const firstNamed = args.findIndex((a) => a.name !== undefined);
    const lateArg = firstNamed < 0 ? undefined : args.slice(firstNamed).find((a) => a.name === undefined);
    if (lateArg !== undefined) {
      const named = args[firstNamed];
      this.#report({
        code: 'ZL0116',
        severity: 'error',
        message: 'positional arguments must come before named ones',
        span: lateArg.span,
        spanLabel: 'this positional argument',
        ...(named ? { labels: [{ span: named.span, message: 'comes after this named one' }] } : {}),
        hint: 'move the positional arguments first, or name this one too.',
      });
    }
    if (callee.kind !== 'Name') {
      this.#report({
        code: 'ZL0101',
        severity: 'error',
        message: `only functions can be called, by name; ${describeExpr(callee)} is not a function name`,
        span: callee.span,
        hint: 'Zi has no methods and no function values: call a function or builtin by its name, `f(x)`.',
      });
      return callee;
    }
    return { kind: 'Call', callee: { kind: 'Ident', name: callee.name, span: callee.span }, args, span };
  }

  #primary(cst: C.PrimaryCstNode): A.Expr {
    const c = cst.children;
    const span = this.#nodeSpan(cst);
    if (c.NumberLiteral) return this.#number(need(c.NumberLiteral, 'number'));
    if (c.StringLiteral) return this.#string(need(c.StringLiteral, 'string'));
    if (c.TrueKw) return { kind: 'Bool', value: true, span };
    if (c.FalseKw) return { kind: 'Bool', value: false, span };
    if (c.NoneKw) return { kind: 'None', span };
    if (c.Identifier) return { kind: 'Name', name: need(c.Identifier, 'name').image, span };
    if (c.someExpr) {
      const s = need(c.someExpr, 'some');
      return { kind: 'Some', value: this.#expression(need(s.children.expression, 'some value')), span };
    }
    if (c.parenExpr) {
      const elements = (need(c.parenExpr, 'parentheses').children.expression ?? []).map((e) => this.#expression(e));
      if (elements.length === 1) return { kind: 'Paren', expr: need(elements, 'expression'), span };
      return { kind: 'Tuple', elements, span };
    }
    if (c.listExpr) {
      const l = need(c.listExpr, 'list').children;
      const elements = (l.expression ?? []).map((e) => this.#expression(e));
      if (l.count)
        return {
          kind: 'ArrayRepeat',
          value: need(elements, 'array element'),
          count: this.#expression(need(l.count, 'array length')),
          span,
        };
      return { kind: 'List', elements, span };
    }
    if (c.recordExpr) {
      const fields = (need(c.recordExpr, 'record').children.fieldInit ?? []).map(
        (f): A.FieldInit => ({
          kind: 'FieldInit',
          name: this.#ident(need(f.children.name, 'field name')),
          value: this.#expression(need(f.children.expression, 'field value')),
          span: this.#nodeSpan(f),
        }),
      );
      return { kind: 'Record', fields, span };
    }
    if (c.ifExpr) return this.#ifExpr(need(c.ifExpr, 'if'));
    const l = need(c.lambdaExpr, 'expression');
    const params = (l.children.lambdaParam ?? []).map((p): A.LambdaParam => {
      const type = p.children.type ? this.#type(need(p.children.type, 'parameter type')) : undefined;
      return {
        kind: 'LambdaParam',
        name: this.#ident(need(p.children.name, 'parameter name')),
        ...(type ? { type } : {}),
        span: this.#nodeSpan(p),
      };
    });
    return { kind: 'Lambda', params, body: this.#expression(need(l.children.body, 'lambda body')), span };
  }

  #ifExpr(cst: C.IfExprCstNode): A.IfExpr {
    const c = cst.children;
    const otherwise = c.elseIf ? this.#ifExpr(need(c.elseIf, 'else if')) : c.else ? this.#block(need(c.else, 'else block')) : undefined;
    const span = this.#nodeSpan(cst);
    if (otherwise === undefined) {
      this.#report({
        code: 'ZL0108',
        severity: 'error',
        message: 'this `if` is used as a value, so it needs an `else`',
        span,
        hint: 'add `else { … }` with the value to use when the condition is false.',
      });
    }
    return {
      kind: 'IfExpr',
      condition: this.#expression(need(c.condition, 'condition')),
      // biome-ignore lint/suspicious/noThenProperty: the AST names an if's first branch `then`; nodes are never awaited.
      then: this.#block(need(c.then, 'then block')),
      ...(otherwise ? { else: otherwise } : {}),
      span,
    };
  }

  // --- literals ------------------------------------------------------------------------------

  #number(token: IToken): A.IntLiteral | A.FloatLiteral | A.ImaginaryLiteral | A.HexLiteral {
    const raw = token.image;
    const span = this.#tokenSpan(token);
    const parsed = parseNumber(raw);
    if (parsed.kind === 'error') {
      this.#report({ code: parsed.code, severity: 'error', message: parsed.message, span, hint: parsed.hint });
      return { kind: 'Int', value: 0n, raw, span };
    }
    return { ...parsed, span };
  }

  #string(token: IToken): A.StringLiteral {
    const raw = token.image;
    const span = this.#tokenSpan(token);
    let value = '';
    for (let i = 1; i < raw.length - 1; i++) {
      const ch = raw[i] as string;
      if (ch !== '\\') {
        value += ch;
        continue;
      }
      const next = raw[i + 1] ?? '';
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', '"': '"' };
      const replacement = simple[next];
      if (replacement !== undefined) {
        value += replacement;
        i++;
        continue;
      }
      const unicode = next === 'u' ? /^\{([0-9a-fA-F]{1,6})\}/.exec(raw.slice(i + 2)) : null;
      const codePoint = unicode ? Number.parseInt(unicode[1] ?? '', 16) : Number.NaN;
      if (unicode && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff)) {
        value += String.fromCodePoint(codePoint);
        i += 1 + unicode[0].length;
        continue;
      }
      const escapeLength = unicode ? 2 + unicode[0].length : 2;
      this.#report({
        code: 'ZL0004',
        severity: 'error',
        message: `unknown escape \`${raw.slice(i, i + escapeLength)}\` in a string`,
        span: this.#lines.spanAt(token.startOffset + i, token.startOffset + i + escapeLength),
        hint: 'the escapes are `\\n \\t \\r \\0 \\\\ \\"` and `\\u{…}` with a hex code point; write `\\\\` for a backslash.',
      });
      i++;
    }
    return { kind: 'String', value, raw, span };
  }
}

type TypeArg =
  | { readonly kind: 'type'; readonly type: A.TypeExpr; readonly span: Span }
  | { readonly kind: 'number'; readonly value: A.Expr; readonly span: Span }
  | { readonly kind: 'max'; readonly value: A.Expr; readonly span: Span };

const GENERIC_HINTS: Readonly<Record<string, string>> = {
  list: 'write `list<T, max N>`, e.g. `list<u32, max 100>`.',
  option: 'write `option<T>`, e.g. `option<u32>`.',
  batch: 'write `batch<T>` with the MCU result type, e.g. `batch<Sample>`.',
  bytes: 'write `bytes<N>` with the length, e.g. `bytes<32>`.',
  image: 'write `image<gray8>` or `image<rgb8>`.',
};

function isAssignable(e: A.Expr): e is A.NameExpr | A.FieldExpr | A.TupleIndexExpr | A.IndexExpr {
  let current: A.Expr = e;
  for (;;) {
    if (current.kind === 'Name') return true;
    if (current.kind === 'Field' || current.kind === 'TupleIndex' || current.kind === 'Index') current = current.target;
    else return false;
  }
}

/** A short description of an expression for messages ("a call", "the literal `3`"). */
export function describeExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'Int':
    case 'Float':
    case 'Imaginary':
    case 'Hex':
    case 'String':
      return `the literal \`${e.raw}\``;
    case 'Bool':
      return `\`${e.value}\``;
    case 'None':
      return '`none`';
    case 'Name':
      return `\`${e.name}\``;
    case 'Call':
      return `the result of \`${e.callee.name}(…)\``;
    case 'Binary':
      return `the result of \`${e.op}\``;
    case 'Unary':
      return `the result of \`${e.op}\``;
    case 'Paren':
      return 'an expression in parentheses';
    default:
      return `a ${e.kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} expression`;
  }
}

type ParsedNumber =
  | Omit<A.IntLiteral, 'span'>
  | Omit<A.FloatLiteral, 'span'>
  | Omit<A.ImaginaryLiteral, 'span'>
  | Omit<A.HexLiteral, 'span'>
  | { readonly kind: 'error'; readonly code: 'ZL0005' | 'ZL0006'; readonly message: string; readonly hint: string };

const DECIMAL_INT = /^\d+(?:_\d+)*$/;
const DECIMAL_FLOAT = /^\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+(?:_\d+)*)?$/;
const HEX = /^0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*$/;

/** Classifies and evaluates the text of a number token. */
export function parseNumber(raw: string): ParsedNumber {
  if (/^0[xX]/.test(raw)) {
    if (!HEX.test(raw)) {
      const badDigit = /[^0-9a-fA-F_]/.exec(raw.slice(2))?.[0];
      return {
        kind: 'error',
        code: 'ZL0005',
        message: badDigit === undefined ? `\`${raw}\` is not a valid hex number` : `\`${badDigit}\` is not a hex digit in \`${raw}\``,
        hint: 'hex numbers are `0x` followed by digits 0-9 and a-f; `_` may separate digits.',
      };
    }
    const digits = raw.slice(2).replace(/_/g, '').toLowerCase();
    return { kind: 'Hex', value: BigInt(`0x${digits}`), digits, raw };
  }
  if (DECIMAL_INT.test(raw)) return { kind: 'Int', value: BigInt(raw.replace(/_/g, '')), raw };
  const imaginary = raw.endsWith('i') && DECIMAL_FLOAT.test(raw.slice(0, -1));
  const body = imaginary ? raw.slice(0, -1) : raw;
  if (DECIMAL_FLOAT.test(body)) {
    const value = Number(body.replace(/_/g, ''));
    if (!Number.isFinite(value)) {
      return { kind: 'error', code: 'ZL0006', message: `\`${raw}\` is too large for an f64`, hint: 'the largest f64 is about 1.8e308.' };
    }
    return imaginary ? { kind: 'Imaginary', value, raw } : { kind: 'Float', value, raw };
  }
  const trailing = /^[\d_.eE+-]*\d([A-Za-z_][A-Za-z0-9_]*)$/.exec(raw);
  return {
    kind: 'error',
    code: 'ZL0005',
    message: `\`${raw}\` is not a valid number`,
    hint:
      raw.includes('__') || raw.endsWith('_') || /_[.eE]|[.eE]_/.test(raw)
        ? '`_` may only separate digits: `10_000`.'
        : trailing !== undefined
          ? 'a number cannot run into a name; put a space or an operator between them. Numbers are written `10`, `10_000`, `0x1f`, `1.5`, `1e-3`, `2.0i`.'
          : 'numbers are written `10`, `10_000`, `0x1f`, `1.5`, `1e-3` or `2.0i`.',
  };
}

/**
 * Converts a decimal amount (`10`, `0.5`, `1e3`, `1_000`) in `li` or `zi` to whole Li, exactly;
 * `undefined` when the result is not a whole number of Li.
 */
export function decimalToLi(raw: string, unit: A.PriceUnit): bigint | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(raw.replace(/_/g, ''));
  if (match === null) return undefined;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? '0') + (unit === 'zi' ? 9 : 0) - fraction.length;
  // Absurd exponents would build enormous numbers; no price needs more than a few hundred digits.
  if (Math.abs(exponent) > 400) return undefined;
  const digits = BigInt(`${whole}${fraction}`);
  if (exponent >= 0) return digits * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  return digits % divisor === 0n ? digits / divisor : undefined;
}

/** True for words that can never be names. */
export function isHardKeyword(word: string): boolean {
  return HARD_KEYWORDS.includes(word);
}
