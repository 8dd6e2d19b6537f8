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
  readonly loops: number;
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
 * Meters a bundle: charges one unit of gas at every function entry and loop iteration, caps the
 * call depth, and re-throws a fatal error (out of gas, too deep) at the top of every `catch` and
 * `finally`, so contract code can neither catch nor survive it. Rejects what would escape the
 * meter. Deterministic: the same source gives the same output.
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

  const visit = (node: AnyNode, parent: AnyNode | null, key: string): void => {
    switch (node.type) {
      case 'Identifier': {
        const name = node.name as string;
        if (isVariable(node, parent, key)) {
          if (name.startsWith(RESERVED_PREFIX) && name !== BUNDLE_GLOBAL) {
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
        break;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        meterLoop(node);
        break;
      case 'CatchClause':
        handlers++;
        s.appendRight((node.body as AnyNode).start + 1, ` ${RETHROW}`);
        break;
      case 'TryStatement':
        if (isNode(node.finalizer)) {
          handlers++;
          s.appendRight(node.finalizer.start + 1, ` ${RETHROW}`);
        }
        break;
    }
    for (const [childKey, child] of Object.entries(node)) {
      if (Array.isArray(child)) {
        for (const item of child) if (isNode(item)) visit(item, node, childKey);
      } else if (isNode(child)) {
        visit(child, node, childKey);
      }
    }
  };
  visit(ast, null, '');

  s.prepend(`((${RESERVED_PREFIX}G, ${RESERVED_PREFIX}oog, ${RESERVED_PREFIX}deep) => {\n`);
  s.append(`\nreturn typeof ${BUNDLE_GLOBAL} === 'undefined' ? undefined : ${BUNDLE_GLOBAL};\n})\n`);
  return { code: s.toString(), functions, loops, handlers };
}
