/**
 * The Zi abstract syntax tree: what `parse` produces and what the checker, cost analysis,
 * compiler and formatter consume.
 *
 * Every node is a plain, JSON-like object with a string `kind` (a discriminated union) and a
 * `span` pointing back into the source. Nodes are immutable from the parser's point of view;
 * later passes keep their results in side tables (or in optional fields they add here) rather
 * than rewriting the tree.
 *
 * Conventions:
 * - A name that *declares* something (a constant, parameter, field, loop variable) is an
 *   {@link Ident}; a name *used* in an expression is a {@link NameExpr}.
 * - Literals keep their source text in `raw` so the formatter prints them as written
 *   (`10_000` stays `10_000`) and exact decimal arithmetic (prices) can start from the digits.
 * - Parentheses written by the author are kept as {@link ParenExpr} nodes so the formatter
 *   never drops them; they mean nothing else.
 *
 * @example
 * ```ts
 * import { parse } from '@zi/language';
 * const { ast } = parse('contract C version 1 { price 1 li per mcu }');
 * if (ast) for (const item of ast.items) console.log(item.kind); // 'Price'
 * ```
 * @module
 */

import type { Span } from './diagnostics.js';

export type { Span } from './diagnostics.js';

/** Fields every node has. */
export interface NodeBase {
  /** Where the node is in the source: from its first to its last character. */
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------------
// The contract and its items
// ---------------------------------------------------------------------------------------------

/**
 * The root: one contract per source file.
 *
 * ```zi
 * contract Mandelbrot version 1 { … }
 * ```
 */
export interface Contract extends NodeBase {
  readonly kind: 'Contract';
  readonly name: Ident;
  /** The contract's version number (`version 1`), a non-negative integer. */
  readonly version: IntLiteral;
  /** Items in source order. */
  readonly items: readonly Item[];
  /** Every comment in the file, in source order (the formatter re-attaches them). */
  readonly comments: readonly Comment[];
}

/** A `// line` or `/* block *\/` comment. */
export interface Comment extends NodeBase {
  readonly kind: 'Comment';
  readonly style: 'line' | 'block';
  /** The comment exactly as written, delimiters included. */
  readonly text: string;
}

/** Anything that may appear directly inside `contract … { }`. */
export type Item = MetaDecl | PriceDecl | ConstDecl | TypeAliasDecl | InputDecl | FunctionDecl;

/**
 * Free-form descriptive settings: `meta { title = "Mandelbrot"  batch = 10_000 }`. Entries are
 * separated by white space, new lines, `,` or `;`. The checker decides which keys exist.
 */
export interface MetaDecl extends NodeBase {
  readonly kind: 'Meta';
  readonly entries: readonly MetaEntry[];
}

/** One `key = value` of a {@link MetaDecl}. */
export interface MetaEntry extends NodeBase {
  readonly kind: 'MetaEntry';
  readonly key: Ident;
  readonly value: Expr;
}

/** The unit a price is written in: `li` (10^-9 Zi) or `zi`. */
export type PriceUnit = 'li' | 'zi';

/**
 * The price per MCU: `price 10 li per mcu`, `price 0.5 zi per mcu`.
 */
export interface PriceDecl extends NodeBase {
  readonly kind: 'Price';
  /** The number as written. */
  readonly amount: IntLiteral | FloatLiteral;
  readonly unit: PriceUnit;
  /**
   * The amount converted exactly to Li (decimal arithmetic on `amount.raw`, no floats). The parser
   * reports a diagnostic when the price is not a whole number of Li.
   */
  readonly li: bigint;
}

/** A named constant: `const MAX_ITER: u32 = 2000`. The type may be left out (`const N = 4`). */
export interface ConstDecl extends NodeBase {
  readonly kind: 'Const';
  readonly name: Ident;
  readonly type?: TypeExpr | undefined;
  readonly value: Expr;
}

/** A named type: `type Sample = { inside: bool, iters: u16 }`. Aliases are structural. */
export interface TypeAliasDecl extends NodeBase {
  readonly kind: 'TypeAlias';
  readonly name: Ident;
  readonly type: TypeExpr;
}

/**
 * The declared input space: `input c: complex over grid { … }` or
 * `input nonce: u53 over range 0 ..< 1_099_511_627_776`.
 */
export interface InputDecl extends NodeBase {
  readonly kind: 'Input';
  readonly name: Ident;
  readonly type: TypeExpr;
  readonly space: InputSpace;
}

/** How an input space is laid out. */
export type InputSpace = RangeSpace | GridSpace;

/** `over range FROM ..< TO` (or `..=` to include TO): consecutive integers. */
export interface RangeSpace extends NodeBase {
  readonly kind: 'RangeSpace';
  readonly from: Expr;
  readonly to: Expr;
  /** `..=` (true) or `..<` (false). */
  readonly inclusive: boolean;
}

/**
 * `over grid { AXIS from A to B step S [exclusive] … }`: the cartesian product of its axes, the
 * first axis varying fastest unless the checker documents otherwise. Axes of a `complex` input
 * are `re` and `im`; axes of a record input are its field names.
 */
export interface GridSpace extends NodeBase {
  readonly kind: 'GridSpace';
  readonly axes: readonly GridAxis[];
}

/**
 * One axis of a grid: `re from -2.0 to 2.0 step 0.005 exclusive` or
 * `x from 0 to 1 count 400`. Exactly one of `step` and `count` is present (the parser reports
 * otherwise).
 */
export interface GridAxis extends NodeBase {
  readonly kind: 'GridAxis';
  readonly name: Ident;
  readonly from: Expr;
  readonly to: Expr;
  /** Distance between neighbouring points. */
  readonly step?: Expr | undefined;
  /** Number of points (an alternative to `step`). */
  readonly count?: Expr | undefined;
  /** `exclusive`: the `to` end is not part of the axis. */
  readonly exclusive: boolean;
}

/** What a function declaration is for. */
export type FunctionRole = 'fn' | 'mcu' | 'union' | 'validate' | 'render';

/**
 * A function: a helper (`fn name(…) -> T { }`), the MCU (`mcu name(…) -> T { }`) or a hook
 * (`union(…) -> T { }`, `validate(…) -> bool { }`, `render(…) -> image<…> { }`). For hooks the
 * `name` is the keyword itself (`union`, `validate`, `render`) with the keyword's span.
 */
export interface FunctionDecl extends NodeBase {
  readonly kind: 'Function';
  readonly role: FunctionRole;
  readonly name: Ident;
  readonly params: readonly Param[];
  readonly result: TypeExpr;
  readonly body: Block;
}

/** A typed function parameter: `c: complex`. */
export interface Param extends NodeBase {
  readonly kind: 'Param';
  readonly name: Ident;
  readonly type: TypeExpr;
}

/** A declared name (of a constant, type, parameter, field, loop variable, …). */
export interface Ident extends NodeBase {
  readonly kind: 'Ident';
  readonly name: string;
}

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** A type as written in the source. */
export type TypeExpr = NamedType | OptionType | ListType | BatchType | BytesType | ImageType | ArrayType | TupleType | RecordType;

/**
 * A type by name: a primitive (`bool u8 u16 u32 i32 u53 i53 u64 i64 f64 complex string`) or a
 * `type` alias. The parser does not know which names exist; the checker does.
 */
export interface NamedType extends NodeBase {
  readonly kind: 'NamedType';
  readonly name: Ident;
}

/** `option<T>`: a value that may be absent (`some(x)` or `none`). */
export interface OptionType extends NodeBase {
  readonly kind: 'OptionType';
  readonly inner: TypeExpr;
}

/** `list<T, max N>`: a list of at most N elements; `list<T>` only where the bound comes from elsewhere (hook parameters). */
export interface ListType extends NodeBase {
  readonly kind: 'ListType';
  readonly element: TypeExpr;
  /** The `max N` bound: an integer literal or a constant's name. */
  readonly max?: Expr | undefined;
}

/** `batch<T>`: MCU results in index order (at most `meta.batch` of them). */
export interface BatchType extends NodeBase {
  readonly kind: 'BatchType';
  readonly element: TypeExpr;
}

/** `bytes<N>`: exactly N bytes. */
export interface BytesType extends NodeBase {
  readonly kind: 'BytesType';
  /** An integer literal or a constant's name. */
  readonly length: Expr;
}

/** Pixel formats of `image<…>`. */
export type ImageFormat = 'gray8' | 'rgb8';

/** `image<gray8>` or `image<rgb8>`: what `render` returns. */
export interface ImageType extends NodeBase {
  readonly kind: 'ImageType';
  readonly format: ImageFormat;
}

/** `[T; N]`: a fixed-length array. */
export interface ArrayType extends NodeBase {
  readonly kind: 'ArrayType';
  readonly element: TypeExpr;
  /** An integer literal or a constant's name. */
  readonly length: Expr;
}

/** `(A, B, …)` with at least two elements. */
export interface TupleType extends NodeBase {
  readonly kind: 'TupleType';
  readonly elements: readonly TypeExpr[];
}

/** `{ name: T, … }`: a structural record type. */
export interface RecordType extends NodeBase {
  readonly kind: 'RecordType';
  readonly fields: readonly FieldType[];
}

/** One `name: T` of a {@link RecordType}. */
export interface FieldType extends NodeBase {
  readonly kind: 'FieldType';
  readonly name: Ident;
  readonly type: TypeExpr;
}

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

/**
 * `{ statement… }`. Statements are separated by new lines or `;`. When a block is used as a value
 * (a branch of an {@link IfExpr}), its value is its last statement, which must then be an
 * {@link ExprStmt}.
 */
export interface Block extends NodeBase {
  readonly kind: 'Block';
  readonly statements: readonly Stmt[];
}

/** A statement inside a block. */
export type Stmt = LetStmt | AssignStmt | IfStmt | ForRangeStmt | ForEachStmt | BreakStmt | ContinueStmt | ReturnStmt | ExprStmt;

/** `let x = e` (immutable) or `var x: T = e` (mutable, `mutable: true`). An initial value is required. */
export interface LetStmt extends NodeBase {
  readonly kind: 'Let';
  readonly mutable: boolean;
  readonly name: Ident;
  readonly type?: TypeExpr | undefined;
  readonly value: Expr;
}

/** Assignment operators: plain and compound (`x op= e` means `x = x op e`). */
export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=' | '++=';

/**
 * `target = value` or `target op= value`. The target is a {@link NameExpr}, {@link FieldExpr},
 * {@link TupleIndexExpr} or {@link IndexExpr} over such (the parser rejects anything else).
 */
export interface AssignStmt extends NodeBase {
  readonly kind: 'Assign';
  readonly op: AssignOp;
  readonly target: NameExpr | FieldExpr | TupleIndexExpr | IndexExpr;
  readonly value: Expr;
}

/** `if c { … } else if d { … } else { … }` as a statement (the branches need no value). */
export interface IfStmt extends NodeBase {
  readonly kind: 'IfStmt';
  readonly condition: Expr;
  readonly then: Block;
  readonly else?: Block | IfStmt | undefined;
}

/**
 * `for i in A ..< B { }` / `for i in A ..= B { }`, optionally with a run-time bound
 * `for i in 0 ..< n max 100 { }` (the loop traps if it would run more than `max` times).
 */
export interface ForRangeStmt extends NodeBase {
  readonly kind: 'ForRange';
  readonly binding: Ident;
  readonly from: Expr;
  readonly to: Expr;
  /** `..=` (true) or `..<` (false). */
  readonly inclusive: boolean;
  readonly max?: Expr | undefined;
  readonly body: Block;
}

/** `for x in list { }` (a bounded list, array or batch), optionally `max N` like {@link ForRangeStmt}. */
export interface ForEachStmt extends NodeBase {
  readonly kind: 'ForEach';
  readonly binding: Ident;
  readonly iterable: Expr;
  readonly max?: Expr | undefined;
  readonly body: Block;
}

/** `break`: leaves the innermost loop. */
export interface BreakStmt extends NodeBase {
  readonly kind: 'Break';
}

/** `continue`: next iteration of the innermost loop. */
export interface ContinueStmt extends NodeBase {
  readonly kind: 'Continue';
}

/** `return e`. The value must start on the same line as `return`; `return` alone has no value. */
export interface ReturnStmt extends NodeBase {
  readonly kind: 'Return';
  readonly value?: Expr | undefined;
}

/** An expression used as a statement (a call such as `set_pixel(img, x, y, 0, 0, 0)`, or a block's value). */
export interface ExprStmt extends NodeBase {
  readonly kind: 'ExprStmt';
  readonly expr: Expr;
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

/** Any expression. */
export type Expr =
  | IntLiteral
  | FloatLiteral
  | ImaginaryLiteral
  | HexLiteral
  | StringLiteral
  | BoolLiteral
  | NoneLiteral
  | SomeExpr
  | NameExpr
  | UnaryExpr
  | BinaryExpr
  | CastExpr
  | CallExpr
  | LambdaExpr
  | IfExpr
  | RecordExpr
  | TupleExpr
  | ListExpr
  | ArrayRepeatExpr
  | IndexExpr
  | FieldExpr
  | TupleIndexExpr
  | ParenExpr;

/** A decimal integer: `2000`, `1_099_511_627_776`. Never negative (`-1` is a unary minus). */
export interface IntLiteral extends NodeBase {
  readonly kind: 'Int';
  readonly value: bigint;
  /** As written, underscores included. */
  readonly raw: string;
}

/**
 * A hexadecimal literal `0x3a5f`. By context it is an integer (`value`) or, where a `bytes<N>`
 * is expected and it has exactly 2N digits, those bytes (`digits`).
 */
export interface HexLiteral extends NodeBase {
  readonly kind: 'Hex';
  readonly value: bigint;
  /** The hex digits in lower case, without `0x` and underscores (leading zeros kept). */
  readonly digits: string;
  readonly raw: string;
}

/** A float: `1.0`, `0.005`, `1e-3`, `2.5E10`. Always finite (the parser rejects overflow). */
export interface FloatLiteral extends NodeBase {
  readonly kind: 'Float';
  readonly value: number;
  readonly raw: string;
}

/** An imaginary number `2.0i`, `3i`: a `complex` with zero real part and this imaginary part. */
export interface ImaginaryLiteral extends NodeBase {
  readonly kind: 'Imaginary';
  /** The imaginary part. */
  readonly value: number;
  readonly raw: string;
}

/** A string `"…"` (escapes `\n \t \r \0 \\ \" \u{…}` resolved in `value`). */
export interface StringLiteral extends NodeBase {
  readonly kind: 'String';
  readonly value: string;
  readonly raw: string;
}

/** `true` or `false`. */
export interface BoolLiteral extends NodeBase {
  readonly kind: 'Bool';
  readonly value: boolean;
}

/** `none`: the empty `option<T>`. */
export interface NoneLiteral extends NodeBase {
  readonly kind: 'None';
}

/** `some(e)`: a present `option<T>`. */
export interface SomeExpr extends NodeBase {
  readonly kind: 'Some';
  readonly value: Expr;
}

/** A name used as a value: a local, parameter, constant or builtin value such as `challenge`. */
export interface NameExpr extends NodeBase {
  readonly kind: 'Name';
  readonly name: string;
}

/** Prefix operators: negation, logical not, bitwise not. */
export type UnaryOp = '-' | '!' | '~';

/** `-x`, `!b`, `~n`. */
export interface UnaryExpr extends NodeBase {
  readonly kind: 'Unary';
  readonly op: UnaryOp;
  readonly operand: Expr;
}

/**
 * Infix operators, loosest first: `||`; `&&`; `== !=`; `< <= > >=`; `|`; `^`; `&`; `<< >>`;
 * `+ - ++`; `* / %`. All are left-associative; comparisons may not be chained (`a < b < c` is a
 * syntax error). `++` concatenates (bytes, lists, strings).
 */
export type BinaryOp =
  | '||'
  | '&&'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '|'
  | '^'
  | '&'
  | '<<'
  | '>>'
  | '+'
  | '-'
  | '++'
  | '*'
  | '/'
  | '%';

/** `left op right`. */
export interface BinaryExpr extends NodeBase {
  readonly kind: 'Binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `e as T`. Binds tighter than `* / %` and looser than prefix operators: `-x as u8` is `(-x) as u8`. */
export interface CastExpr extends NodeBase {
  readonly kind: 'Cast';
  readonly expr: Expr;
  readonly type: TypeExpr;
}

/**
 * `f(a, b, name: c)`: a call of a function or builtin by name (there are no methods and no
 * function values other than lambda arguments). `input(i)`, the index → input map, is a call
 * whose callee is named `input`. Positional arguments come before named ones.
 */
export interface CallExpr extends NodeBase {
  readonly kind: 'Call';
  readonly callee: Ident;
  readonly args: readonly Arg[];
}

/** One argument of a {@link CallExpr}: positional (`name` absent) or named (`rate: 1 / 100`). */
export interface Arg extends NodeBase {
  readonly kind: 'Arg';
  readonly name?: Ident | undefined;
  readonly value: Expr;
}

/** `fn(s) => e` or `fn(s: Sample) => e`: only as a call argument; parameter types may be inferred. */
export interface LambdaExpr extends NodeBase {
  readonly kind: 'Lambda';
  readonly params: readonly LambdaParam[];
  readonly body: Expr;
}

/** A lambda parameter, its type optional. */
export interface LambdaParam extends NodeBase {
  readonly kind: 'LambdaParam';
  readonly name: Ident;
  readonly type?: TypeExpr | undefined;
}

/**
 * `if c { a } else { b }` used as a value: each branch block ends with the expression that is its
 * value. `else` is required for a value (the parser reports a missing one; the field stays
 * optional so the shape matches {@link IfStmt}).
 */
export interface IfExpr extends NodeBase {
  readonly kind: 'IfExpr';
  readonly condition: Expr;
  readonly then: Block;
  readonly else?: Block | IfExpr | undefined;
}

/** A record value `{ inside: false, iters: n as u16 }`. */
export interface RecordExpr extends NodeBase {
  readonly kind: 'Record';
  readonly fields: readonly FieldInit[];
}

/** One `name: value` of a {@link RecordExpr}. */
export interface FieldInit extends NodeBase {
  readonly kind: 'FieldInit';
  readonly name: Ident;
  readonly value: Expr;
}

/** A tuple value `(a, b)` with at least two elements (`(a)` is a {@link ParenExpr}). */
export interface TupleExpr extends NodeBase {
  readonly kind: 'Tuple';
  readonly elements: readonly Expr[];
}

/** A list or array value `[1, 2, 3]` (possibly empty: `[]`). */
export interface ListExpr extends NodeBase {
  readonly kind: 'List';
  readonly elements: readonly Expr[];
}

/** `[value; count]`: an array of `count` copies of `value` (`[0; 256]`). */
export interface ArrayRepeatExpr extends NodeBase {
  readonly kind: 'ArrayRepeat';
  readonly value: Expr;
  readonly count: Expr;
}

/** `target[index]`. */
export interface IndexExpr extends NodeBase {
  readonly kind: 'Index';
  readonly target: Expr;
  readonly index: Expr;
}

/** `target.field` (records; `re`/`im` of complex numbers; `index`/`value` of batch entries). */
export interface FieldExpr extends NodeBase {
  readonly kind: 'Field';
  readonly target: Expr;
  readonly field: Ident;
}

/** `target.0`: a tuple element by position. */
export interface TupleIndexExpr extends NodeBase {
  readonly kind: 'TupleIndex';
  readonly target: Expr;
  readonly index: number;
  /** Span of the digits after the dot. */
  readonly indexSpan: Span;
}

/** `( e )` as written by the author. Only the formatter cares; other passes look through it. */
export interface ParenExpr extends NodeBase {
  readonly kind: 'Paren';
  readonly expr: Expr;
}

/** Every node type. */
export type Node =
  | Contract
  | Comment
  | Item
  | MetaEntry
  | InputSpace
  | GridAxis
  | Param
  | Ident
  | TypeExpr
  | FieldType
  | Block
  | Stmt
  | Expr
  | Arg
  | LambdaParam
  | FieldInit;

/** The `kind` of every node type. */
export type NodeKind = Node['kind'];
