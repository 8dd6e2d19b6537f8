import { amountText } from '../chain.js';
import { int } from '../format.js';

// What `zi demo` tells, step by step: one event type per step. Under --json each event is one JSON
// line (amounts as decimal strings of Li); otherwise one or a few lines of plain words each.

/** A solver's share of the work so far. */
export interface SolverTally {
  name: string;
  mcus: number;
  batches: number;
  /** Li received, payout fees taken off */
  earned: string;
}

/** The last event of `zi demo --json`: what ran, what it cost and earned, where the picture is. */
export interface DemoSummary {
  event: 'summary';
  contract: string;
  /** the PNG (absent only when the contract renders nothing) */
  picture: string | null;
  mcus: number;
  /** from starting the demo to the end of the story */
  wallMs: number;
  /** from the publish to the last payout in a block */
  jobMs: number;
  /** MCUs paid per second of the job */
  mcusPerSecond: number;
  payouts: number;
  blocks: number;
  solvers: { name: string; address: string; pid: number; mcus: number; batches: number; earned: string }[];
  bidder: {
    address: string;
    pid: number;
    /** what the transfer brought it */
    funded: string;
    balance: string;
    /** funded − balance: the escrow locked at publish and the publish fee */
    spent: string;
    escrow: string;
    /** Li the escrow paid out to solvers (payout fees included) */
    paidOut: string;
    /** Li left in escrow: refunded by `zi close` */
    escrowLeft: string;
    publishFee: string;
  };
  miner: { address: string; pid: number; balance: string; blocks: number; rewards: string; fees: string };
  /** solvers' earnings + payout fees = what the escrow paid out; the miner's fees = every fee paid */
  check: { solverEarnings: string; payoutFees: string; paidOut: string; feesPaid: string; ok: boolean };
  /** every process the demo started, all gone when it ends */
  processes: { label: string; pid: number }[];
  /** the demo's folder when --keep kept it */
  folder: string | null;
}

/** One step of the story. */
export type DemoEvent =
  | { event: 'folder'; dir: string; keep: boolean; solvers: number }
  | { event: 'scaffolded'; project: string; name: string }
  | { event: 'process'; label: string; pid: number; command: string }
  | { event: 'miner'; pid: number; rpc: string; peer: string; listen: string[]; address: string; mining: string }
  | { event: 'wallet'; name: string; address: string }
  | { event: 'funded'; to: string; amount: string; fee: string; tx: string; height: number | null }
  | { event: 'bidder'; pid: number; rpc: string; peer: string; listen: string[]; address: string }
  | { event: 'published'; contract: string; name: string; mcus: number; price: string; escrow: string; fee: string; height: number | null }
  | { event: 'solver'; name: string; pid: number; address: string; peer: string; height: number; peers: number }
  | {
      event: 'picked';
      solver: string;
      contract: string;
      price: string;
      gasPerMcu: number;
      measuredGasPerMcu: number;
      liPerGas: number;
      mcusPerSecond: number;
    }
  | { event: 'skipped'; solver: string; contract: string; reason: string; message: string }
  | {
      event: 'batch';
      solver: string;
      seq: number;
      mcus: number;
      amount: string;
      earned: string;
      payout: string;
      height: number | null;
    }
  | { event: 'capped'; solver: string; mcus: number; sizes: number[] }
  | { event: 'progress'; paid: number; total: number; percent: number; height: number; mcusPerSecond: number; solvers: SolverTally[] }
  | { event: 'solver-done'; solver: string; outcome: string; mcus: number; earned: string; message: string }
  | {
      event: 'complete';
      contract: string;
      paid: number;
      total: number;
      payouts: number;
      height: number;
      jobMs: number;
      mcusPerSecond: number;
    }
  | { event: 'stopped'; label: string; pid: number; code: number | null; signal: string | null }
  | { event: 'picture'; path: string | null; mcus: number; total: number; entries: number; results: string }
  | { event: 'failed'; code: string; message: string }
  | DemoSummary;

/** Prints the story: JSON lines, or plain lines with the seconds since the start. */
export class StoryPrinter {
  readonly #json: boolean;
  readonly #started: number;
  readonly #write: (text: string) => void;

  constructor(options: { json: boolean; started: number; write?: (text: string) => void }) {
    this.#json = options.json;
    this.#started = options.started;
    this.#write = options.write ?? ((text) => process.stdout.write(text));
  }

  /** Prints one step. */
  print(event: DemoEvent): void {
    if (this.#json) {
      this.#write(`${JSON.stringify(event)}\n`);
      return;
    }
    const lines = describe(event);
    if (lines.length === 0) return;
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(1).padStart(5);
    const [first = '', ...rest] = lines;
    const text =
      event.event === 'summary' ? lines.join('\n') : [`[${seconds}s] ${first}`, ...rest.map((line) => `         ${line}`)].join('\n');
    this.#write(`${text}\n`);
  }
}

/** "solver A  " — the fixed-width column that says who acts. */
function who(name: string): string {
  return name.padEnd(10);
}

function short(id: string): string {
  return id.length > 20 ? `${id.slice(0, 14)}…${id.slice(-4)}` : id;
}

function bar(fraction: number, width = 20): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}

/** The plain words of one step (empty: nothing worth a line). */
export function describe(e: DemoEvent): string[] {
  switch (e.event) {
    case 'folder':
      return [
        `${who('demo')}a miner, a bidder and ${plural(e.solvers, 'solver')}, each a separate zi process on 127.0.0.1`,
        `folder ${e.dir} (${e.keep ? 'kept afterwards' : 'deleted at the end; --keep keeps it'})`,
      ];
    case 'scaffolded':
      return [`${who('bidder')}scaffolded the ${e.name} job in ${e.project}`];
    case 'process':
      return [];
    case 'miner':
      return [
        `${who('miner')}pid ${e.pid}: a devnet node mining ${e.mining === 'instant' ? 'a block as soon as transactions arrive' : e.mining}`,
        `RPC ${e.rpc}, peer ${short(e.peer)}, rewards and fees to ${e.address}`,
      ];
    case 'wallet':
      return [`${who(e.name)}new wallet ${e.address}`];
    case 'funded':
      return [
        `${who('transfer')}devnet account 0 sent ${amountText(e.amount)} to the bidder's wallet (fee ${amountText(e.fee)}, block ${e.height ?? '?'})`,
      ];
    case 'bidder':
      return [
        `${who('bidder')}pid ${e.pid}: a node that does not mine; it serves the solver sessions of ${short(e.address)}'s contracts`,
        `RPC ${e.rpc}, peer ${short(e.peer)}, connected to the miner`,
      ];
    case 'published':
      return [
        `${who('publish')}${e.name} ${e.contract}`,
        `${int(e.mcus)} MCUs at ${amountText(e.price)} each: escrow of ${amountText(e.escrow)} locked on chain (fee ${amountText(e.fee)}, block ${e.height ?? '?'})`,
      ];
    case 'solver':
      return [`${who(e.name)}pid ${e.pid}: wallet ${short(e.address)}, joined ${plural(e.peers, 'peer')} and synced to block ${e.height}`];
    case 'picked':
      return [
        `${who(e.solver)}measured ${int(e.measuredGasPerMcu)} gas per MCU here (${int(e.mcusPerSecond)} MCU/s on one core; the contract allows ${int(e.gasPerMcu)}):`,
        `${amountText(e.price)} per MCU is ${e.liPerGas.toPrecision(3)} Li per gas, the best open offer: it takes ${short(e.contract)}`,
      ];
    case 'skipped':
      return [`${who(e.solver)}passed over ${short(e.contract)}: ${e.reason}: ${e.message}`];
    case 'batch': {
      const fee = BigInt(e.amount) - BigInt(e.earned);
      return [
        `${who(e.solver)}batch ${e.seq}: ${plural(e.mcus, 'MCU')} validated by the bidder, payout of ${amountText(e.amount)} (${amountText(fee)} fee to the miner) in block ${e.height ?? '?'}`,
      ];
    }
    case 'capped':
      return [
        `${who(e.solver)}batches grew ${e.sizes.join(', ')} MCUs and stay at ${int(e.mcus)}, the bidder's cap; progress from here on every 10%`,
      ];
    case 'progress':
      return [
        `${who('progress')}${bar(e.percent / 100)} ${String(e.percent).padStart(3)}%  ${int(e.paid)} of ${int(e.total)} MCUs paid by block ${e.height}, ${int(e.mcusPerSecond)} MCU/s`,
        e.solvers.map((s) => `${s.name} ${int(s.mcus)} MCUs, ${amountText(s.earned)}`).join(' · '),
      ];
    case 'solver-done':
      return [
        `${who(e.solver)}finished (${e.outcome}): ${plural(e.mcus, 'MCU')}, earned ${amountText(e.earned)}${e.message ? `; ${e.message}` : ''}`,
      ];
    case 'complete':
      return [
        `${who('done')}all ${int(e.total)} MCUs paid in ${plural(e.payouts, 'payout')} by block ${e.height}: ${(e.jobMs / 1000).toFixed(1)} s from publish to the last payout, ${int(e.mcusPerSecond)} MCU/s`,
      ];
    case 'stopped':
      return [`${who('stopped')}${e.label} (pid ${e.pid}) ${e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`}`];
    case 'picture':
      return [
        `${who('picture')}${int(e.mcus)} of ${int(e.total)} MCUs of results from the bidder's node, merged by the contract's union and drawn by its render in the sandbox`,
        e.path ? `${e.path}` : 'the contract draws no picture',
      ];
    case 'failed':
      return [`${who('FAILED')}${e.code}: ${e.message}`];
    case 'summary':
      return summaryLines(e);
  }
}

function summaryLines(s: DemoSummary): string[] {
  const lines = ['', 'Balances'];
  for (const solver of s.solvers) {
    lines.push(
      `  ${solver.name.padEnd(9)} ${solver.address}  +${amountText(solver.earned)} for ${int(solver.mcus)} MCUs in ${int(solver.batches)} batches`,
    );
  }
  lines.push(
    `  bidder    ${s.bidder.address}  spent ${amountText(s.bidder.spent)}: escrow ${amountText(s.bidder.escrow)} (${amountText(s.bidder.paidOut)} paid out, ${amountText(s.bidder.escrowLeft)} left) + publish fee ${amountText(s.bidder.publishFee)}`,
    `  miner     ${s.miner.address}  ${amountText(s.miner.balance)}: ${int(s.miner.blocks)} blocks × reward = ${amountText(s.miner.rewards)}, + ${amountText(s.miner.fees)} in fees`,
    `  check     solvers ${amountText(s.check.solverEarnings)} + payout fees ${amountText(s.check.payoutFees)} = ${amountText(s.check.paidOut)} paid out of escrow${s.check.ok ? '' : '  MISMATCH'}`,
    '',
    `The job: ${int(s.mcus)} MCUs in ${(s.jobMs / 1000).toFixed(1)} s (${int(s.mcusPerSecond)} MCU/s), ${int(s.payouts)} payouts in ${int(s.blocks)} blocks; the whole demo ${(s.wallMs / 1000).toFixed(1)} s.`,
  );
  if (s.folder) lines.push(`Kept the demo's folder: ${s.folder}`);
  if (s.picture) lines.push(`Open ${s.picture} to see the Mandelbrot set.`);
  return lines;
}
