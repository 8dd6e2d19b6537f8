import { EventEmitter, once } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BidderPaidEvent,
  type BidderSessionReport,
  createRpcClient,
  type DevAccount,
  devnetConfig,
  nodePayoutSink,
  type PayoutJson,
  publishFields,
  type RangeJson,
  type SessionChannel,
  SolverSession,
  startNode,
  type ZiNode,
} from '@zi/node';
import { type BuiltContract, buildContract, SandboxPool } from '@zi/runtime';
import { type BatchMessage, cidOfBytes, type PublishTx, type SessionMessage, signTransaction, utf8Bytes } from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateDir } from '../../templates/index.js';
import { type Ran, RunningZi, rpcCall, runZi } from './processes.js';

// The market across processes. Solvers are real `zi solve` processes; nodes are `zi node start`
// processes where the scenario needs nothing more, and real nodes in this process where it needs
// a seam on the bidder's side (holding a batch back, withholding `paid`): the BidderService is the
// node's own, only the session transport in front of it misbehaves, the way a slow or dishonest
// bidder looks to a solver. Every wait is on a line a process prints or an event of a node.

/** The chain `zi --genesis devnet` runs: the same genesis, the same dev accounts. */
const { genesis, accounts } = devnetConfig({ count: 10 });
const PASSPHRASE = { ZI_PASSPHRASE: 'pw', ZI_KDF_N: '1024' };

type ZiEvent = Record<string, unknown> & { event: string };

let home: string;
let work: string;
let pool: SandboxPool;
let built: BuiltContract;
/** solver wallets: name → { address, keys folder } */
const wallets = new Map<string, { address: string; keys: string }>();
const processes: RunningZi[] = [];
const nodes: ZiNode[] = [];
const failures: string[] = [];

function zi(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runZi(args, { cwd: work, env: { ZI_HOME: home, ZI_RPC: '', ...env } });
}

function running(args: string[], env: Record<string, string> = {}): RunningZi {
  const process = new RunningZi(args, { cwd: work, env: { ZI_HOME: home, ...env } });
  processes.push(process);
  return process;
}

let solverRuns = 0;

/** A `zi solve --json` paid into wallet `name`, with a node folder of its own (a fresh one per run). */
function solver(name: string, bootstrap: string[], flags: string[]): RunningZi {
  const wallet = wallets.get(name);
  if (!wallet) throw new Error(`no wallet ${name}`);
  return running(['solve', ...bootstrap.flatMap((address) => ['--bootstrap', address]), '--keys-dir', wallet.keys, '--json', ...flags], {
    ...PASSPHRASE,
    ZI_HOME: join(home, `${name}-run-${solverRuns++}`),
  });
}

const events = (process: RunningZi): ZiEvent[] => process.lines.map((line) => JSON.parse(line) as ZiEvent);
const ofKind = (process: RunningZi, kind: string): ZiEvent[] => events(process).filter((e) => e.event === kind);
const mcusOf = (ranges: readonly RangeJson[]): number => ranges.reduce((sum, r) => sum + r.count, 0);

/** Ranges merged where they touch, in order. */
function merged(ranges: readonly RangeJson[]): RangeJson[] {
  const out: RangeJson[] = [];
  for (const r of [...ranges].sort((x, y) => x.from - y.from)) {
    const last = out.at(-1);
    if (last && last.from + last.count === r.from) last.count += r.count;
    else out.push({ ...r });
  }
  return out;
}

/** Resolves when `check` holds, checked after each event of `node`'s `head`. */
function untilHead(node: ZiNode, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const test = (): void => {
      if (!check()) return;
      node.off('head', test);
      resolve();
    };
    node.on('head', test);
    test();
  });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'zi-market-home-'));
  work = await mkdtemp(join(tmpdir(), 'zi-market-work-'));
  await cp(templateDir('mandelbrot'), join(work, 'm'), { recursive: true });
  pool = new SandboxPool({ size: 2 });
  built = await buildContract({ projectDir: join(work, 'm'), entry: 'src/contract.ts', pool });
  await Promise.all(
    ['s1', 's2', 's3', 's4'].map(async (name) => {
      const keys = join(work, `${name}-keys`);
      const created = await zi(['wallet', 'create', '--name', name, '--keys-dir', keys, '--json'], PASSPHRASE);
      expect(created.code, created.stderr).toBe(0);
      wallets.set(name, { address: (JSON.parse(created.stdout) as { address: string }).address, keys });
    }),
  );
}, 60_000);

afterAll(async () => {
  // The miner and the bidder (and any solver a failed test left running) stop cleanly on SIGTERM.
  await Promise.all(processes.map((p) => p.stop('SIGTERM')));
  await Promise.all(nodes.map((node) => node.stop()));
  await pool?.close();
  await rm(home, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
  expect(failures).toEqual([]);
});

/** A devnet node in this process, on 127.0.0.1, serving `bidder`'s sessions through `transport`. */
async function bidderNode(
  name: string,
  bidder: DevAccount,
  options: { mining: 'instant' | 'off'; transport: (channel: SessionChannel) => SessionChannel; reports?: BidderSessionReport[] },
): Promise<ZiNode & { network: NonNullable<ZiNode['network']> }> {
  const node = await startNode({
    dataDir: join(work, name),
    genesis,
    devAccounts: accounts,
    mining: { mode: options.mining, threads: 1 },
    rpc: { port: 0 },
    network: {},
    bidder: { secretKey: bidder.secretKey, sandboxPool: pool },
    log: (event) => {
      if (event.type === 'error') failures.push(`${name}: ${event.where}: ${event.message}`);
    },
  });
  nodes.push(node);
  const { network, bidder: service } = node;
  if (!network || !service) throw new Error('the node has no network or no bidder');
  await network.host.unhandle(network.ids.sessionProtocol);
  await network.onSession((channel) => {
    service.handle(options.transport(channel)).then(
      (report) => {
        options.reports?.push(report);
        sessionEnds.emit('report', report);
      },
      (error: unknown) => failures.push(`${name}'s bidder: ${String(error)}`),
    );
  });
  return node as ZiNode & { network: NonNullable<ZiNode['network']> };
}

/** Publishes mandelbrot for `bidder` at `price`, submitted to `node` (which must mine it, or a peer must). */
async function publish(node: ZiNode, bidder: DevAccount, price: bigint): Promise<string> {
  const tx = signTransaction(
    {
      type: 'publish',
      chain: genesis.chain,
      from: bidder.address,
      nonce: node.mempool.nextNonce(bidder.address),
      fee: 1_000n,
      meta: '',
      ...publishFields(built, { price, budget: price * 80_000n }),
    } satisfies Omit<PublishTx, 'sig'>,
    bidder.secretKey,
  );
  const { id } = await node.submit(tx);
  await untilHead(node, () => node.queries.transactionLocation(id) !== undefined);
  return id;
}

/** Emits `report` when a session of an in-process bidder ends. */
const sessionEnds = new EventEmitter();

/** The contract's solved ranges in `node`'s head state. */
async function solvedAt(node: ZiNode, contract: string): Promise<RangeJson[]> {
  const { solvedRanges } = await createRpcClient(node.rpcUrl as string).call('zi_contract', { id: contract });
  return solvedRanges;
}

describe('a solver process killed mid-batch', () => {
  it('loses that batch only: its paid batches are on chain, the batch is not paid, and the next solver is paid for exactly its indices', async () => {
    const bidder = accounts[1] as DevAccount;
    const reports: BidderSessionReport[] = [];
    let held: { arrived: () => void; release: Promise<void> } | undefined;
    const channels: SessionChannel[] = [];
    // Batch 3 of the first session is held back from the BidderService until the test lets it
    // through: the solver has sent it and waits for `paid`, which is where it gets killed.
    const a = await bidderNode('kill-a', bidder, {
      mining: 'instant',
      reports,
      transport: (channel) => {
        channels.push(channel);
        const first = channels.length === 1;
        const inner = channel.messages[Symbol.asyncIterator]();
        return {
          send: (message: SessionMessage) => channel.send(message),
          messages: {
            [Symbol.asyncIterator]: () => ({
              async next() {
                const result = await inner.next();
                if (first && held && !result.done && result.value.type === 'batch' && result.value.seq === 3) {
                  held.arrived();
                  await held.release;
                }
                return result;
              },
            }),
          },
          close: () => channel.close(),
          get ended() {
            return channel.ended;
          },
        };
      },
    });
    const paid: BidderPaidEvent[] = [];
    a.bidder?.on('paid', (event) => paid.push(event));
    const contract = await publish(a, bidder, 100n);
    const escrow = a.bidder?.escrowLeft(contract) ?? 0n;
    let release = (): void => {};
    const arrived = new Promise<void>((resolve) => {
      held = {
        arrived: resolve,
        release: new Promise<void>((done) => {
          release = done;
        }),
      };
    });

    const address = a.network.addresses()[0] as string;
    const s1 = solver('s1', [address], ['--cores', '1', '--max-mcus', '1000']);
    await s1.line(/"event":"sent".*"seq":3/);
    await arrived;
    const peer = (JSON.parse(await s1.line(/"event":"started"/)) as { peer: string }).peer;
    const gone = new Promise<void>((resolve) => {
      const onGone = (p: string): void => {
        if (p !== peer) return;
        a.network.off('peer-disconnected', onGone);
        resolve();
      };
      a.network.on('peer-disconnected', onGone);
    });
    expect(await s1.stop('SIGKILL')).toBe(null);
    await gone;
    const channel = channels[0] as SessionChannel;
    expect(channel.ended.aborted).toBe(true);
    release();
    if (reports.length === 0) await once(sessionEnds, 'report');

    // Batches 0, 1, 2 (1 + 2 + 4 MCUs) were paid and are in the chain; batch 3 was never signed.
    const s1Address = wallets.get('s1')?.address;
    const batches = ofKind(s1, 'batch');
    expect(batches.map((b) => b.seq)).toEqual([0, 1, 2]);
    expect(paid.filter((p) => p.solver === s1Address).map((p) => p.id)).toEqual(batches.map((b) => b.payout));
    for (const b of batches) expect(a.queries.transactionLocation(b.payout as string)).toBeDefined();
    expect(reports[0]).toMatchObject({ outcome: 'closed', batches: 3, mcus: 7 });
    expect(await solvedAt(a, contract)).toEqual([{ from: 0, count: 7 }]);
    // Nothing is held back from the escrow for batch 3, and its lease is free again.
    expect(a.bidder?.escrowLeft(contract)).toBe(escrow - 700n);

    // A second solver process is leased the lowest free indices: batch 3's, 7 … 14.
    const s2 = solver('s2', [address], ['--cores', '1', '--max-mcus', '8']);
    expect(await s2.exited(), s2.stderr).toBe(0);
    const s2Batches = ofKind(s2, 'batch');
    expect(merged(s2Batches.flatMap((b) => b.ranges as RangeJson[]))).toEqual([{ from: 7, count: 8 }]);
    expect(await solvedAt(a, contract)).toEqual([{ from: 0, count: 15 }]);
    const s2Address = wallets.get('s2')?.address;
    expect(paid.filter((p) => p.solver === s2Address).map((p) => p.id)).toEqual(s2Batches.map((b) => b.payout));
  });
});

describe('a bidder that stops paying', () => {
  it('gets no batch after the unpaid one; the solver process drops it, skips its other contract and works for another bidder', async () => {
    const [nonPayer, payer] = [accounts[2] as DevAccount, accounts[3] as DevAccount];
    // N signs every payout but withholds `paid` from batch 2 on; H pays and mines.
    const received: string[][] = [];
    const n = await bidderNode('stop-n', nonPayer, {
      mining: 'off',
      reports: [],
      transport: (channel) => {
        const seen: string[] = [];
        received.push(seen);
        const inner = channel.messages[Symbol.asyncIterator]();
        return {
          send: async (message: SessionMessage) => {
            if (message.type === 'paid' && message.seq >= 2) return;
            await channel.send(message);
          },
          messages: {
            [Symbol.asyncIterator]: () => ({
              async next() {
                const result = await inner.next();
                if (!result.done) seen.push(result.value.type === 'batch' ? `batch ${result.value.seq}` : result.value.type);
                return result;
              },
            }),
          },
          close: () => channel.close(),
          get ended() {
            return channel.ended;
          },
        };
      },
    });
    const h = await bidderNode('stop-h', payer, { mining: 'instant', reports: [], transport: (channel) => channel });
    await n.network.connect(h.network.addresses()[0] as string);
    const dear = await publish(h, nonPayer, 1_000n);
    const alsoDear = await publish(h, nonPayer, 900n);
    const fair = await publish(h, payer, 100n);
    await untilHead(n, () => n.queries.transactionLocation(fair) !== undefined);

    const s3 = solver(
      's3',
      [n.network.addresses()[0] as string, h.network.addresses()[0] as string],
      ['--cores', '1', '--max-mcus', '10', '--answer-timeout', '1'],
    );
    expect(await s3.exited(), s3.stderr).toBe(0);
    expect(ofKind(s3, 'contract').map((c) => c.id)).toEqual([dear, fair]);
    expect(
      ofKind(s3, 'sent')
        .filter((s) => s.contract === dear)
        .map((s) => s.seq),
    ).toEqual([0, 1, 2]);
    expect(received).toEqual([['locate', 'batch 0', 'batch 1', 'batch 2']]);
    expect(ofKind(s3, 'session')[0]).toMatchObject({ contract: dear, outcome: 'timeout' });
    expect(ofKind(s3, 'dropped')).toEqual([expect.objectContaining({ bidder: nonPayer.address, reason: 'not-paying', contract: dear })]);
    expect(ofKind(s3, 'skipped')).toEqual([expect.objectContaining({ contract: alsoDear, reason: 'bidder-not-paying' })]);
    expect(events(s3).at(-1)).toMatchObject({ event: 'done', outcome: 'limit', mcus: 10, contracts: [dear, fair] });
    expect(await solvedAt(h, fair)).toEqual([{ from: 0, count: 7 }]);
    expect(await solvedAt(h, dear)).toEqual([{ from: 0, count: 3 }]);
  });
});

describe('a miner and a bidder as `zi node start` processes', () => {
  let miner: RunningZi;
  let bidder: RunningZi;
  let minerAddress: string;
  let minerRpc: string;
  let bidderAddress: string;
  let bidderRpc: string;
  let contract: string;
  /** every `zi solve` that worked on `contract`, for the final check */
  const solvers: RunningZi[] = [];

  const startBidder = async (): Promise<void> => {
    bidder = running([
      'node',
      'start',
      '--data-dir',
      join(work, 'bidder'),
      '--bidder',
      '--mine',
      'off',
      '--bootstrap',
      minerAddress,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--rpc-port',
      '0',
      '--json',
    ]);
    const started = JSON.parse(await bidder.line(/"event":"started"/)) as { rpc: string; listen: string[] };
    bidderRpc = started.rpc;
    bidderAddress = started.listen[0] as string;
  };

  beforeAll(async () => {
    miner = running([
      'node',
      'start',
      '--data-dir',
      join(work, 'miner'),
      '--mine',
      'instant',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--rpc-port',
      '0',
      '--json',
    ]);
    const started = JSON.parse(await miner.line(/"event":"started"/)) as { rpc: string; listen: string[] };
    minerRpc = started.rpc;
    minerAddress = started.listen[0] as string;
    await startBidder();
  }, 60_000);

  it('zi solve --bootstrapping skips a contract whose first batch pays 10 Li or less, and says why', async () => {
    const published = await zi(['publish', '--rpc', bidderRpc, '--dir', 'm', '--price', '10 Li', '--json']);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    const cheap = (JSON.parse(published.stdout) as { contract: string }).contract;
    const s4 = solver('s4', [minerAddress, bidderAddress], ['--bootstrapping', '--cores', '1']);
    expect(await s4.exited(), s4.stderr).toBe(0);
    expect(ofKind(s4, 'started')[0]).toMatchObject({ bootstrapping: true });
    expect(ofKind(s4, 'skipped')).toEqual([
      {
        event: 'skipped',
        contract: cheap,
        reason: 'below-bootstrap-price',
        message: 'its first batch pays 10 Li; a bootstrapping solver takes only work paying above 10 Li (SES-8)',
      },
    ]);
    expect(events(s4).at(-1)).toMatchObject({ event: 'done', outcome: 'idle', mcus: 0 });
    const closed = await zi(['close', cheap, '--rpc', bidderRpc, '--json']);
    expect(closed.code, closed.stdout + closed.stderr).toBe(0);
  });

  it('refuses a lying solver (a node in this process) and pays an honest `zi solve`', async () => {
    const published = await zi(['publish', '--rpc', bidderRpc, '--dir', 'm', '--price', '100 Li', '--json']);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    contract = (JSON.parse(published.stdout) as { contract: string }).contract;

    const liarAccount = accounts[4] as DevAccount;
    const liar = await startNode({
      dataDir: join(work, 'liar'),
      genesis,
      devAccounts: accounts,
      rpc: false,
      network: { bootstrap: [minerAddress, bidderAddress] },
    });
    nodes.push(liar);
    await untilHead(liar, () => liar.queries.transactionLocation(contract) !== undefined);
    const network = liar.network;
    if (!network) throw new Error('the liar has no network');
    const bundle = await network.fetchContent(built.manifest.cid);
    const lie = (batch: BatchMessage): BatchMessage => {
      const pairs = JSON.parse(new TextDecoder().decode(batch.results)) as [number, number][];
      const results = utf8Bytes(JSON.stringify(pairs.map(([index, output]) => [index, output + 1])));
      return { ...batch, results, payout: { ...batch.payout, result: cidOfBytes(results) } };
    };
    const summary = await new SolverSession({
      channel: await network.openSession(bidderAddress),
      secretKey: liarAccount.secretKey,
      chain: genesis.chain,
      contract: { id: contract, bidder: (accounts[0] as DevAccount).address, price: 100n, mcus: 80_000, bundle: built.manifest.cid },
      bundle,
      sandboxPool: pool,
      peer: network.peerId,
      ...nodePayoutSink(liar),
      maxMcus: 15,
      tamper: lie,
    }).run();
    expect(summary).toMatchObject({ outcome: 'refused', batches: 0, refusal: { seq: 0, reason: 'invalid-results' } });

    const honest = solver('s1', [minerAddress, bidderAddress], ['--cores', '1', '--max-mcus', '15']);
    solvers.push(honest);
    expect(await honest.exited(), honest.stderr).toBe(0);
    expect(events(honest).at(-1)).toMatchObject({ event: 'done', outcome: 'limit', mcus: 15, contracts: [contract] });
    const payouts = await rpcCall<PayoutJson[]>(minerRpc, 'zi_payouts', { contract, limit: 1000 });
    expect(payouts.map((p) => p.solver)).not.toContain(liarAccount.address);
    expect(mcusOf(payouts.filter((p) => p.solver === wallets.get('s1')?.address).flatMap((p) => p.ranges))).toBe(15);
  });

  it('never pays an index twice across two solver processes and a bidder restart in the middle', async () => {
    const first = solver('s2', [minerAddress, bidderAddress], ['--cores', '2', '--max-mcus', '400']);
    solvers.push(first);
    await first.line(/"event":"batch".*"seq":3/);
    // The bidder stops mid-session (its memory of signed payouts goes with it) and comes back.
    expect(await bidder.stop('SIGTERM')).toBe(0);
    await startBidder();
    expect(await first.exited(), first.stderr).toBe(0);
    const second = solver('s3', [minerAddress, bidderAddress], ['--cores', '1', '--max-mcus', '60']);
    const third = solver('s1', [minerAddress, bidderAddress], ['--cores', '2', '--max-mcus', '60']);
    solvers.push(second, third);
    expect(await second.exited(), second.stderr).toBe(0);
    expect(await third.exited(), third.stderr).toBe(0);

    const payouts = await rpcCall<PayoutJson[]>(minerRpc, 'zi_payouts', { contract, limit: 1000 });
    const ranges = payouts.flatMap((p) => p.ranges).sort((x, y) => x.from - y.from);
    for (let i = 1; i < ranges.length; i++) {
      const [before, after] = [ranges[i - 1] as RangeJson, ranges[i] as RangeJson];
      expect(after.from, `${JSON.stringify(before)} overlaps ${JSON.stringify(after)}`).toBeGreaterThanOrEqual(before.from + before.count);
    }
    const onChain = await rpcCall<{ solvedRanges: RangeJson[]; paid: number }>(minerRpc, 'zi_contract', { id: contract });
    expect(merged(ranges)).toEqual(onChain.solvedRanges);
    // Every MCU a solver was paid for is in exactly one payout, and there is no other.
    const reported = solvers.flatMap((s) => ofKind(s, 'batch').filter((b) => b.contract === contract));
    expect(new Set(payouts.map((p) => p.id))).toEqual(new Set(reported.map((b) => b.payout)));
    expect(onChain.paid).toBe(reported.reduce((sum, b) => sum + (b.mcus as number), 0));
    // Both solvers after the restart were paid.
    for (const s of [second, third]) expect(ofKind(s, 'batch').length).toBeGreaterThan(0);
  });
});
