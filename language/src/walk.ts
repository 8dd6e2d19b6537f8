/**
 * Generic traversal of the AST: the children of any node, a depth-first walk and the tree's
 * depth, all without recursion so that no tree can overflow the stack.
 * @module
 */

import type { Node } from './ast.js';

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

/**
 * The direct children of a node, in source order of their fields (every field holding a node or
 * an array of nodes; spans are not nodes).
 *
 * @example
 * ```ts
 * childrenOf(binary); // [binary.left, binary.right]
 * ```
 */
export function childrenOf(node: Node): Node[] {
  const out: Node[] = [];
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const element of value) if (isNode(element)) out.push(element);
    } else if (isNode(value)) out.push(value);
  }
  return out;
}

/**
 * Calls `visit` for `root` and every node below it, parents before children, children in order.
 * Return `false` from `visit` to skip a node's children.
 */
export function walk(root: Node, visit: (node: Node, depth: number) => boolean | undefined): void {
  const stack: { node: Node; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (top === undefined) break;
    if (visit(top.node, top.depth) === false) continue;
    const children = childrenOf(top.node);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] as Node, depth: top.depth + 1 });
  }
}

/** The number of nodes on the longest path from `root` down (a leaf has depth 1). */
export function treeDepth(root: Node): number {
  let max = 0;
  walk(root, (_node, depth) => {
    if (depth + 1 > max) max = depth + 1;
    return true;
  });
  return max;
}
