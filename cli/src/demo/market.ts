import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { type ContractJson, createRpcClient, NodeError, type RpcClient } from '@zi/node';
import { type SandboxPool, scaffoldProject } from '@zi/runtime';
import { parseAmount } from '@zi/spec';
import { templateDir } from '@zi/templates';
import { sdkPackageDir } from '../commands/init.js';
import { CliError, EXIT } from '../errors.js';
import { writeResults } from '../results.js';
import { balancesOf } from './balances.js';
import { ProcessFailure, type ZiProcess } from './processes.js';
import { type DemoEvent, type DemoSummary, StoryPrinter } from './story.js';
import { deferred, Supervisor } from './supervisor.js';
import { JobTally } from './tally.js';

/** What {@link runMarketDemo} needs. */
export interface MarketDemoOptions {
  /** the `zi` bin script the children run (cli/bin/run.js) */
  bin: string;
  /** solver processes (default 2) */
  solvers?: number;
  /** keep the demo's folder (chains, keys, results) instead of deleting it */
  keep?: boolean;
  /** where the picture goes (default: a `zi-demo-….png` in the system's temp folder) */
  out?: string;
  /** JSON lines instead of plain words */
  json: boolean;
  /** how long a step may take, or the job go without a paid batch, before the demo gives up (default 60 s) */
  stallMs?: number;
  /** where the contract's union and render run for the picture */
  pool: SandboxPool;
}

/** The price per MCU the demo's bidder offers. */
export const DEMO_PRICE = '100 Li';
/** What devnet account 0 sends the bidder's fresh wallet: the escrow of 80,000 MCUs at 100 Li, the fee, and change. */
export const DEMO_FUNDING = '1 Zi';
/** The passphrase of the demo's throwaway wallets (their folder is deleted at the end). */
const DEMO_PASSPHRASE = 'zi-demo';
const LOOPBACK = '/ip4/127.0.0.1/tcp/0';
/** What a solver's `done` outcome means in the demo. */
const SOLVER_OUTCOMES: Record<string, string> = { idle: 'no open contract left to solve', aborted: 'stopped by the demo' };

/** A node the demo started, as its `started` line describes it. */
interface StartedNode {
  process: ZiProcess;
  rpc: string;
  client: RpcClient;
  /** its first dialable address */
  address: string;
  started: Record<string, unknown>;
}

interface Solver {
  readonly name: string;
  readonly wallet: string;
  readonly dir: string;
  address: string;
  process?: ZiProcess;
  /** it said `done`: an exit with code 0 after it is how a solver leaves */
  done: boolean;
}

/** A field of a child's JSON line, as the type its command documents. */
function field<T>(event: Record<string, unknown>, key: string): T {
  return event[key] as T;
}

/**
 * `zi demo`: the whole market on this machine, each role a separate `zi` process on 127.0.0.1 —
 * a miner (`zi node start --mine instant`), a bidder (`zi node start --bidder`, funded by a
 * transfer from a devnet account, publishing the mandelbrot job through its own node) and
 * `solvers` solvers (`zi solve`, each with its own wallet and chain) — run until every MCU is paid
 * on chain, told step by step. Then the picture, drawn from the results the bidder's node kept,
 * and the balances. Every child is stopped on every way out (SIGINT, then SIGKILL to its process
 * group); the temporary folder is deleted unless `keep`.
 *
 * @throws CliError CLI_DEMO_PROCESS_FAILED (a child exited or reported an error), CLI_DEMO_STALLED
 *   (a step or the next paid batch took longer than `stallMs`), CLI_DEMO_SOLVERS_IDLE (every solver
 *   left before the job was done), CLI_INTERRUPTED (SIGINT, SIGTERM or SIGHUP; exit 130)
 */
export async function runMarketDemo(options: MarketDemoOptions): Promise<DemoSummary> {
  return new MarketDemo(options).run();
}

class MarketDemo {
  readonly #options: MarketDemoOptions;
  readonly #started = performance.now();
  readonly #story: StoryPrinter;
  readonly #stallMs: number;
  /** story steps are printed in order, even those that wait for a lookup */
  #queue: Promise<void> = Promise.resolve();
  #root = '';
  #supervisor: Supervisor | undefined;
  #miner: StartedNode | undefined;
  #bidder: StartedNode | undefined;
  #solvers: Solver[] = [];
  #tally: JobTally | undefined;
  #height = 0;
  #publishedAt = 0;
  #lastProgress = performance.now();
  /** wakes the wait for the end of the job early (a batch, a solver leaving) */
  #wake = deferred<void>();

  constructor(options: MarketDemoOptions) {
    this.#options = options;
    this.#stallMs = options.stallMs ?? 60_000;
    this.#story = new StoryPrinter({ json: options.json, started: this.#started });
  }

  async run(): Promise<DemoSummary> {
    this.#root = await mkdtemp(join(tmpdir(), 'zi-demo-'));
    const home = join(this.#root, 'home');
    await mkdir(home, { recursive: true });
    const supervisor = new Supervisor({
      bin: this.#options.bin,
      cwd: this.#root,
      // ZI_HOME in the folder: nothing a child does touches ~/.zi.
      env: { ZI_HOME: home, ZI_PASSPHRASE: DEMO_PASSPHRASE, ZI_RPC: '' },
      stallMs: this.#stallMs,
      onStart: (child) => this.#tell({ event: 'process', label: child.label, pid: child.pid, command: `zi ${child.args.join(' ')}` }),
      onStopped: (child, exit) =>
        this.#tell({ event: 'stopped', label: child.label, pid: child.pid, code: exit.code, signal: exit.signal }),
    });
    this.#supervisor = supervisor;
    const onSignal = (signal: NodeJS.Signals): void => supervisor.interrupt(signal);
    // SIGHUP too: the children are in sessions of their own, so a closed terminal would not end them.
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, onSignal);
    try {
      return await this.#market(supervisor);
    } catch (error) {
      const shown = error instanceof ProcessFailure ? supervisor.processError(error) : error;
      if (this.#options.json && shown instanceof CliError) this.#story.print({ event: 'failed', code: shown.code, message: shown.message });
      throw shown;
    } finally {
      await this.#queue;
      await supervisor.stopAll([this.#solvers.map((s) => s.process), [this.#bidder?.process, this.#miner?.process]]);
      await this.#queue;
      for (const signal of signals) process.off(signal, onSignal);
      if (!this.#options.keep) await rm(this.#root, { recursive: true, force: true });
    }
  }

  async #market(supervisor: Supervisor): Promise<DemoSummary> {
    const { solvers: count = 2, keep = false } = this.#options;
    const root = this.#root;
    this.#tell({ event: 'folder', dir: root, keep, solvers: count });
    const project = join(root, 'mandelbrot');
    await scaffoldProject({ templateDir: templateDir('mandelbrot'), targetDir: project, sdkDir: sdkPackageDir() });
    this.#tell({ event: 'scaffolded', project, name: 'mandelbrot' });
    this.#solvers = Array.from({ length: count }, (_, i) => {
      const letter = String.fromCharCode(65 + i);
      const id = `solver-${letter.toLowerCase()}`;
      return { name: `solver ${letter}`, wallet: id, dir: join(root, id), address: '', done: false };
    });

    // The miner first; the wallets are made while it starts.
    const minerStarting = this.#startNode('miner', ['--mine', 'instant']);
    const wallets = this.#makeWallets();
    // Awaited once the miner runs; failing before that must not count as unhandled.
    wallets.catch(() => undefined);
    const miner = await minerStarting;
    const bidderAddress = await supervisor.until(wallets, 'the wallets were not made');
    const { bidder, funding } = await this.#fundAndStartBidder(miner, bidderAddress);
    const contract = await this.#publish(bidder, project);

    // The solvers join through the bidder's node: the first peer they reach serves the sessions.
    this.#lastProgress = performance.now();
    for (const solver of this.#solvers) this.#startSolver(solver, bidder.address);
    const done = await this.#untilPaid(bidder.client, contract.id);
    const jobMs = performance.now() - this.#publishedAt;
    const mcusPerSecond = Math.round((done.paid * 1000) / jobMs);
    this.#tell({
      event: 'complete',
      contract: contract.id,
      paid: done.paid,
      total: done.mcus,
      payouts: done.payouts,
      height: this.#height,
      jobMs: Math.round(jobMs),
      mcusPerSecond,
    });

    // The solvers leave on their own once nothing is left; those still running are stopped.
    await Promise.all(this.#solvers.map((solver) => supervisor.stop(solver.process)));
    const shares = this.#tally?.shares() ?? [];
    const balances = await supervisor.until(
      balancesOf({
        client: miner.client,
        contract: contract.id,
        solvers: this.#solvers.map((s, i) => ({
          name: s.name,
          address: s.address,
          pid: s.process?.pid ?? 0,
          mcus: shares[i]?.mcus ?? 0,
          batches: shares[i]?.batches ?? 0,
        })),
        bidder: { address: bidderAddress, pid: bidder.process.pid, funded: funding.amount, publishFee: contract.fee },
        miner: { address: field(miner.started, 'miner'), pid: miner.process.pid },
        transferFee: funding.fee,
      }),
      'the miner’s node did not tell the balances',
    );
    const picture = await this.#picture(bidder.rpc, contract.id);
    supervisor.ending();
    await Promise.all([supervisor.stop(bidder.process), supervisor.stop(miner.process)]);
    await this.#queue;
    const summary: DemoSummary = {
      event: 'summary',
      contract: contract.id,
      picture,
      mcus: done.paid,
      wallMs: Math.round(performance.now() - this.#started),
      jobMs: Math.round(jobMs),
      mcusPerSecond,
      ...balances,
      processes: supervisor.group.started.map((p) => ({ label: p.label, pid: p.pid })),
      folder: keep ? root : null,
    };
    this.#story.print(summary);
    return summary;
  }

  /** `zi wallet create` for the bidder and each solver, at once; the bidder's address. */
  async #makeWallets(): Promise<string> {
    const owners = [{ name: 'bidder', wallet: 'bidder', dir: join(this.#root, 'bidder') }, ...this.#solvers];
    const addresses = await Promise.all(
      owners.map(async ({ wallet, dir }) => {
        // A cheap key derivation: these keys live a minute, in a folder deleted afterwards.
        const created = await this.#supervise.run(
          `wallet ${wallet}`,
          ['wallet', 'create', '--name', wallet, '--keys-dir', join(dir, 'keys'), '--json'],
          {
            ZI_KDF_N: '1024',
          },
        );
        return field<string>(created, 'address');
      }),
    );
    owners.forEach((owner, i) => {
      const address = addresses[i] ?? '';
      const solver = this.#solvers.find((s) => s.wallet === owner.wallet);
      if (solver) solver.address = address;
      this.#tell({ event: 'wallet', name: solver?.name ?? 'bidder', address });
    });
    return addresses[0] ?? '';
  }

  /**
   * The transfer from devnet account 0 to the bidder's wallet, through the miner (signed with
   * account 0: the miner's keys folder is empty), while the bidder's node starts; resolves once
   * the bidder's node has the transfer's block.
   */
  async #fundAndStartBidder(
    miner: StartedNode,
    address: string,
  ): Promise<{ bidder: StartedNode; funding: { amount: bigint; fee: bigint } }> {
    const sending = this.#supervise.run('transfer', [
      ...['wallet', 'send', '--to', address, '--amount', DEMO_FUNDING],
      ...['--rpc', miner.rpc, '--keys-dir', join(this.#root, 'miner', 'keys'), '--json'],
    ]);
    sending.catch(() => undefined);
    const keys = join(this.#root, 'bidder', 'keys');
    const starting = this.#startNode('bidder', [
      '--mine',
      'off',
      '--bidder',
      '--wallet',
      'bidder',
      '--keys-dir',
      keys,
      '--bootstrap',
      miner.address,
    ]);
    starting.catch(() => undefined);
    const sent = await this.#supervise.until(sending, 'the transfer to the bidder was not included');
    this.#tell({
      event: 'funded',
      to: address,
      amount: field(sent, 'amount'),
      fee: field(sent, 'fee'),
      tx: field(sent, 'tx'),
      height: field(sent, 'height'),
    });
    const bidder = await starting;
    // The bidder publishes through its own node, which must have the transfer's block first.
    await this.#supervise.until(this.#synced(bidder.client, field(sent, 'tx')), 'the bidder’s node did not sync the transfer');
    return { bidder, funding: { amount: BigInt(field<string>(sent, 'amount')), fee: BigInt(field<string>(sent, 'fee')) } };
  }

  /** `zi publish` of the mandelbrot project through the bidder's node, signed by its wallet. */
  async #publish(bidder: StartedNode, project: string): Promise<{ id: string; fee: bigint }> {
    const published = await this.#supervise.until(
      this.#supervise.run('publish', [
        ...['publish', '--dir', project, '--rpc', bidder.rpc, '--wallet', 'bidder', '--keys-dir', join(this.#root, 'bidder', 'keys')],
        ...['--price', DEMO_PRICE, '--json'],
      ]),
      'the contract was not published',
    );
    this.#publishedAt = performance.now();
    const id = field<string>(published, 'contract');
    const total = field<number>(published, 'mcus');
    this.#tally = new JobTally({ total, price: parseAmount(DEMO_PRICE), solvers: this.#solvers.map((s) => s.name) });
    // The contract id is the publish's transaction id; its fee is what `zi publish` defaulted to.
    const { tx } = await this.#supervise.until(bidder.client.call('zi_transaction', { id }), 'the bidder’s node did not answer');
    const fee = BigInt(String(tx.fee ?? '0'));
    this.#tell({
      event: 'published',
      contract: id,
      name: 'mandelbrot',
      mcus: total,
      price: field(published, 'price'),
      escrow: field(published, 'escrow'),
      fee: fee.toString(),
      height: field(published, 'height'),
    });
    return { id, fee };
  }

  /** Starts `zi node start` for `role` on loopback, and waits for its `started` line. */
  async #startNode(role: 'miner' | 'bidder', args: string[]): Promise<StartedNode> {
    const dir = join(this.#root, role);
    const child = this.#supervise.start(role, [
      ...['node', 'start', '--data-dir', join(dir, 'chain'), ...args],
      ...(role === 'miner' ? ['--keys-dir', join(dir, 'keys')] : []),
      ...['--listen', LOOPBACK, '--rpc-port', '0', '--json'],
    ]);
    if (role === 'miner') {
      child.on('json', (e) => {
        if (e.event === 'block' && typeof e.height === 'number') this.#height = Math.max(this.#height, e.height);
      });
    }
    const started = await this.#supervise.until(
      child.waitFor((e) => e.event === 'started'),
      `the ${role}’s node did not start`,
    );
    const rpc = field<string>(started, 'rpc');
    const [address] = field<string[]>(started, 'listen');
    if (address === undefined)
      throw new CliError('CLI_DEMO_PROCESS_FAILED', `the ${role}’s node listens on no address`, 'this is a bug in zi', EXIT.internal);
    const node = { process: child, rpc, client: createRpcClient(rpc), address, started };
    const common = { pid: child.pid, rpc, peer: field<string>(started, 'peer'), listen: field<string[]>(started, 'listen') };
    if (role === 'miner') {
      this.#miner = node;
      this.#tell({ event: 'miner', ...common, address: field(started, 'miner'), mining: field(started, 'mining') });
    } else {
      this.#bidder = node;
      this.#tell({ event: 'bidder', ...common, address: field(started, 'bidder') });
    }
    return node;
  }

  /** Starts a solver and turns what it reports into the story. */
  #startSolver(solver: Solver, bootstrap: string): void {
    const child = this.#supervise.start(
      solver.name,
      [
        ...['solve', '--bootstrap', bootstrap, '--listen', LOOPBACK, '--cores', '1', '--json'],
        ...['--wallet', solver.wallet, '--keys-dir', join(solver.dir, 'keys'), '--data-dir', join(solver.dir, 'chain')],
      ],
      // A solver that found nothing left to do leaves by itself: that is how the job ends.
      (exit) => {
        if (!solver.done || exit.code !== 0) return false;
        this.#wake.resolve();
        return true;
      },
    );
    solver.process = child;
    let peer = '';
    child.on('json', (e) => {
      switch (e.event) {
        case 'started':
          peer = field(e, 'peer');
          break;
        case 'synced':
          this.#tell({
            event: 'solver',
            name: solver.name,
            pid: child.pid,
            address: solver.address,
            peer,
            height: field(e, 'height'),
            peers: field<string[]>(e, 'peers').length,
          });
          break;
        case 'contract':
          this.#tell({
            event: 'picked',
            solver: solver.name,
            contract: field(e, 'id'),
            price: field(e, 'price'),
            gasPerMcu: field(e, 'gasPerMcu'),
            measuredGasPerMcu: field(e, 'measuredGasPerMcu'),
            liPerGas: field(e, 'liPerGas'),
            mcusPerSecond: field(e, 'mcusPerSecond'),
          });
          break;
        case 'skipped':
          this.#tell({
            event: 'skipped',
            solver: solver.name,
            contract: field(e, 'contract'),
            reason: field(e, 'reason'),
            message: field(e, 'message'),
          });
          break;
        case 'dropped':
          this.#tell({
            event: 'skipped',
            solver: solver.name,
            contract: String(e.contract ?? ''),
            reason: `dropped its bidder (${String(e.reason)})`,
            message: field(e, 'message'),
          });
          break;
        case 'batch':
          this.#onBatch(solver, e);
          break;
        case 'session':
          this.#tally?.sessionEnded(solver.name);
          break;
        case 'done':
          solver.done = true;
          this.#tell({
            event: 'solver-done',
            solver: solver.name,
            outcome: field(e, 'outcome'),
            mcus: field(e, 'mcus'),
            earned: field(e, 'earned'),
            message: SOLVER_OUTCOMES[field<string>(e, 'outcome')] ?? '',
          });
          break;
      }
    });
  }

  #onBatch(solver: Solver, e: Record<string, unknown>): void {
    const tally = this.#tally;
    if (!tally) return;
    this.#lastProgress = performance.now();
    const steps = tally.batch(
      solver.name,
      { seq: field(e, 'seq'), mcus: field(e, 'mcus'), earned: BigInt(field<string>(e, 'earned')), payout: field(e, 'payout') },
      { height: this.#height, elapsedMs: performance.now() - this.#publishedAt },
    );
    for (const step of steps) {
      if (step.event === 'batch') this.#tell(async () => ({ ...step, height: await this.#heightOf(step.payout) }));
      else this.#tell(step);
    }
    if (tally.paid >= tally.total) this.#wake.resolve();
  }

  /** Waits until the bidder's node has every MCU of the contract paid, watching for stalls. */
  async #untilPaid(client: RpcClient, contract: string): Promise<ContractJson> {
    for (;;) {
      const entry = await this.#supervise.until(
        client.call('zi_contract', { id: contract }),
        `the bidder’s node (pid ${this.#bidder?.process.pid}, ${client.url}) did not answer zi_contract`,
      );
      if (entry.paid >= entry.mcus) return entry;
      const idle = performance.now() - this.#lastProgress;
      const said = this.#solvers.map((s) => `${s.name}: ${this.#lastWords(s.process)}`).join('; ');
      if (idle > this.#stallMs) {
        throw this.#supervise.stalled(
          `no batch was paid for ${Math.round(idle / 1000)} s: ${entry.paid} of ${entry.mcus} MCUs are paid; ${said}`,
        );
      }
      if (this.#solvers.every((s) => s.process?.exit)) {
        throw new CliError(
          'CLI_DEMO_SOLVERS_IDLE',
          `every solver left with ${entry.paid} of ${entry.mcus} MCUs paid: ${said}`,
          'what each solver said last tells why (zi demo --json shows every step); this is a bug in zi if the bidder was serving',
          EXIT.environment,
        );
      }
      this.#wake = deferred<void>();
      const ticker = new AbortController();
      // Asked again after a tick, or at once when a batch completes the job or a solver leaves.
      await this.#supervise
        .until(
          Promise.race([this.#wake.promise, delay(500, undefined, { signal: ticker.signal }).catch(() => undefined)]),
          'the wait for payouts failed',
        )
        .finally(() => ticker.abort());
    }
  }

  /** The last thing a child said: its last stdout line, else its last stderr line. */
  #lastWords(child: ZiProcess | undefined): string {
    if (!child) return 'not started';
    const last = child.stdout[child.stdout.length - 1] ?? child.stderrTail[child.stderrTail.length - 1] ?? 'nothing';
    const said = last.slice(0, 300);
    return child.exit ? `exited (${child.exit.signal ?? `code ${child.exit.code}`}) after saying ${said}` : `last said ${said}`;
  }

  /** The union and the render of the bidder's results, by the code of `zi results`; the PNG copied to `out`. */
  async #picture(bidderRpc: string, contract: string): Promise<string | null> {
    const written = await this.#supervise.until(
      writeResults({ rpc: bidderRpc, contract, outDir: join(this.#root, 'results'), pool: this.#options.pool }),
      'the results were not fetched and drawn',
    );
    let path: string | null = null;
    if (written.renderPath) {
      path = this.#options.out ? resolve(this.#options.out) : join(tmpdir(), `zi-demo-${contract.slice(-12)}.png`);
      await mkdir(dirname(path), { recursive: true });
      await copyFile(written.renderPath, path);
    }
    this.#tell({
      event: 'picture',
      path,
      mcus: written.mcus,
      total: written.total,
      entries: written.entries,
      results: written.resultsPath,
    });
    return path;
  }

  /** Resolves once the node has `tx` in its main chain (it may not know it at all yet: it syncs). */
  async #synced(client: RpcClient, tx: string): Promise<void> {
    while (!this.#supervise.failed) {
      try {
        if ((await client.call('zi_transaction', { id: tx })).status === 'included') return;
      } catch (error) {
        if (!(error instanceof NodeError && error.code === 'NODE_TX_UNKNOWN')) throw error;
      }
      await delay(50);
    }
  }

  /** The height of the block that holds a payout, from the miner (null when it cannot say). */
  async #heightOf(payout: string): Promise<number | null> {
    try {
      const tx = await this.#miner?.client.call('zi_transaction', { id: payout });
      return tx?.height ?? null;
    } catch {
      return null;
    }
  }

  /** The supervisor of this run's processes (made first thing in {@link run}). */
  get #supervise(): Supervisor {
    if (!this.#supervisor) throw new TypeError('MarketDemo: no supervisor yet');
    return this.#supervisor;
  }

  /** Prints a step of the story after those before it (a step may wait for a lookup). */
  #tell(step: DemoEvent | (() => Promise<DemoEvent>)): void {
    this.#queue = this.#queue.then(async () => this.#story.print(typeof step === 'function' ? await step() : step)).catch(() => undefined);
  }
}
