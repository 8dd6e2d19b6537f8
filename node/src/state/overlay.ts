import { type StateChange, toHex } from '@zi/spec';
import type { StateReader } from './entries.js';

/**
 * Pending writes over a state: reads see the writes, nothing reaches the base until the caller
 * takes `changes()` and commits them. A rejected transaction or block is dropped by dropping its
 * overlay, so it never changes state.
 */
export class StateOverlay implements StateReader {
  readonly #base: StateReader;
  readonly #writes = new Map<string, StateChange>();

  constructor(base: StateReader) {
    this.#base = base;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const write = this.#writes.get(toHex(key));
    if (write) return write.value ?? undefined;
    return this.#base.get(key);
  }

  set(key: Uint8Array, value: Uint8Array | null): void {
    this.#writes.set(toHex(key), { key, value });
  }

  /** A child overlay for one transaction: merged into this one only if the transaction applies. */
  child(): StateOverlay {
    return new StateOverlay(this);
  }

  /** Moves this overlay's writes into `parent` (which must be the base it was made over). */
  mergeInto(parent: StateOverlay): void {
    for (const change of this.#writes.values()) parent.set(change.key, change.value);
  }

  /** Every write, one per key (STATE-1 sorts them). */
  changes(): StateChange[] {
    return [...this.#writes.values()];
  }
}
