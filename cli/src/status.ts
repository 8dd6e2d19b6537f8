import { type ContractStatusJson, createRpcClient, type RpcClient, subscribeNewHeads } from '@zi/node';
import { amountText, rangesText } from './chain.js';
import { CliError, EXIT } from './errors.js';
import { int } from './format.js';

/**
 * The status of `contract` as the node at `rpc` sees it (`zi_status`): MCUs paid and stored,
 * solvers, escrow, live sessions, the last payout and, when nobody seems to be solving, why.
 *
 * @example
 * const status = await fetchStatus('http://127.0.0.1:8645', contract);
 * for (const line of statusLines(status)) console.log(line);
 */
export function fetchStatus(rpc: string | RpcClient, contract: string): Promise<ContractStatusJson> {
  const client = typeof rpc === 'string' ? createRpcClient(rpc) : rpc;
  return client.call('zi_status', { contract: contract.trim() });
}

/** "12.5%" of `part` in `whole`, with one decimal (a tenth of a percent shows early progress). */
function percent(part: number, whole: number): string {
  return `${(whole === 0 ? 100 : (part / whole) * 100).toFixed(1)}%`;
}

/** "12 s ago", "3 min ago", "2 h ago" */
function ago(time: number, now: number): string {
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** The lines `zi status` prints: a table of the job, then why nobody is solving, when it thinks so. */
export function statusLines(s: ContractStatusJson, now: number = Date.now()): string[] {
  const state = s.done ? 'done' : s.status;
  const lines = [
    `Contract ${s.contract} (${s.name}), ${state}`,
    `  MCUs        ${int(s.paidMcus)} of ${int(s.mcus)} solved (${percent(s.paidMcus, s.mcus)})${s.storedMcus > 0 || s.serving ? `, results of ${int(s.storedMcus)} kept here` : ''}`,
    `  solved      ${rangesText(s.solvedRanges)}`,
    `  batches     ${int(s.batches)} paid`,
    `  solvers     ${s.solvers.length}`,
  ];
  for (const solver of s.solvers) {
    lines.push(`    ${solver.address}  ${int(solver.mcus)} MCUs in ${int(solver.batches)} batches  ${amountText(solver.amount)}`);
  }
  lines.push(
    `  price       ${amountText(s.price)} per MCU (${int(s.gasPerMcu)} gas per MCU at most)`,
    `  escrow      ${amountText(s.budget)} at publish, ${amountText(s.spent)} spent, ${amountText(s.left)} left`,
    `  sessions    ${s.sessions === undefined ? 'not served by this node' : `${s.sessions} live`}`,
    `  last paid   ${s.lastPaid ? `block ${s.lastPaid.height}, ${ago(s.lastPaid.time, now)}` : 'never'} (head: block ${s.head.height})`,
  );
  if (s.diagnosis.length > 0) {
    lines.push(s.done || s.status === 'closed' ? '' : 'Nobody seems to be solving it:');
    for (const d of s.diagnosis) lines.push(`  ${d.code}: ${d.text}`);
  }
  return lines;
}

/** What {@link watchStatus} needs. */
export interface WatchStatusOptions {
  /** the node's RPC URL (its WebSocket is at `/ws`) */
  rpc: string;
  contract: string;
  /** called with the status now, then after every new head */
  onStatus: (status: ContractStatusJson) => void;
  /** stops watching (the promise then resolves with the last status) */
  signal?: AbortSignal;
}

/**
 * Reports the status now and after every new head of the node (a `newHeads` subscription), until
 * the contract is done or closed, or `signal` aborts. Resolves with the last status.
 *
 * @throws CliError CLI_NODE_GONE when the node closes the connection meanwhile; the errors of `zi_status`
 */
export async function watchStatus(options: WatchStatusOptions): Promise<ContractStatusJson> {
  const client = createRpcClient(options.rpc);
  let last = await fetchStatus(client, options.contract);
  options.onStatus(last);
  const finished = (s: ContractStatusJson) => s.done || s.status === 'closed';
  if (finished(last) || options.signal?.aborted) return last;
  return new Promise<ContractStatusJson>((resolve, reject) => {
    let busy = false;
    let again = false;
    let ended = false;
    const end = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      options.signal?.removeEventListener('abort', onAbort);
      void subscription.then((sub) => sub.close()).catch(() => undefined);
      if (error === undefined) resolve(last);
      else reject(error);
    };
    const onAbort = (): void => end();
    // One status request at a time; heads that arrive meanwhile ask for one more.
    const refresh = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          last = await fetchStatus(client, options.contract);
          if (ended) return;
          options.onStatus(last);
          if (finished(last)) return end();
        } while (again);
      } catch (error) {
        end(error);
      } finally {
        busy = false;
      }
    };
    const subscription = subscribeNewHeads(options.rpc, {
      onHead: () => void refresh(),
      onClose: (error) =>
        end(
          new CliError(
            'CLI_NODE_GONE',
            `the node at ${options.rpc} closed the connection while watching${error ? ` (${error.message})` : ''}`,
            'is the node still running? Start it again and rerun the command',
            EXIT.environment,
          ),
        ),
    });
    subscription.then(
      // A head between the first status and the subscription would be missed: ask once more.
      () => void refresh(),
      (error: unknown) => end(error),
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
