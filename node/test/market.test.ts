import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuiltContract, buildContract, Sandbox, SandboxPool } from '@zi/runtime';
import {
  type AckMessage,
  type BatchMessage,
  cidOfBytes,
  cidOfCbor,
  type LocateMessage,
  locateDigest,
  locateProof,
  type PublishTx,
  type SessionMessage,
  signSessionMessage,
  signTransaction,
  transactionId,
  utf8Bytes,
} from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templateDir } from '../../templates/index.js';
import { type DevAccount, devnetConfig } from '../src/devnet.js';
import { BidderService, type BidderServiceOptions, type BidderSessionReport } from '../src/market/bidder.js';
import { createChannelPair, MessageReader } from '../src/market/channel.js';
import { nodePayoutSink } from '../src/market/inclusion.js';
import { publishFields } from '../src/market/publish.js';
import { encodeBatchResults } from '../src/market/results.js';
import { type SolverProgress, SolverSession, type SolverSessionOptions, type SolverSummary } from '../src/market/solver.js';
import { startNode, type ZiNode } from '../src/node.js';
import { readContract } from '../src/state/apply.js';
import { accountKey, decodeAccount, decodeSolved, solvedKey } from '../src/state/entries.js';

// Real parts throughout: a devnet node mining a block per payout, the mandelbrot template built by
// the runtime, a two-worker sandbox pool, and an in-process channel that encodes every message.
const { genesis, accounts } = devnetConfig({ count: 8 });
const [, bidder, ...solvers] = accounts as [DevAccount, DevAccount, ...DevAccount[]];
const PRICE = 100n;

let dir: string;
let node: ZiNode;
let pool: SandboxPool;
let built: BuiltContract;
let sandbox: Sandbox;
let bidderService: BidderService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zi-market-'));
  await cp(templateDir('mandelbrot'), join(dir, 'mandelbrot'), { recursive: true });
  node = await startNode({
    dataDir: join(dir, 'devnet'),
    genesis,
    devAccounts: accounts,
    mining: { mode: 'instant', threads: 1 },
    rpc: false,
  });
  pool = new SandboxPool({ size: 2 });
  built = await buildContract({ projectDir: join(dir, 'mandelbrot'), entry: 'src/contract.ts', pool });
  sandbox = await Sandbox.load(pool, built.bundle);
  bidderService = newBidder();
});

afterAll(async () => {
  await pool?.close();
  await node?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const bundles = new Map<string, string>();

function newBidder(options: Partial<BidderServiceOptions> = {}): BidderService {
  return new BidderService({ node, secretKey: bidder.secretKey, sandboxPool: pool, bundles: (id) => bundles.get(id), ...options });
}

/** Publishes the built mandelbrot contract (its real manifest, all 80,000 MCUs) at PRICE Li per MCU. */
async function publish(budget = PRICE * 80_000n): Promise<string> {
  const tx = signTransaction(
    {
      type: 'publish',
      chain: genesis.chain,
      from: bidder.address,
      nonce: node.mempool.nextNonce(bidder.address),
      fee: 1_000n,
      meta: '',
      ...publishFields(built, { price: PRICE, budget }),
    } satisfies Omit<PublishTx, 'sig'>,
    bidder.secretKey,
  );
  const sent = await node.submit(tx);
  expect(sent.status).toBe('included');
  bundles.set(sent.id, built.bundle.code);
  return sent.id;
}

const balance = (address: string) => decodeAccount(node.chain.state.get(accountKey(address))).balance;
const solved = (contract: string) => decodeSolved(node.chain.state.get(solvedKey(contract)));

interface SessionRun {
  ack: AckMessage | undefined;
  summary: SolverSummary;
  report: BidderSessionReport;
  progress: SolverProgress[];
  /** the solver's balance read when each progress event fired */
  balances: bigint[];
}

/** One session between `service` and a solver over a fresh channel pair, both sides to their end. */
async function session(
  contract: string,
  solver: DevAccount,
  options: Partial<SolverSessionOptions> & { service?: BidderService } = {},
): Promise<SessionRun> {
  const { service = bidderService, ...solverOptions } = options;
  const [bidderEnd, solverEnd] = createChannelPair();
  const handled = service.handle(bidderEnd);
  const session = new SolverSession({
    channel: solverEnd,
    secretKey: solver.secretKey,
    chain: genesis.chain,
    contract: { id: contract, bidder: bidder.address, price: PRICE, mcus: built.manifest.inputs.count ?? 0, bundle: built.manifest.cid },
    bundle: built.bundle.code,
    sandboxPool: pool,
    peer: `12D3KooW-test-${solver.address.slice(-8)}`,
    addrs: ['/ip4/127.0.0.1/tcp/4001'],
    // A solver given its own submit does without the node's inclusion wait.
    ...(solverOptions.submit ? {} : nodePayoutSink(node)),
    ...solverOptions,
  } as SolverSessionOptions);
  const progress: SolverProgress[] = [];
  const balances: bigint[] = [];
  let ack: AckMessage | undefined;
  session.on('ack', (message) => {
    ack = message;
  });
  session.on('progress', (p) => {
    progress.push(p);
    balances.push(balance(solver.address));
  });
  const [summary, report] = await Promise.all([session.run(), handled]);
  return { ack, summary, report, progress, balances };
}

/** The result bytes with every output changed: what a solver that skipped the work might send. */
function lie(batch: BatchMessage): BatchMessage {
  const pairs = JSON.parse(new TextDecoder().decode(batch.results)) as [number, number][];
  const results = encodeBatchResults(JSON.stringify(pairs.map(([index, output]) => [index, output + 1])));
  return { ...batch, results, payout: { ...batch.payout, result: cidOfBytes(results) } };
}

const feeOf = (amount: bigint) => (amount / 10n < 1_000n ? amount / 10n : 1_000n);

describe('the solver session between a BidderService and a SolverSession', () => {
  it('pays an honest solver batch after batch of 1, 2, 4, 8 MCUs, each payout in a block', async () => {
    const contract = await publish();
    const solver = solvers[0] as DevAccount;
    const before = balance(solver.address);
    const paidEvents: number[] = [];
    bidderService.on('paid', ({ seq }) => paidEvents.push(seq));
    const run = await session(contract, solver, { maxMcus: 15 });

    expect(run.summary).toMatchObject({ outcome: 'limit', batches: 4, mcus: 15 });
    expect(run.progress.map((p) => [p.seq, p.batchMcus, p.ranges])).toEqual([
      [0, 1, [{ from: 0, count: 1 }]],
      [1, 2, [{ from: 1, count: 2 }]],
      [2, 4, [{ from: 3, count: 4 }]],
      [3, 8, [{ from: 7, count: 8 }]],
    ]);
    // Each payout is in a block when progress fires: the balance has grown by amount − fee.
    let expected = before;
    run.progress.forEach((p, i) => {
      const amount = PRICE * BigInt(p.batchMcus);
      expected += amount - feeOf(amount);
      expect(p.batchEarned).toBe(amount - feeOf(amount));
      expect(run.balances[i]).toBe(expected);
      expect(node.queries.transactionLocation(p.payout)).toBeDefined();
    });
    expect(balance(solver.address)).toBe(expected);
    expect(run.summary.earned).toBe(expected - before);
    expect(solved(contract)).toEqual([{ from: 0, count: 15 }]);
    expect(readContract(node.chain.state, contract)).toMatchObject({ paid: 15, payouts: 4, escrow: PRICE * (80_000n - 15n) });
    expect(run.report).toMatchObject({ outcome: 'closed', contract, solver: solver.address, batches: 4, mcus: 15, amount: PRICE * 15n });
    expect(paidEvents.slice(-4)).toEqual([0, 1, 2, 3]);

    // A second solver is leased the next 32 × 256 indices (its ack skips the rest) and starts there.
    const next = await session(contract, solvers[1] as DevAccount, { maxMcus: 3 });
    expect(next.ack?.skip).toEqual([
      { from: 0, count: 15 },
      { from: 15 + 8192, count: 80_000 - 15 - 8192 },
    ]);
    expect(next.summary).toMatchObject({ outcome: 'limit', batches: 2, mcus: 3 });
    expect(next.progress.map((p) => p.ranges)).toEqual([[{ from: 15, count: 1 }], [{ from: 16, count: 2 }]]);
    expect(solved(contract)).toEqual([{ from: 0, count: 18 }]);
  });

  it('leases disjoint indices to concurrent solvers, so they never collide', async () => {
    const contract = await publish();
    const service = newBidder({ maxBatch: 4, leaseMcus: 16 });
    const [a, b] = await Promise.all([
      session(contract, solvers[3] as DevAccount, { service }),
      session(contract, solvers[4] as DevAccount, { service }),
    ]);
    for (const run of [a, b]) {
      // 1 + 2 + 4 + 4 + 4 + 1: the lease is done, the session too.
      expect(run.summary).toMatchObject({ outcome: 'done', batches: 6, mcus: 16 });
      expect(run.progress.map((p) => p.batchMcus)).toEqual([1, 2, 4, 4, 4, 1]);
    }
    const leases = [a, b].map((run) => run.progress[0]?.ranges[0]?.from).sort((x, y) => (x ?? 0) - (y ?? 0));
    expect(leases).toEqual([0, 16]);
    expect(solved(contract)).toEqual([{ from: 0, count: 32 }]);
    const third = await session(contract, solvers[5] as DevAccount, { service, maxMcus: 1 });
    expect(third.ack?.skip).toEqual([
      { from: 0, count: 32 },
      { from: 48, count: 80_000 - 48 },
    ]);
  });

  it('runs and validates a batch of several ranges around a solved index', async () => {
    const contract = await publish();
    const five = encodeBatchResults((await sandbox.runRange({ from: 5, count: 1 })).resultsJson);
    const onlyFive = (batch: BatchMessage): BatchMessage =>
      batch.seq === 0
        ? { ...batch, results: five, payout: { ...batch.payout, ranges: [{ from: 5, count: 1 }], result: cidOfBytes(five) } }
        : batch;
    const run = await session(contract, solvers[0] as DevAccount, { maxMcus: 7, tamper: onlyFive });
    expect(run.summary).toMatchObject({ outcome: 'limit', batches: 3, mcus: 7 });
    expect(run.progress.map((p) => p.ranges)).toEqual([
      [{ from: 5, count: 1 }],
      [{ from: 0, count: 2 }],
      [
        { from: 2, count: 3 },
        { from: 6, count: 1 },
      ],
    ]);
    expect(solved(contract)).toEqual([{ from: 0, count: 7 }]);

    // The same shape with a lie in the second range only: each range is validated on its own.
    const other = await publish();
    const lieInLast = (batch: BatchMessage): BatchMessage => {
      if (batch.seq !== 2) return onlyFive(batch);
      const pairs = JSON.parse(new TextDecoder().decode(batch.results)) as [number, number][];
      const results = encodeBatchResults(JSON.stringify(pairs.map(([index, output]) => [index, index === 6 ? output + 1 : output])));
      return { ...batch, results, payout: { ...batch.payout, result: cidOfBytes(results) } };
    };
    const liar = await session(other, solvers[0] as DevAccount, { maxMcus: 7, tamper: lieInLast });
    expect(liar.summary).toMatchObject({ outcome: 'refused', batches: 2, refusal: { seq: 2, reason: 'invalid-results' } });
    expect(liar.summary.refusal?.message).toMatch(/^range 6\+1: /);
  });

  it('refuses a lying solver with invalid-results and does not pay it', async () => {
    const contract = await publish();
    const solver = solvers[2] as DevAccount;
    const before = balance(solver.address);
    // Honest for batch 0, then every output of batch 1 is off by one.
    const run = await session(contract, solver, { tamper: (batch) => (batch.seq === 1 ? lie(batch) : batch) });
    expect(run.summary).toMatchObject({ outcome: 'refused', batches: 1, mcus: 1, refusal: { seq: 1, reason: 'invalid-results' } });
    expect(run.summary.refusal?.message).toMatch(/differs from the re-run/);
    expect(run.report).toMatchObject({ outcome: 'refused', batches: 1, refusal: { seq: 1, reason: 'invalid-results' } });
    expect(balance(solver.address)).toBe(before + PRICE - feeOf(PRICE));
    expect(solved(contract)).toEqual([{ from: 0, count: 1 }]);

    // A lie in the very first batch: nothing at all is paid.
    const first = await session(contract, solver, { tamper: lie });
    expect(first.summary).toMatchObject({ outcome: 'refused', batches: 0, refusal: { seq: 0, reason: 'invalid-results' } });
    expect(solved(contract)).toEqual([{ from: 0, count: 1 }]);
    expect(balance(solver.address)).toBe(before + PRICE - feeOf(PRICE));
  });

  it('never pays an index twice: a replayed range is refused with wrong-ranges', async () => {
    const contract = await publish();
    const solver = solvers[3] as DevAccount;
    // In one session: batch 1 replays batch 0 (its ranges, results and payout) under seq 1.
    let first: BatchMessage | undefined;
    const replay = await session(contract, solver, {
      tamper: (batch) => {
        if (batch.seq === 0) first = batch;
        return batch.seq === 1 && first ? { ...first, seq: 1 } : batch;
      },
    });
    expect(replay.summary).toMatchObject({ outcome: 'refused', batches: 1, refusal: { seq: 1, reason: 'wrong-ranges' } });

    // In a new session: index 0, already paid, with correct results and payout.
    const results = encodeBatchResults((await sandbox.runRange({ from: 0, count: 1 })).resultsJson);
    const again = await session(contract, solvers[4] as DevAccount, {
      tamper: (batch) => ({ ...batch, results, payout: { ...batch.payout, ranges: [{ from: 0, count: 1 }], result: cidOfBytes(results) } }),
    });
    expect(again.summary).toMatchObject({ outcome: 'refused', batches: 0, refusal: { seq: 0, reason: 'wrong-ranges' } });
    expect(solved(contract)).toEqual([{ from: 0, count: 1 }]);
    expect(readContract(node.chain.state, contract)).toMatchObject({ paid: 1, payouts: 1 });
  });

  it('never signs an index twice, even before its payout is on chain, and wants each batch paid first', async () => {
    const contract = await publish();
    // This solver never submits its payouts: batch 1 comes before batch 0 is paid (SES-4).
    const unpaid = await session(contract, solvers[0] as DevAccount, {
      submit: async (payout) => ({ id: transactionId(payout), status: 'pending' }),
    });
    expect(unpaid.summary).toMatchObject({ outcome: 'refused', batches: 1, refusal: { seq: 1, reason: 'unpaid-batch' } });
    expect(solved(contract)).toEqual([]);
    expect(bidderService.escrowLeft(contract)).toBe(PRICE * 80_000n - PRICE);
    // Index 0 is signed (its payout can still be submitted): no one else is offered it, nor paid for it.
    const other = await session(contract, solvers[1] as DevAccount, { maxMcus: 1 });
    expect(other.progress[0]?.ranges).toEqual([{ from: 1, count: 1 }]);
    const forced = await session(contract, solvers[1] as DevAccount, {
      tamper: (batch) => ({ ...batch, payout: { ...batch.payout, ranges: [{ from: 0, count: 1 }] } }),
    });
    expect(forced.summary.refusal).toMatchObject({ seq: 0, reason: 'wrong-ranges' });
    expect(solved(contract)).toEqual([{ from: 1, count: 1 }]);
  });

  it('refuses a batch larger than batchSize with batch-too-large', async () => {
    const contract = await publish();
    const results = encodeBatchResults((await sandbox.runRange({ from: 0, count: 2 })).resultsJson);
    const run = await session(contract, solvers[5] as DevAccount, {
      // Batch 0 holds one MCU (SES-3); this one claims two.
      tamper: (batch) => ({
        ...batch,
        results,
        payout: { ...batch.payout, ranges: [{ from: 0, count: 2 }], amount: PRICE * 2n, result: cidOfBytes(results) },
      }),
    });
    expect(run.summary).toMatchObject({ outcome: 'refused', batches: 0, refusal: { seq: 0, reason: 'batch-too-large' } });
    expect(run.summary.refusal?.message).toBe('batch 0 holds 2 MCUs, at most 1 (SES-3)');
    expect(solved(contract)).toEqual([]);
  });

  it('refuses a wrong amount and a session for a contract that is not the bidder’s', async () => {
    const contract = await publish();
    const cheap = await session(contract, solvers[5] as DevAccount, {
      tamper: (batch) => ({ ...batch, payout: { ...batch.payout, amount: batch.payout.amount * 2n } }),
    });
    expect(cheap.summary.refusal).toMatchObject({ seq: 0, reason: 'wrong-amount' });
    const stranger = newBidder({ secretKey: (solvers[5] as DevAccount).secretKey });
    const run = await session(contract, solvers[4] as DevAccount, { service: stranger });
    expect(run.summary).toMatchObject({ outcome: 'refused', batches: 0, refusal: { reason: 'unknown-contract' } });
  });

  it('refuses a bad locate, and a solver that breaks the protocol mid-session, with the right reason', async () => {
    const contract = await publish();
    const solver = solvers[1] as DevAccount;
    const locate = (overrides: Partial<LocateMessage> = {}, time = Date.now()): LocateMessage =>
      signSessionMessage<LocateMessage>(
        {
          type: 'locate',
          chain: genesis.chain,
          contract,
          solver: solver.address,
          peer: 'p',
          addrs: [],
          time,
          proof: locateProof(solver.address, time, 'p', contract),
          ...overrides,
        },
        solver.secretKey,
      );
    /** Sends `messages` one by one (each after the answer to the one before) and returns the last answer. */
    const exchange = async (...messages: SessionMessage[]) => {
      const [bidderEnd, solverEnd] = createChannelPair();
      const handled = bidderService.handle(bidderEnd);
      const reader = new MessageReader(solverEnd);
      let answer: SessionMessage | undefined;
      for (const message of messages) {
        await solverEnd.send(message);
        answer = await reader.next();
      }
      expect(await reader.next()).toBeUndefined(); // a refusal ends the session
      return { answer, report: await handled };
    };
    const signed = locate();
    const forged = { ...signed, sig: new Uint8Array(64).fill(7) };
    expect((await exchange(forged)).answer).toMatchObject({ type: 'refuse', reason: 'bad-signature' });
    expect((await exchange(locate({}, Date.now() - 3_600_000))).answer).toMatchObject({ type: 'refuse', reason: 'malformed' });
    const nowhere = cidOfCbor(utf8Bytes('no such contract')).toString();
    const elsewhere = signSessionMessage<LocateMessage>(
      { ...locate(), contract: nowhere, proof: locateProof(solver.address, signed.time, 'p', nowhere), time: signed.time },
      solver.secretKey,
    );
    expect((await exchange(elsewhere)).answer).toMatchObject({ type: 'refuse', reason: 'unknown-contract' });

    const results = encodeBatchResults((await sandbox.runRange({ from: 0, count: 1 })).resultsJson);
    const batch: BatchMessage = {
      type: 'batch',
      contract,
      seq: 0,
      results,
      payout: {
        type: 'payout',
        chain: genesis.chain,
        from: bidder.address,
        fee: 0n,
        meta: '',
        contract,
        solver: solver.address,
        ranges: [{ from: 0, count: 1 }],
        result: cidOfBytes(results),
        amount: PRICE,
      },
    };
    const wrongSeq = await exchange(locate(), { ...batch, seq: 3 });
    expect(wrongSeq.answer).toMatchObject({ type: 'refuse', seq: 3, reason: 'malformed', message: 'expected batch seq 0, got 3' });
    expect(wrongSeq.report).toMatchObject({ outcome: 'refused', batches: 0 });
    const unreadable = await exchange(locate(), { type: 'refuse', contract, reason: 'nope', message: '' } as unknown as SessionMessage);
    expect(unreadable.answer).toMatchObject({ type: 'refuse', seq: 0, reason: 'malformed' });
    const stranger = await exchange(locate(), { ...batch, payout: { ...batch.payout, solver: bidder.address } });
    expect(stranger.answer).toMatchObject({ type: 'refuse', seq: 0, reason: 'malformed' });
    expect(solved(contract)).toEqual([]);
  });

  it('stops cleanly when the bidder stops answering', async () => {
    const contract = await publish();
    const solver = solvers[0] as DevAccount;
    const [bidderEnd, solverEnd] = createChannelPair();
    // A bidder played by hand: a real signed ack, then silence and a closed channel after batch 0.
    const bidderSide = (async () => {
      const reader = new MessageReader(bidderEnd);
      const locate = (await reader.next()) as Extract<SessionMessage, { type: 'locate' }>;
      await bidderEnd.send(
        signSessionMessage<AckMessage>(
          {
            type: 'ack',
            chain: locate.chain,
            contract,
            solver: locate.solver,
            locate: locateDigest(locate),
            signer: bidder.address,
            time: Date.now(),
            maxBatch: 256,
            skip: [],
          },
          bidder.secretKey,
        ),
      );
      const batch = await reader.next();
      bidderEnd.close();
      return batch;
    })();
    const solverSession = new SolverSession({
      channel: solverEnd,
      secretKey: solver.secretKey,
      chain: genesis.chain,
      contract: { id: contract, bidder: bidder.address, price: PRICE.toString(), mcus: 80_000 },
      bundle: built.bundle.code,
      sandboxPool: pool,
      peer: '12D3KooW-test',
      ...nodePayoutSink(node),
    });
    const ended: SolverSummary[] = [];
    solverSession.on('end', (summary) => ended.push(summary));
    const summary = await solverSession.run();
    expect(summary).toMatchObject({ outcome: 'closed', batches: 0, mcus: 0, earned: 0n, payouts: [] });
    expect(summary.message).toBe('the bidder closed the session without answering batch 0');
    expect(ended).toEqual([summary]);
    expect((await bidderSide)?.type).toBe('batch');
    await expect(solverEnd.send({ type: 'refuse', contract, reason: 'busy', message: '' })).rejects.toMatchObject({
      code: 'NODE_SESSION_CLOSED',
    });
  });

  it('an aborted bidder session closes the channel; the solver keeps what it was paid', async () => {
    const contract = await publish();
    const controller = new AbortController();
    const service = newBidder();
    service.on('paid', () => controller.abort());
    const [bidderEnd, solverEnd] = createChannelPair();
    const handled = service.handle(bidderEnd, { signal: controller.signal });
    const solverSession = new SolverSession({
      channel: solverEnd,
      secretKey: (solvers[2] as DevAccount).secretKey,
      chain: genesis.chain,
      contract: { id: contract, bidder: bidder.address, price: PRICE, mcus: 80_000 },
      bundle: built.bundle.code,
      sandboxPool: pool,
      peer: 'p',
      ...nodePayoutSink(node),
    });
    const [summary, report] = await Promise.all([solverSession.run(), handled]);
    expect(report).toMatchObject({ outcome: 'aborted', batches: 1 });
    expect(summary).toMatchObject({ outcome: 'closed', batches: 1, mcus: 1 });
    expect(summary.message).toBe('the bidder closed the session before batch 1');
    expect(solved(contract)).toEqual([{ from: 0, count: 1 }]);
    expect(service.sessions).toBe(0);
  });

  it('stops at the escrow: a batch it cannot pay is refused, then the contract is refused', async () => {
    // The minimum escrow (PUB-4): 1,000 MCUs. Batches of up to 512: 1 + 2 + … + 256 = 511 are
    // paid, the 512 of batch 9 would overdraw the 489 left.
    const contract = await publish(PRICE * 1_000n);
    const service = newBidder({ maxBatch: 512 });
    const first = await session(contract, solvers[1] as DevAccount, { service });
    expect(first.summary).toMatchObject({ outcome: 'refused', batches: 9, mcus: 511, refusal: { seq: 9, reason: 'escrow-exhausted' } });
    expect(service.escrowLeft(contract)).toBe(PRICE * 489n);
    const rest = await session(contract, solvers[2] as DevAccount, { service, maxMcus: 489 });
    expect(rest.summary).toMatchObject({ outcome: 'limit', mcus: 489 });
    expect(readContract(node.chain.state, contract)).toMatchObject({ escrow: 0n, paid: 1_000 });
    expect(solved(contract)).toEqual([{ from: 0, count: 1_000 }]);
    const late = await session(contract, solvers[3] as DevAccount, { service });
    expect(late.summary).toMatchObject({ outcome: 'refused', batches: 0, refusal: { reason: 'escrow-exhausted' } });
    expect(late.summary.refusal).not.toHaveProperty('seq');
  });
});
