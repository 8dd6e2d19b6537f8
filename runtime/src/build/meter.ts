import { type Node, parse } from 'acorn';
import MagicString from 'magic-string';
import { RuntimeError } from '../errors.js';

/** Version of the metering rules; part of every manifest, since it changes gas. */
export const METER_VERSION = 1;
/** Deterministic cap on nested calls of metered functions (far below V8's own stack limit). */
export const CALL_DEPTH_LIMIT = 2000;
/** Identifiers with this prefix belong to the meter; contract code may not use them. */
export const RESERVED_PREFIX = '__zi_';
/** The global name esbuild gives the bundle's exports. */
export const BUNDLE_GLOBAL = '__zi_contract';

const FORBIDDEN = new Map<string, string>([
  ['eval', 'code compiled from strings escapes the meter'],
  ['Function', 'code compiled from strings escapes the meter'],
  ['WebAssembly', 'WebAssembly escapes the meter and the memory limit'],
  ['SharedArrayBuffer', 'shared memory is not deterministic'],
  ['Atomics', 'shared memory is not deterministic'],
  ['WeakRef', 'garbage collection timing is not deterministic'],
  ['FinalizationRegistry', 'garbage collection timing is not deterministic'],
  ['Compartment', 'nested compartments escape the meter'],
]);

const CHARGE = `if (--${RESERVED_PREFIX}G.g < 0) ${RESERVED_PREFIX}oog();`;
const ENTER = `${CHARGE} if (++${RESERVED_PREFIX}G.d > ${CALL_DEPTH_LIMIT}) ${RESERVED_PREFIX}deep(); try {`;
const LEAVE = `} finally { ${RESERVED_PREFIX}G.d--; }`;
const RETHROW = `if (${RESERVED_PREFIX}G.f) throw ${RESERVED_PREFIX}G.f;`;

/** What the transform did, for the manifest and for tests. */
export interface MeterReport {
  /** The metered bundle: a script whose value is `(gas, outOfGas, tooDeep) => exports`. */
  readonly code: string;
  readonly functions: number;
  /** Loops charged one gas per iteration. */
  readonly loops: number;
  /** Counted loops charged their trip count once, on entry (see {@link meterBundle}). */
  readonly countedLoops: number;
  readonly handlers: number;
}

type AnyNode = Node & Record<string, unknown>;

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function forbidden(source: string, node: Node, what: string, why: string): never {
  const before = source.slice(0, node.start);
  const line = before.split('\n').length;
  const column = node.start - before.lastIndexOf('\n');
  throw new RuntimeError(
    'RT_BUILD_FORBIDDEN',
    `the bundle uses ${what} at line ${line}, column ${column} of the bundle: ${why}`,
    'remove it from the contract and its dependencies; contracts run pure, metered JavaScript',
    {
      details: { what, line, column },
    },
  );
}

/** True when `node` (an Identifier) is a reference or binding, not a property name or label. */
function isVariable(_node: AnyNode, parent: AnyNode | null, key: string): boolean {
  if (parent === null) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return key !== 'property' || parent.computed === true;
    case 'Property':
    case 'PropertyDefinition':
    case 'MethodDefinition':
      return key !== 'key' || parent.computed === true || parent.shorthand === true;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return false;
    default:
      return true;
  }
}

/**
 * True when an Identifier in this position only reads its variable: never a binding, an
 * assignment target, a pattern or a `delete`. Deliberately a short list of positions.
 */
function isRead(parent: AnyNode | null, key: string, grandparent: AnyNode | null): boolean {
  if (parent === null) return false;
  switch (parent.type) {
    case 'BinaryExpression':
    case 'LogicalExpression':
    case 'ConditionalExpression':
    case 'SequenceExpression':
    case 'ArrayExpression':
    case 'TemplateLiteral':
    case 'SpreadElement':
    case 'ReturnStatement':
    case 'ThrowStatement':
    case 'ExpressionStatement':
    case 'IfStatement':
    case 'SwitchStatement':
    case 'SwitchCase':
    case 'CallExpression':
    case 'NewExpression':
    case 'ChainExpression':
    case 'AwaitExpression':
    case 'YieldExpression':
      return true;
    case 'UnaryExpression':
      return parent.operator !== 'delete';
    case 'MemberExpression':
      return key === 'object' || parent.computed === true;
    case 'VariableDeclarator':
      return key === 'init';
    case 'AssignmentExpression':
      return key === 'right';
    case 'ArrowFunctionExpression':
      return key === 'body';
    case 'Property':
      return (key === 'value' || parent.shorthand === true) && grandparent?.type === 'ObjectExpression';
    default:
      return false;
  }
}

/** The two reserved names of a counted loop: `for (let C = a, E = b; C < E; C++)`. */
interface CountedLoop {
  readonly counter: string;
  readonly end: string;
}

/**
 * Recognises a counted loop: `for (let C = a, E = b; C < E; C++) body` where C and E are reserved
 * (`__zi_`) names. Nothing else may bind or write a reserved name (every other use is rejected),
 * so in the body C only grows by one per iteration and E never changes: the loop runs exactly
 * `max(0, E - a)` times, which the meter charges once, on entry. The Zi compiler emits its loops in
 * this shape; any other code may too and is metered just as exactly.
 */
function countedLoop(node: AnyNode): CountedLoop | null {
  const init = node.init;
  if (!isNode(init) || init.type !== 'VariableDeclaration' || init.kind !== 'let') return null;
  const declarations = init.declarations as AnyNode[];
  const [c, e] = declarations;
  if (declarations.length !== 2 || c === undefined || e === undefined || !isNode(c.init) || !isNode(e.init)) return null;
  const name = (n: unknown): string | null =>
    isNode(n) && n.type === 'Identifier' && (n.name as string).startsWith(RESERVED_PREFIX) && n.name !== BUNDLE_GLOBAL
      ? (n.name as string)
      : null;
  const counter = name(c.id);
  const end = name(e.id);
  if (counter === null || end === null || counter === end) return null;
  const test = node.test;
  const update = node.update;
  if (!isNode(test) || test.type !== 'BinaryExpression' || test.operator !== '<') return null;
  if (name(test.left) !== counter || name(test.right) !== end) return null;
  if (!isNode(update) || update.type !== 'UpdateExpression' || update.operator !== '++' || name(update.argument) !== counter) return null;
  return { counter, end };
}

/** A counted loop seen from a point inside its body. */
interface LoopFrame {
  readonly loop: CountedLoop;
  /**
   * A `try` lies between the loop and this point: a `finally { continue }` could cancel a
   * `return` or `break`, or a `catch` could swallow a throw from the return value, and the loop
   * would go on, so leaving there refunds nothing.
   */
  readonly guarded: boolean;
}

/** Where the visitor is: what a `return` or `break` here leaves, and which reserved names it may read. */
interface Scope {
  /** Counted loops of the current function, outermost first. */
  readonly loops: readonly LoopFrame[];
  /** What an unlabelled `break` here leaves, when that is a counted loop. */
  readonly breakTarget: LoopFrame | null;
  /** Counters and ends of the enclosing counted loops (closures included): readable, never writable. */
  readonly readable: ReadonlySet<string>;
}

const G = `${RESERVED_PREFIX}G`;

/**
 * Checks the bounds of a counted loop (safe integers, so `C++` is exact and the trip count is
 * `E - C`) and charges the trip count, failing at once when the gas left cannot pay for it.
 * Operators only: a contract may shadow any global name, never `typeof` or `%`.
 */
function precharge(loop: CountedLoop): string {
  const { counter: c, end: e } = loop;
  return `${RESERVED_PREFIX}pre = typeof ${c} === 'number' && typeof ${e} === 'number' && ${c} % 1 === 0 && ${e} % 1 === 0 && ${c} >= -9007199254740991 && ${e} <= 9007199254740991 ? (${e} > ${c} && (${G}.g -= ${e} - ${c}) < 0 && ${RESERVED_PREFIX}oog(), 0) : ${RESERVED_PREFIX}oog()`;
}

/**
 * Gives back the iterations a loop will not run after all, when code leaves it early: inside the
 * body `C < E` holds, so each term is at most what the entry charged. Never after a fatal error,
 * so a sealed or dead unit of work stays dead.
 */
function refund(frames: readonly LoopFrame[]): string {
  const terms = frames.map((f) => `${f.loop.end} - ${f.loop.counter} - 1`).join(' + ');
  return `${G}.f === null && (${G}.g += ${terms})`;
}

/**
 * Meters a bundle: charges one unit of gas at every function entry and loop iteration, caps the
 * call depth, and re-throws a fatal error (out of gas, too deep) at the top of every `catch` and
 * `finally`, so contract code can neither catch nor survive it. Rejects what would escape the
 * meter. Deterministic: the same source gives the same output.
 *
 * Counted loops (`for (let C = a, E = b; C < E; C++)` over reserved names, what the Zi compiler
 * emits) are charged their whole trip count once, on entry, instead of one gas per iteration, and
 * a `return` or `break` that leaves them early gets the iterations not run back: the gas is the
 * same as per-iteration charging, without a check in every iteration.
 *
 * @example
 * const { code } = meterBundle('var __zi_contract = (() => { ... })();');
 */
export function meterBundle(source: string): MeterReport {
  let ast: AnyNode;
  try {
    ast = parse(source, { ecmaVersion: 2022, sourceType: 'script', locations: false }) as unknown as AnyNode;
  } catch (error) {
    throw new RuntimeError(
      'RT_BUILD_PARSE',
      `the bundle does not parse as an ES2022 script: ${(error as Error).message}`,
      'this is a bug in the build; please report it with the contract',
    );
  }
  const s = new MagicString(source);
  let functions = 0;
  let loops = 0;
  let countedLoops = 0;
  let handlers = 0;

  const meterFunction = (fn: AnyNode): void => {
    functions++;
    const body = fn.body as AnyNode;
    const plain = fn.generator !== true && fn.async !== true;
    if (body.type !== 'BlockStatement') {
      // A concise arrow body becomes a block that returns it. The body may be wrapped in
      // parentheses (`=> ({ … })`) that acorn leaves out of its range: edit outside them.
      let start = body.start;
      let end = body.end;
      let parens = 0;
      for (let i = start - 1; i >= fn.start; i--) {
        const ch = source[i] as string;
        if (ch === '(') {
          parens++;
          start = i;
        } else if (!/\s/.test(ch)) break;
      }
      for (let closed = 0; closed < parens && end < source.length; end++) {
        const ch = source[end] as string;
        if (ch === ')') closed++;
        else if (!/\s/.test(ch))
          throw new RuntimeError(
            'RT_BUILD_PARSE',
            'unexpected text around an arrow function body',
            'this is a bug in the metering transform; please report it',
          );
      }
      s.appendRight(start, plain ? `{ ${ENTER} return ` : `{ ${CHARGE} return `);
      s.prependLeft(end, plain ? `; ${LEAVE} }` : '; }');
      return;
    }
    const statements = body.body as AnyNode[];
    let at = body.start + 1;
    for (const st of statements) {
      if (st.type === 'ExpressionStatement' && typeof st.directive === 'string') at = st.end;
      else break;
    }
    // Generators and async functions suspend inside their body, so a depth counter would leak.
    s.appendRight(at, plain ? ` ${ENTER}` : ` ${CHARGE}`);
    if (plain) s.prependLeft(body.end - 1, ` ${LEAVE}`);
  };

  const meterLoop = (loop: AnyNode): void => {
    loops++;
    const body = loop.body as AnyNode;
    if (body.type === 'BlockStatement') {
      s.appendRight(body.start + 1, ` ${CHARGE}`);
    } else {
      s.appendRight(body.start, `{ ${CHARGE} `);
      s.prependLeft(body.end, ' }');
    }
  };

  const children = (node: AnyNode, scope: Scope, grandparent: AnyNode | null, skip?: (key: string) => boolean): void => {
    for (const [childKey, child] of Object.entries(node)) {
      if (skip?.(childKey)) continue;
      if (Array.isArray(child)) {
        for (const item of child) if (isNode(item)) visit(item, node, childKey, grandparent, scope);
      } else if (isNode(child)) {
        visit(child, node, childKey, grandparent, scope);
      }
    }
  };

  const visit = (node: AnyNode, parent: AnyNode | null, key: string, grandparent: AnyNode | null, scope: Scope): void => {
    let inner = scope;
    switch (node.type) {
      case 'Identifier': {
        const name = node.name as string;
        if (isVariable(node, parent, key)) {
          if (
            name.startsWith(RESERVED_PREFIX) &&
            name !== BUNDLE_GLOBAL &&
            !(scope.readable.has(name) && isRead(parent, key, grandparent))
          ) {
            forbidden(source, node, `the identifier ${name}`, `names starting with ${RESERVED_PREFIX} belong to the meter`);
          }
          const why = FORBIDDEN.get(name);
          if (why !== undefined) forbidden(source, node, name, why);
        }
        return;
      }
      case 'WithStatement':
        forbidden(source, node, 'a with statement', 'it hides which variables the code reads');
        break;
      case 'ImportExpression':
        forbidden(source, node, 'import()', 'contracts are one bundle and load nothing at run time');
        break;
      case 'MetaProperty':
        forbidden(source, node, 'import.meta', 'contracts have no module location');
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        meterFunction(node);
        inner = { loops: [], breakTarget: null, readable: scope.readable };
        break;
      case 'ForStatement': {
        const counted = countedLoop(node);
        if (counted === null) {
          meterLoop(node);
          inner = { ...scope, breakTarget: null };
          break;
        }
        countedLoops++;
        const init = node.init as AnyNode;
        const declarations = init.declarations as AnyNode[];
        for (const d of declarations) visit(d.init as AnyNode, d, 'init', init, scope);
        const last = declarations[declarations.length - 1] as AnyNode;
        s.appendLeft(last.end, `, ${precharge(counted)}`);
        const frame: LoopFrame = { loop: counted, guarded: false };
        const readable = new Set(scope.readable);
        readable.add(counted.counter);
        readable.add(counted.end);
        visit(node.body as AnyNode, node, 'body', parent, { loops: [...scope.loops, frame], breakTarget: frame, readable });
        return;
      }
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        meterLoop(node);
        inner = { ...scope, breakTarget: null };
        break;
      case 'SwitchStatement':
        inner = { ...scope, breakTarget: null };
        break;
      case 'TryStatement':
        if (isNode(node.finalizer)) {
          handlers++;
          s.appendRight(node.finalizer.start + 1, ` ${RETHROW}`);
        }
        inner = {
          loops: scope.loops.map((f) => ({ ...f, guarded: true })),
          breakTarget: scope.breakTarget === null ? null : { ...scope.breakTarget, guarded: true },
          readable: scope.readable,
        };
        break;
      case 'CatchClause':
        handlers++;
        s.appendRight((node.body as AnyNode).start + 1, ` ${RETHROW}`);
        break;
      case 'ReturnStatement': {
        const frames = scope.loops.filter((f) => !f.guarded);
        if (frames.length === 0) break;
        const argument = node.argument;
        if (isNode(argument)) {
          // Evaluated after the refund: the loop is left either way, and no temporary is needed.
          s.appendRight(argument.start, `(${refund(frames)}, `);
          s.appendLeft(argument.end, ')');
        } else {
          s.appendLeft(node.start + 'return'.length, ` void (${refund(frames)})`);
        }
        break;
      }
      case 'BreakStatement': {
        const target = scope.breakTarget;
        if (node.label !== null && node.label !== undefined) break;
        if (target === null || target.guarded) break;
        s.prependRight(node.start, `{ ${refund([target])}; `);
        s.appendLeft(node.end, ' }');
        break;
      }
    }
    children(node, inner, parent);
  };
  visit(ast, null, '', null, { loops: [], breakTarget: null, readable: new Set() });

  s.prepend(`((${RESERVED_PREFIX}G, ${RESERVED_PREFIX}oog, ${RESERVED_PREFIX}deep) => {\n`);
  s.append(`\nreturn typeof ${BUNDLE_GLOBAL} === 'undefined' ? undefined : ${BUNDLE_GLOBAL};\n})\n`);
  return { code: s.toString(), functions, loops, countedLoops, handlers };
}
