import type { ResultEntry } from './contract.js';
import { deepEqual } from './equal.js';

/** Thrown by {@link defaultUnion} when two result sets disagree on an index. */
export class UnionConflictError extends Error {
  readonly code = 'SDK_UNION_CONFLICT';
  readonly index: number;
  constructor(index: number) {
    super(`results disagree at index ${index}: two solvers returned different outputs for the same input`);
    // Defined, not assigned: inside the sandbox Error.prototype is frozen, and assigning `name`
    // over a frozen inherited property throws.
    Object.defineProperty(this, 'name', { value: 'UnionConflictError', enumerable: false, configurable: true, writable: true });
    this.index = index;
  }
}

/**
 * The default union: both sets merged in index order; an index present in both must carry equal
 * outputs, else {@link UnionConflictError}. Each input set must already be ordered by index.
 *
 * @example
 * defaultUnion([{ index: 0, output: 1 }], [{ index: 1, output: 4 }]); // both, ordered
 */
export function defaultUnion<O>(a: readonly ResultEntry<O>[], b: readonly ResultEntry<O>[]): ResultEntry<O>[] {
  const out: ResultEntry<O>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x !== undefined && (y === undefined || x.index < y.index)) {
      out.push(x);
      i++;
    } else if (y !== undefined && (x === undefined || y.index < x.index)) {
      out.push(y);
      j++;
    } else if (x !== undefined && y !== undefined) {
      if (!deepEqual(x.output, y.output)) throw new UnionConflictError(x.index);
      out.push(x);
      i++;
      j++;
    }
  }
  return out;
}
