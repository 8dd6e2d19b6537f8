import type { PayoutTx } from '@zi/spec';
import type { SendResultJson } from '../api/types.js';
import type { ZiNode } from '../node.js';

export interface WaitForInclusionOptions {
  /** give up after this many head changes without the transaction (default: never) */
  maxBlocks?: number;
  signal?: AbortSignal;
}

/**
 * Resolves `true` once transaction `id` is in `node`'s main chain (at once if it already is),
 * `false` after `maxBlocks` head changes without it. Rejects with the signal's reason on abort.
 *
 * @example
 * const { id } = await node.submit(payout);
 * await waitForInclusion(node, id, { maxBlocks: 6 });
 */
export function waitForInclusion(node: ZiNode, id: string, options: WaitForInclusionOptions = {}): Promise<boolean> {
  const { maxBlocks = Number.POSITIVE_INFINITY, signal } = options;
  if (node.queries.transactionLocation(id)) return Promise.resolve(true);
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (maxBlocks <= 0) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    let blocks = 0;
    const done = (): void => {
      node.off('head', onHead);
      signal?.removeEventListener('abort', onAbort);
    };
    const onHead = (): void => {
      if (node.queries.transactionLocation(id)) {
        done();
        resolve(true);
      } else if (++blocks >= maxBlocks) {
        done();
        resolve(false);
      }
    };
    const onAbort = (): void => {
      done();
      reject(signal?.reason);
    };
    node.on('head', onHead);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Where a solver sends the payouts it was paid, and how it learns they are in a block. */
export interface PayoutSink {
  submit(payout: PayoutTx): Promise<SendResultJson>;
  /** resolves `true` once the payout is in the main chain, `false` when it gave up */
  waitForInclusion?(id: string, signal?: AbortSignal): Promise<boolean>;
}

/**
 * A {@link PayoutSink} over a local node: submit to its mempool, wait for its main chain (at most
 * `maxBlocks` head changes, default 12).
 */
export function nodePayoutSink(node: ZiNode, options: { maxBlocks?: number } = {}): PayoutSink {
  const maxBlocks = options.maxBlocks ?? 12;
  return {
    submit: (payout) => node.submit(payout),
    waitForInclusion: (id, signal) => waitForInclusion(node, id, signal ? { maxBlocks, signal } : { maxBlocks }),
  };
}
