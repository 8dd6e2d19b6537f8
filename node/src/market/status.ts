import { countIndices, decodeBlock, formatAmount, type PayoutTx } from '@zi/spec';
import type { ContractStatusJson, DiagnosisJson, SolverShareJson } from '../api/types.js';
import type { ZiNode } from '../node.js';
import { requireContract } from '../state/apply.js';
import { type ContractEntry, decodeSolved, solvedKey } from '../state/entries.js';

/** How {@link ContractStatusReader} judges that nobody is solving. */
export interface ContractStatusOptions {
  /** a contract with no payout in this many blocks is stalled, seen from a node that does not serve it (default 10) */
  stallBlocks?: number;
  /** refusals newer than this many ms count as "recent" (default 10 minutes) */
  recentMs?: number;
  /** the largest batch when this node does not serve the contract (SES-3; default 256, the bidder's default) */
  maxBatch?: number;
  /** the clock (default `Date.now`) */
  now?: () => number;
}

/** A payout of the contract in the main chain, as the status needs it. */
interface PaidBatch {
  solver: string;
  mcus: number;
  amount: bigint;
  height: number;
  time: number;
}

/**
 * Reads how a contract is going (`zi_status`): progress on chain, the results this node keeps,
 * per-solver payouts, escrow, live sessions, and — when nobody seems to be solving — the reasons
 * this node can see, each one checked, none guessed.
 *
 * Stalled means: open, MCUs unpaid, and, on the node serving the contract's sessions, no session
 * live; on any other node (which cannot see sessions), no payout in the last `stallBlocks` blocks.
 *
 * A payout in a block never changes, so each is decoded once and remembered by block and id.
 */
export class ContractStatusReader {
  readonly #node: ZiNode;
  readonly #stallBlocks: number;
  readonly #recentMs: number;
  readonly #maxBatch: number;
  readonly #now: () => number;
  readonly #paid = new Map<string, PaidBatch>();

  constructor(node: ZiNode, options: ContractStatusOptions = {}) {
    const { stallBlocks = 10, recentMs = 600_000, maxBatch = 256 } = options;
    if (!Number.isSafeInteger(stallBlocks) || stallBlocks < 1)
      throw new RangeError('ContractStatusReader: stallBlocks must be a positive integer');
    if (!(recentMs >= 0)) throw new RangeError('ContractStatusReader: recentMs must be a non-negative number');
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError('ContractStatusReader: maxBatch must be a positive integer');
    this.#node = node;
    this.#stallBlocks = stallBlocks;
    this.#recentMs = recentMs;
    this.#maxBatch = maxBatch;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The status of `contractId` at the node's head.
   *
   * @throws NodeError NODE_CONTRACT_UNKNOWN
   */
  status(contractId: string): ContractStatusJson {
    const node = this.#node;
    const entry = requireContract(node.chain.state, contractId);
    const head = node.chain.head();
    const batches = this.#payouts(contractId, entry.payouts);
    const solvers = new Map<string, SolverShareJson & { li: bigint }>();
    for (const batch of batches) {
      const share = solvers.get(batch.solver) ?? { address: batch.solver, mcus: 0, batches: 0, amount: '0', li: 0n };
      share.mcus += batch.mcus;
      share.batches++;
      share.li += batch.amount;
      solvers.set(batch.solver, share);
    }
    const last = batches[0];
    const stored = node.results.summary(contractId);
    const bidder = node.bidder;
    const serving = node.servesSessions(contractId);
    const sessions = serving && bidder ? bidder.sessionsOf(contractId) : undefined;
    const refusals = bidder && bidder.address === entry.bidder ? bidder.recentRefusals(contractId) : [];
    const done = entry.paid >= entry.mcus;
    const status: ContractStatusJson = {
      contract: contractId,
      name: entry.name,
      bidder: entry.bidder,
      status: entry.status,
      done,
      price: entry.price.toString(),
      gasPerMcu: entry.gasPerMcu,
      mcus: entry.mcus,
      paidMcus: entry.paid,
      solvedRanges: decodeSolved(node.chain.state.get(solvedKey(contractId))).map((r) => ({ from: r.from, count: r.count })),
      storedMcus: stored.mcus,
      batches: entry.payouts,
      storedBatches: stored.batches,
      solvers: [...solvers.values()]
        .sort((a, b) => b.mcus - a.mcus || (a.address < b.address ? -1 : 1))
        .map(({ li, ...share }) => ({ ...share, amount: li.toString() })),
      budget: entry.budget.toString(),
      spent: entry.spent.toString(),
      left: entry.escrow.toString(),
      serving,
      ...(sessions === undefined ? {} : { sessions }),
      ...(last ? { lastPaid: { payout: last.id, height: last.height, time: last.time } } : {}),
      head: { height: head.height, time: head.time },
      refusals: refusals.map((r) => ({
        time: r.time,
        ...(r.solver === undefined ? {} : { solver: r.solver }),
        ...(r.seq === undefined ? {} : { seq: r.seq }),
        reason: r.reason,
        message: r.message,
      })),
      diagnosis: [],
    };
    status.diagnosis = this.#diagnose(contractId, entry, status);
    return status;
  }

  /** The contract's payouts in the main chain, newest first. */
  #payouts(contractId: string, count: number): (PaidBatch & { id: string })[] {
    if (count === 0) return [];
    const { chain, queries } = this.#node;
    const blocks = new Map<string, ReturnType<typeof decodeBlock>>();
    // A reorg may leave more rows than the entry's count for a moment: ask for some slack.
    return queries.payouts(contractId, count + 64).map((row) => {
      // Keyed by block too: after a reorg the same payout may sit in another block, at another time.
      const key = `${row.block}/${row.id}`;
      const known = this.#paid.get(key);
      if (known) return { ...known, id: row.id };
      let block = blocks.get(row.block);
      if (!block) {
        const bytes = chain.blockBytes(row.block);
        if (!bytes) throw new Error(`the txs table names block ${row.block}, which is not stored`);
        block = decodeBlock(bytes);
        blocks.set(row.block, block);
      }
      const tx = block.txs[row.index];
      if (tx?.type !== 'payout') throw new Error(`the txs table points payout ${row.id} at a ${tx?.type ?? 'missing'} transaction`);
      const paid = payoutOf(tx, row.height, block.header.time);
      this.#paid.set(key, paid);
      return { ...paid, id: row.id };
    });
  }

  /** Each reason this node can see for nobody solving; empty while the contract is being solved. */
  #diagnose(contractId: string, entry: ContractEntry, status: ContractStatusJson): DiagnosisJson[] {
    if (status.done) return [{ code: 'DONE', text: `every one of the ${entry.mcus} MCUs is paid: nothing is left to solve` }];
    if (entry.status === 'closed')
      return [
        {
          code: 'CLOSED',
          text: `the bidder closed the contract with ${entry.mcus - entry.paid} MCUs unpaid; solvers cannot be paid for it`,
        },
      ];
    const recentlyPaid = status.lastPaid !== undefined && status.head.height - status.lastPaid.height < this.#stallBlocks;
    const stalled = status.sessions === undefined ? !recentlyPaid : status.sessions === 0;
    if (!stalled) return [];
    const node = this.#node;
    const out: DiagnosisJson[] = [];
    const network = node.network;
    if (!network)
      out.push({ code: 'NO_PEERS', text: 'this node is not on the peer-to-peer network: no solver can reach it (start it with --listen)' });
    else if (network.peers().length === 0)
      out.push({
        code: 'NO_PEERS',
        text: 'this node has no peers: no solver is connected to it (check --listen, --bootstrap, and that solvers can reach this address)',
      });
    if (!status.serving) out.push({ code: 'NOT_SERVING', text: this.#notServingText(entry) });
    else if (network && !network.content.has(entry.bundle)) {
      out.push({
        code: 'BUNDLE_UNAVAILABLE',
        text: `this node does not have the bundle ${entry.bundle}: solvers cannot fetch it here and this node cannot validate batches (publish it with its code, or put the bundle in the node's content store)`,
      });
    }
    const below = this.#priceBelowOthers(contractId, entry);
    if (below) out.push({ code: 'PRICE_BELOW_OTHERS', text: below });
    const low = this.#escrowLow(contractId, entry);
    if (low) out.push({ code: 'ESCROW_LOW', text: low });
    const since = this.#now() - this.#recentMs;
    const recent = status.refusals.filter((r) => r.time >= since);
    const latest = recent[0];
    if (latest) {
      out.push({
        code: 'REFUSING',
        text: `this node refused ${recent.length} batch${recent.length === 1 ? '' : 'es'} or session${recent.length === 1 ? '' : 's'} in the last ${Math.round(this.#recentMs / 60_000)} min; the last: ${latest.reason}: ${latest.message}`,
      });
    }
    if (out.length === 0) {
      out.push({
        code: 'NO_SOLVERS',
        text:
          status.sessions === 0
            ? 'no solver has a session open, and nothing this node can see stops them: solvers may be busy with other contracts, or none is online'
            : `no batch was paid in the last ${this.#stallBlocks} blocks, and nothing this node can see explains it`,
      });
    }
    return out;
  }

  #notServingText(entry: ContractEntry): string {
    const bidder = this.#node.bidder;
    if (entry.validator !== undefined) return `its payouts are signed by the validator ${entry.validator}, not by this node (VAL-1)`;
    if (!bidder) return `this node does not serve solver sessions (start the bidder's node with --bidder and the key of ${entry.bidder})`;
    if (bidder.address !== entry.bidder)
      return `this node serves the sessions of ${bidder.address}, but the contract's bidder is ${entry.bidder}: start a node with that key`;
    return 'this node does not serve solver sessions for it';
  }

  /**
   * Solvers rank contracts by Li per gas (the price over the gas per MCU): below the median of
   * the other open contracts with work and escrow left, this one is picked after them.
   */
  #priceBelowOthers(contractId: string, entry: ContractEntry): string | undefined {
    const others = this.#node.queries
      .contracts()
      .filter(({ id, entry: e }) => id !== contractId && e.status === 'open' && e.paid < e.mcus && e.escrow >= e.price)
      .map(({ entry: e }) => ({ price: e.price, gas: BigInt(Math.max(1, e.gasPerMcu)) }))
      .sort((a, b) => compareRatio(a.price, a.gas, b.price, b.gas));
    if (others.length === 0) return undefined;
    const price = entry.price;
    const gas = BigInt(Math.max(1, entry.gasPerMcu));
    const middle = others.length >> 1;
    const high = others[middle] as { price: bigint; gas: bigint };
    const low = others.length % 2 === 1 ? high : (others[middle - 1] as { price: bigint; gas: bigint });
    // price/gas < (low + high) / 2, without dividing: 2·price·gl·gh < (pl·gh + ph·gl)·gas.
    if (2n * price * low.gas * high.gas >= (low.price * high.gas + high.price * low.gas) * gas) return undefined;
    const median = (Number(low.price) / Number(low.gas) + Number(high.price) / Number(high.gas)) / 2;
    return `its price, ${formatAmount(price)} per MCU of at most ${entry.gasPerMcu} gas (${perGas(Number(price) / Number(gas))} Li per gas), is below the median of the ${others.length} other open contract${others.length === 1 ? '' : 's'} (${perGas(median)} Li per gas): solvers take the best-paying work first`;
  }

  /** The escrow cannot pay the next full batch (or not even one MCU): the bidder refuses such batches. */
  #escrowLow(contractId: string, entry: ContractEntry): string | undefined {
    const bidder = this.#node.bidder;
    const serves = bidder !== undefined && bidder.address === entry.bidder;
    const left = serves ? bidder.escrowLeft(contractId) : entry.escrow;
    const maxBatch = serves ? bidder.maxBatch : this.#maxBatch;
    const batch = entry.price * BigInt(Math.min(maxBatch, entry.mcus - entry.paid));
    if (left >= batch) return undefined;
    if (left < entry.price)
      return `the escrow has ${formatAmount(left)} left, less than one MCU at ${formatAmount(entry.price)}: nobody can be paid (close it, and publish again with a bigger budget)`;
    return `the escrow has ${formatAmount(left)} left, less than a full batch of ${Math.min(maxBatch, entry.mcus - entry.paid)} MCUs at ${formatAmount(entry.price)} (${formatAmount(batch)}): batches stop growing and bigger ones are refused`;
  }
}

function payoutOf(tx: PayoutTx, height: number, time: number): PaidBatch {
  return { solver: tx.solver, mcus: countIndices(tx.ranges), amount: tx.amount, height, time };
}

/** Sign of pa/ga − pb/gb for positive gas. */
function compareRatio(pa: bigint, ga: bigint, pb: bigint, gb: bigint): number {
  const left = pa * gb;
  const right = pb * ga;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Li per gas for people: three significant digits. */
function perGas(value: number): string {
  return value.toPrecision(3);
}
