// Zi market benchmark: `npx tsc -b && node --no-node-snapshot bench/market.js`.
//
// The whole market on the local network — a bidder's node (instant mining, a BidderService that
// validates every batch) and solver nodes running SolverAgents, all real libp2p nodes on 127.0.0.1
// in this process, sandboxes in worker processes — against the same work without the market, in
// the same run:
//   (a) protocol overhead: the wall time of a fixed mandelbrot job (indices 0 … 20,000) through the
//       market with one solver, divided by the same MCUs in one runRange on a one-worker pool;
//   (b) speed-up: the same job with two solvers (two nodes, two agents, one worker each) against one;
//   (c) the session's message and byte rates (a trivial contract, so the protocol dominates)
//       against raw libp2p streams between the same two nodes echoing frames of the same sizes.
// As in the other benches the RATIOS are the result; absolute numbers are printed for context.
// ZI_BENCH_MARKET_MCUS (default 20000) sets the job of (a) and (b), ZI_BENCH_MARKET_REPS (3) the
// repetitions (after one warm-up).
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { lpStream } from '@libp2p/utils';
import { devnetConfig, nodePayoutSink, publishFields, SolverAgent, SolverSession, startNode } from '../node/dist/index.js';
import { buildContract, Sandbox, SandboxPool } from '../runtime/dist/index.js';
import { encodeSessionMessage, signTransaction } from '../spec/dist/index.js';
import { templateDir } from '../templates/index.js';
import { best, finish, fixed, int, median, note, now, round, sectionRunner, table } from './lib.js';

const MCUS = Number(process.env.ZI_BENCH_MARKET_MCUS ?? 20_000);
const REPS = Number(process.env.ZI_BENCH_MARKET_REPS ?? 3);
/** Li per MCU of the benchmark's contracts. */
const PRICE = 10n;
/** The bidder's largest batch (SES-3): the node's default, and a larger one to show what it buys. */
const MAX_BATCHES = [256, 2048];
/** (c) batches of the session measured: 1, 2, 4 … 256, then 256s, inside one lease of 32 × 256 MCUs. */
const SESSION_MCUS = 255 + 31 * 256;
const ECHO_PROTOCOL = '/zi-bench/echo/1';
/** A `zi solve` process of (b) is killed (and the section fails) after this long. */
const PROCESS_TIMEOUT_MS = 240_000;
/** An in-process job or session is aborted (and its section fails) after this long. */
const JOB_TIMEOUT_MS = 240_000;
/** The `zi` CLI, run as solver processes in (b). */
const CLI = fileURLToPath(new URL('../cli/bin/run.js', import.meta.url));

const TRIVIAL_SRC = `import { defineContract } from '@zi/sdk';
export default defineContract({
  name: 'bench-market-trivial',
  version: '1.0.0',
  price: 1n,
  limits: { gasPerMcu: 100 },
  inputs: { count: 1_000_000, at: (i: number) => i },
  mcu: (x: number) => x + 1,
});
`;

// --- cleanup: every node stopped, every pool closed and every child killed, whatever happens -----

const nodes = [];
const pools = new Set();
const children = new Set();

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function openPool(size) {
  const pool = new SandboxPool({ size });
  pools.add(pool);
  return pool;
}

async function cleanup() {
  for (const child of children) child.kill('SIGKILL');
  await Promise.allSettled(nodes.splice(0).map((node) => node.stop()));
  await Promise.allSettled([...pools].map((pool) => pool.close()));
  pools.clear();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

// --- the network -------------------------------------------------------------------------------

/** Resolves once `check()` holds, checked now and after each of `node`'s head changes. */
function untilHead(node, check) {
  return new Promise((resolve) => {
    const test = () => {
      if (!check()) return;
      node.off('head', test);
      resolve();
    };
    node.on('head', test);
    test();
  });
}

/** a dials b; resolves once each sees the other subscribed to both gossip topics. */
async function connect(a, b) {
  await a.network.connect(b.network.addresses()[0]);
  const { blocksTopic, txsTopic } = a.network.ids;
  const subscribed = (x, y) =>
    [blocksTopic, txsTopic].every((topic) =>
      x.network.host.services.pubsub.getSubscribers(topic).some((peer) => peer.toString() === y.network.peerId),
    );
  await new Promise((resolve) => {
    const pubsubs = [a, b].map((n) => n.network.host.services.pubsub);
    const test = () => {
      if (!(subscribed(a, b) && subscribed(b, a))) return;
      for (const p of pubsubs) p.removeEventListener('subscription-change', test);
      resolve();
    };
    for (const p of pubsubs) p.addEventListener('subscription-change', test);
    test();
  });
}

async function start(ctx, name, options) {
  const node = await startNode({
    dataDir: join(ctx.dir, name),
    genesis: ctx.genesis,
    devAccounts: ctx.accounts,
    rpc: false,
    network: {},
    log: (event) => {
      if (event.type === 'error') ctx.errors.push(`${name}: ${event.where}: ${event.message}`);
      if (event.type !== 'block-mined' && event.type !== 'tx-accepted') {
        ctx.recent.push(`${name}: ${JSON.stringify(event, (_, v) => (typeof v === 'bigint' ? v.toString() : v)).slice(0, 300)}`);
        if (ctx.recent.length > 30) ctx.recent.shift();
      }
    },
    ...options,
  });
  nodes.push(node);
  return node;
}

/** Publishes `built` over indices 0 … mcus for the world's bidder, whose node mines it; every solver node of the world has it. */
async function publish(ctx, world, built, { price = PRICE, mcus }) {
  const { bidder } = world;
  const tx = signTransaction(
    {
      type: 'publish',
      chain: ctx.genesis.chain,
      from: bidder.account.address,
      nonce: bidder.node.mempool.nextNonce(bidder.account.address),
      fee: 1_000n,
      meta: '',
      ...publishFields(built, { price, mcus, budget: price * BigInt(mcus) }),
    },
    bidder.account.secretKey,
  );
  const { id, status } = await bidder.node.submit(tx);
  if (status !== 'included') throw new Error(`the publish is ${status}`);
  await Promise.all(world.solvers.map(({ node }) => untilHead(node, () => node.queries.transactionLocation(id) !== undefined)));
  return id;
}

// --- (a), (b) ------------------------------------------------------------------------------------

/**
 * A fresh contract over indices 0 … MCUS, solved through the market by `solvers` agents (one
 * session at a time each) until it is done: each agent works until it finds nothing left to lease.
 */
async function marketJob(ctx, world, solvers) {
  const contract = await publish(ctx, world, ctx.mandelbrot, { mcus: MCUS });
  const t0 = now();
  let batches = 0;
  const told = [];
  const runs = solvers.map((s) => {
    const agent = new SolverAgent({
      node: s.node,
      secretKey: s.account.secretKey,
      sandboxPool: s.pool,
      sessions: 1,
      signal: AbortSignal.timeout(JOB_TIMEOUT_MS),
    });
    agent.on('progress', () => batches++);
    agent.on('skipped', ({ reason, message }) => told.push(`skipped: ${reason}: ${message}`));
    agent.on('session', ({ summary }) => told.push(`session: ${summary.outcome}: ${summary.message}`));
    return agent.run();
  });
  const summaries = await Promise.all(runs);
  const ms = now() - t0;
  const mcus = summaries.reduce((sum, s) => sum + s.mcus, 0);
  if (mcus !== MCUS) throw new Error(`the market solved ${mcus} MCUs, not ${MCUS}: ${told.join('; ') || 'no contract ranked'}`);
  for (const s of summaries) if (s.contracts.some((id) => id !== contract)) throw new Error('an agent worked on another contract');
  return { ms, batches, shares: summaries.map((s) => s.mcus) };
}

/**
 * A `zi solve --json` process joining through `bootstrap` (its own folder, devnet account 0 as the
 * payee): resolves once it exits, with when it took its first contract and when it was done.
 */
function solveProcess(ctx, bootstrap) {
  const home = join(ctx.dir, `zi-solve-${ctx.processes++}`);
  const child = spawn(process.execPath, ['--no-node-snapshot', CLI, 'solve', '--bootstrap', bootstrap, '--cores', '1', '--json'], {
    env: { ...process.env, ZI_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const times = {};
  const lines = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    if (lines.length > 8) lines.shift();
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    if (event.event === 'contract' && times.start === undefined) times.start = now();
    if (['session', 'dropped', 'skipped'].includes(event.event)) {
      times.notes = times.notes ?? [];
      times.notes.push(line.slice(0, 400));
    }
    if (event.event === 'done') {
      times.end = now();
      times.done = event;
    }
  });
  return new Promise((resolve, reject) => {
    // A job takes seconds: a process still running after this is stuck, and says where.
    const watchdog = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      children.delete(child);
      if (code === 0 && times.done) resolve(times);
      else {
        const bidder = ctx.worlds[0].bidder.node;
        reject(
          new Error(
            `zi solve exited with ${code ?? signal}: ${stderr.slice(-800)}; its last lines: ${lines.join(' | ')}; the bidder: height ${bidder.chain.head().height}, ${bidder.bidder?.sessions} sessions, mempool ${bidder.mempool.size}; recent node events: ${ctx.recent.join(' | ')}`,
          ),
        );
      }
    });
  });
}

/**
 * The job solved by `count` `zi solve` processes (one core each) against the world's bidder: the
 * time from the first one taking the contract to the last one done. Each process's start (node,
 * network, sync) is not counted.
 */
async function processJob(ctx, world, count) {
  const contract = await publish(ctx, world, ctx.mandelbrot, { mcus: MCUS });
  const address = world.bidder.node.network.addresses()[0];
  const runs = await Promise.all(Array.from({ length: count }, () => solveProcess(ctx, address)));
  const mcus = runs.reduce((sum, run) => sum + run.done.mcus, 0);
  if (mcus !== MCUS) {
    const notes = runs.map((run, i) => `process ${i}: ${(run.notes ?? []).join(' | ')}`).join('; ');
    throw new Error(`the solver processes solved ${mcus} MCUs, not ${MCUS}: ${notes}; recent node events: ${ctx.recent.join(' | ')}`);
  }
  if (runs.some((run) => run.done.contracts.some((id) => id !== contract))) throw new Error('a solver process worked on another contract');
  const starts = runs.map((run) => run.start).filter((start) => start !== undefined);
  return {
    ms: Math.max(...runs.map((run) => run.end)) - Math.min(...starts),
    batches: runs.reduce((sum, run) => sum + run.done.batches, 0),
  };
}

/** The same MCUs without the market: one runRange on a one-worker pool (and two halves on two workers). */
async function nativeJob(ctx, pool, parts) {
  const sandbox = await Sandbox.load(pool, ctx.mandelbrot.bundle);
  const t0 = now();
  const size = Math.ceil(MCUS / parts);
  const runs = await Promise.all(
    Array.from({ length: parts }, (_, i) => sandbox.runRange({ from: i * size, count: Math.min(size, MCUS - i * size) })),
  );
  const ms = now() - t0;
  const mcus = runs.reduce((sum, r) => sum + r.mcus, 0);
  if (mcus !== MCUS) throw new Error(`runRange ran ${mcus} MCUs, not ${MCUS}`);
  return ms;
}

async function benchJob(ctx) {
  const native1 = openPool(1);
  const native2 = openPool(2);
  const times = { native1: [], native2: [] };
  const market = new Map();
  for (const world of ctx.worlds) {
    market.set(world.maxBatch, { one: [], two: [], batchesOne: [], batchesTwo: [] });
  }
  const processes = { one: [], two: [], batches: [] };
  for (let r = 0; r <= REPS; r++) {
    const n1 = await nativeJob(ctx, native1, 1);
    const n2 = await nativeJob(ctx, native2, 2);
    // Solvers as processes of their own (the first world, default maxBatch): separate event loops.
    const p1 = await processJob(ctx, ctx.worlds[0], 1);
    const p2 = await processJob(ctx, ctx.worlds[0], 2);
    if (r > 0) {
      processes.one.push(p1.ms);
      processes.two.push(p2.ms);
      processes.batches.push(p1.batches);
    }
    for (const world of ctx.worlds) {
      const one = await marketJob(ctx, world, world.solvers.slice(0, 1));
      const two = await marketJob(ctx, world, world.solvers);
      if (r === 0) continue;
      const m = market.get(world.maxBatch);
      m.one.push(one.ms);
      m.two.push(two.ms);
      m.batchesOne.push(one.batches);
      m.batchesTwo.push(two.batches);
    }
    if (r === 0) continue;
    times.native1.push(n1);
    times.native2.push(n2);
  }
  const rows = [
    [
      `runRange, 1 worker (baseline)`,
      fixed(best(times.native1), 0),
      fixed(median(times.native1), 0),
      '-',
      int((MCUS * 1000) / best(times.native1)),
      '1.00',
    ],
    [
      `runRange, 2 workers`,
      fixed(best(times.native2), 0),
      fixed(median(times.native2), 0),
      '-',
      int((MCUS * 1000) / best(times.native2)),
      fixed(best(times.native2) / best(times.native1), 2),
    ],
  ];
  const figures = [];
  for (const [maxBatch, m] of market) {
    const overhead = best(m.one) / best(times.native1);
    const overheadMedian = median(m.one) / median(times.native1);
    const speedup = best(m.one) / best(m.two);
    const speedupMedian = median(m.one) / median(m.two);
    rows.push(
      [
        `market, 1 solver, maxBatch ${maxBatch}`,
        fixed(best(m.one), 0),
        fixed(median(m.one), 0),
        int(median(m.batchesOne)),
        int((MCUS * 1000) / best(m.one)),
        fixed(overhead, 1),
      ],
      [
        `market, 2 solvers, maxBatch ${maxBatch}`,
        fixed(best(m.two), 0),
        fixed(median(m.two), 0),
        int(median(m.batchesTwo)),
        int((MCUS * 1000) / best(m.two)),
        fixed(best(m.two) / best(times.native1), 1),
      ],
    );
    figures.push({
      maxBatch,
      oneMs: best(m.one),
      twoMs: best(m.two),
      batches: median(m.batchesOne),
      msPerBatch: best(m.one) / median(m.batchesOne),
      overhead,
      overheadMedian,
      speedup,
      speedupMedian,
    });
  }
  const processMaxBatch = ctx.worlds[0].maxBatch;
  const processSpeedup = best(processes.one) / best(processes.two);
  const processSpeedupMedian = median(processes.one) / median(processes.two);
  rows.push(
    [
      `market, 1 zi solve process, maxBatch ${processMaxBatch}`,
      fixed(best(processes.one), 0),
      fixed(median(processes.one), 0),
      int(median(processes.batches)),
      int((MCUS * 1000) / best(processes.one)),
      fixed(best(processes.one) / best(times.native1), 1),
    ],
    [
      `market, 2 zi solve processes, maxBatch ${processMaxBatch}`,
      fixed(best(processes.two), 0),
      fixed(median(processes.two), 0),
      int(median(processes.batches)),
      int((MCUS * 1000) / best(processes.two)),
      fixed(best(processes.two) / best(times.native1), 1),
    ],
  );
  table(
    `(a, b) mandelbrot indices 0 … ${int(MCUS)}: wall time through the market (bidder validates every batch, each payout mined before the next batch) vs runRange in one process; best of ${REPS}`,
    ['', 'ms best', 'ms median', 'batches', 'MCU/s best', 'x runRange'],
    rows,
  );
  for (const f of figures) {
    note(
      `RATIO (a) market / runRange, maxBatch ${f.maxBatch}: ${fixed(f.overhead, 1)} (median ${fixed(f.overheadMedian, 1)}); ${fixed(f.msPerBatch, 1)} ms per batch`,
    );
    note(
      `RATIO (b) speed-up, two in-process solvers / one, maxBatch ${f.maxBatch}: ${fixed(f.speedup, 2)} (median ${fixed(f.speedupMedian, 2)})`,
    );
  }
  note(
    `RATIO (b) speed-up, two zi solve processes / one, maxBatch ${processMaxBatch}: ${fixed(processSpeedup, 2)} (median ${fixed(processSpeedupMedian, 2)}); from the first process taking the contract to the last one done`,
  );
  return {
    native1Ms: best(times.native1),
    native2Ms: best(times.native2),
    figures,
    processes: {
      maxBatch: processMaxBatch,
      oneMs: best(processes.one),
      twoMs: best(processes.two),
      speedup: processSpeedup,
      speedupMedian: processSpeedupMedian,
    },
  };
}

// --- (c) -----------------------------------------------------------------------------------------

/** The bytes of a message on the wire: its frame (varint length + canonical bytes). */
function frameBytes(message) {
  const length = encodeSessionMessage(message).length;
  return length + (length < 128 ? 1 : length < 16_384 ? 2 : 3);
}

/** A channel that records each exchange (bytes sent, bytes of the answer). */
function recording(channel, exchanges) {
  const inner = channel.messages[Symbol.asyncIterator]();
  let pending;
  return {
    async send(message) {
      pending = frameBytes(message);
      return channel.send(message);
    },
    messages: {
      [Symbol.asyncIterator]: () => ({
        async next() {
          const result = await inner.next();
          if (!result.done) exchanges.push([pending ?? 0, frameBytes(result.value)]);
          return result;
        },
      }),
    },
    close: () => channel.close(),
    get ended() {
      return channel.ended;
    },
  };
}

/** One session of SESSION_MCUS trivial MCUs from solver 0 to the first bidder: its exchanges and timings. */
async function sessionRun(ctx, contract) {
  const { bidder, solvers } = ctx.worlds[0];
  const solver = solvers[0];
  const exchanges = [];
  const channel = recording(await solver.node.network.openSession(bidder.node.network.peerId), exchanges);
  const session = new SolverSession({
    channel,
    secretKey: solver.account.secretKey,
    chain: ctx.genesis.chain,
    contract: { id: contract, bidder: bidder.account.address, price: 1n, mcus: 1_000_000, bundle: ctx.trivial.manifest.cid },
    bundle: ctx.trivial.bundle.code,
    sandboxPool: solver.pool,
    peer: solver.node.network.peerId,
    ...nodePayoutSink(solver.node),
    maxMcus: SESSION_MCUS,
    signal: AbortSignal.timeout(JOB_TIMEOUT_MS),
  });
  const progress = [];
  session.on('progress', (p) => progress.push(p));
  const t0 = now();
  const summary = await session.run();
  const ms = now() - t0;
  if (summary.outcome !== 'limit') throw new Error(`the session ended ${summary.outcome}: ${summary.message}`);
  return { ms, exchanges, progress };
}

/** The same exchanges over a raw libp2p stream between the same nodes: a frame out, a frame of the answer's size back. */
async function echoRun(ctx, exchanges) {
  const { bidder, solvers } = ctx.worlds[0];
  const stream = await solvers[0].node.network.host.dialProtocol(bidder.node.network.host.peerId, ECHO_PROTOCOL);
  const lp = lpStream(stream, { maxDataLength: 8 * 1024 * 1024 });
  const t0 = now();
  for (const [out, back] of exchanges) {
    const frame = new Uint8Array(Math.max(4, out - 2));
    new DataView(frame.buffer).setUint32(0, Math.max(4, back - 2));
    await lp.write(frame);
    await lp.read();
  }
  const ms = now() - t0;
  await stream.close();
  return ms;
}

async function benchSession(ctx) {
  const world = ctx.worlds[0];
  const { bidder } = world;
  await bidder.node.network.host.handle(ECHO_PROTOCOL, async (stream) => {
    const lp = lpStream(stream, { maxDataLength: 8 * 1024 * 1024 });
    try {
      for (;;) {
        const frame = (await lp.read()).subarray();
        await lp.write(new Uint8Array(new DataView(frame.buffer, frame.byteOffset).getUint32(0)));
      }
    } catch {
      // the client closed its end: the run is over
    }
  });
  const sessions = [];
  const echoes = [];
  for (let r = 0; r <= REPS; r++) {
    const contract = await publish(ctx, world, ctx.trivial, { price: 1n, mcus: 1_000_000 });
    const session = await sessionRun(ctx, contract);
    const echo = await echoRun(ctx, session.exchanges);
    if (r === 0) continue;
    sessions.push(session);
    echoes.push(echo);
  }
  const { exchanges, progress } = sessions[0];
  const messages = exchanges.length * 2;
  const bytes = exchanges.reduce((sum, [out, back]) => sum + out + back, 0);
  const sessionMs = sessions.map((s) => s.ms);
  const perSecond = (count, ms) => (count * 1000) / ms;
  const msgRatio = perSecond(messages, best(sessionMs)) / perSecond(messages, best(echoes));
  const msgRatioMedian = median(echoes) / median(sessionMs);
  const mean = (key) =>
    sessions.flatMap((s) => s.progress.map((p) => p[key])).reduce((a, b) => a + b, 0) / (sessions.length * progress.length);
  table(
    `(c) one session, ${progress.length} batches (${int(SESSION_MCUS)} trivial MCUs), ${messages} messages, ${int(bytes)} bytes both ways, vs the same frames echoed on a raw libp2p stream; best of ${REPS}`,
    ['', 'ms best', 'ms median', 'messages/s', 'KiB/s'],
    [
      [
        'raw libp2p stream, lock-step echo',
        fixed(best(echoes), 1),
        fixed(median(echoes), 1),
        int(perSecond(messages, best(echoes))),
        int(perSecond(bytes, best(echoes)) / 1024),
      ],
      [
        'solver session (validate, sign, mine, include)',
        fixed(best(sessionMs), 1),
        fixed(median(sessionMs), 1),
        int(perSecond(messages, best(sessionMs))),
        int(perSecond(bytes, best(sessionMs)) / 1024),
      ],
    ],
  );
  note(`RATIO (c) session / raw stream, messages per second: ${fixed(msgRatio, 3)} (median ${fixed(msgRatioMedian, 3)})`);
  note(
    `per batch, averaged: run ${fixed(mean('runMs'), 2)} ms, send -> paid ${fixed(mean('roundTripMs'), 2)} ms (the bidder's checks, validation, signature), submit -> included ${fixed(mean('inclusionMs'), 2)} ms (gossip, mine, gossip back)`,
  );
  return {
    batches: progress.length,
    messages,
    bytes,
    sessionMs: best(sessionMs),
    echoMs: best(echoes),
    ratio: msgRatio,
    ratioMedian: msgRatioMedian,
    perBatch: { runMs: mean('runMs'), roundTripMs: mean('roundTripMs'), inclusionMs: mean('inclusionMs') },
  };
}

// --- main --------------------------------------------------------------------------------------

async function main() {
  const started = now();
  console.log(
    `Zi market bench: node ${process.version}, ${availableParallelism()} cores, ${int(MCUS)} MCUs per job, ${REPS} repetitions (+1 warm-up); every node in this process, sandboxes in worker processes`,
  );
  // The devnet of `zi --genesis devnet` (ten dev accounts), so `zi solve` processes join it.
  const { genesis, accounts } = devnetConfig({ count: 10 });
  const dir = await mkdtemp(join(tmpdir(), 'zi-bench-market-'));
  const ctx = { dir, genesis, accounts, errors: [], worlds: [], processes: 0, recent: [] };
  const { results, errors, section } = sectionRunner(ctx);
  try {
    await cp(templateDir('mandelbrot'), join(dir, 'mandelbrot'), { recursive: true });
    await cp(templateDir('mandelbrot'), join(dir, 'trivial'), { recursive: true });
    await writeFile(join(dir, 'trivial', 'src', 'contract.ts'), TRIVIAL_SRC);
    const buildPool = openPool(1);
    ctx.mandelbrot = await buildContract({ projectDir: join(dir, 'mandelbrot'), entry: 'src/contract.ts', pool: buildPool });
    ctx.trivial = await buildContract({ projectDir: join(dir, 'trivial'), entry: 'src/contract.ts', pool: buildPool });
    // One small network per maxBatch, not connected to the other: a bidder's node that mines
    // (instant: a block as soon as a payout arrives by gossip) and two solver nodes. Every node
    // imports every block of its network (with an fsync), and they all share this process's one
    // thread, so the fewer nodes, the closer the figures are to processes of their own.
    const bidderPool = openPool(2);
    const solverPools = [openPool(1), openPool(1)];
    for (const maxBatch of MAX_BATCHES) {
      const [miner, bidder, solver0, solver1] = accounts;
      const node = await start(ctx, `bidder-${maxBatch}`, {
        mining: { mode: 'instant', threads: 1, miner: miner.address },
        bidder: { secretKey: bidder.secretKey, sandboxPool: bidderPool, maxBatch },
      });
      const solvers = [];
      for (const [i, account] of [solver0, solver1].entries()) {
        solvers.push({ node: await start(ctx, `solver-${maxBatch}-${i}`, {}), account, pool: solverPools[i] });
      }
      const all = [node, ...solvers.map((x) => x.node)];
      for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) await connect(all[i], all[j]);
      ctx.worlds.push({ maxBatch, bidder: { node, account: bidder }, solvers });
    }
    await section('job', benchJob);
    // Last: its contract stays open, and a trivial MCU would outrank mandelbrot for any agent.
    await section('session', benchSession);
  } finally {
    await cleanup();
    await rm(dir, { recursive: true, force: true });
  }
  if (ctx.errors.length > 0) for (const error of ctx.errors) errors.push({ section: 'nodes', message: error });
  const { job, session } = results;
  const summary = {
    bench: 'zi-market',
    node: process.version,
    mcus: MCUS,
    reps: REPS,
    job: job && {
      native1Ms: round(job.native1Ms, 1),
      native2Ms: round(job.native2Ms, 1),
      byMaxBatch: job.figures.map((f) => ({
        maxBatch: f.maxBatch,
        oneSolverMs: round(f.oneMs, 1),
        twoSolversMs: round(f.twoMs, 1),
        batches: f.batches,
        msPerBatch: round(f.msPerBatch, 2),
        overhead: round(f.overhead, 2),
        overheadMedian: round(f.overheadMedian, 2),
        speedup: round(f.speedup, 2),
        speedupMedian: round(f.speedupMedian, 2),
      })),
      processes: {
        maxBatch: job.processes.maxBatch,
        oneSolverMs: round(job.processes.oneMs, 1),
        twoSolversMs: round(job.processes.twoMs, 1),
        speedup: round(job.processes.speedup, 2),
        speedupMedian: round(job.processes.speedupMedian, 2),
      },
    },
    session: session && {
      batches: session.batches,
      messages: session.messages,
      bytes: session.bytes,
      sessionMs: round(session.sessionMs, 1),
      echoMs: round(session.echoMs, 1),
      ratio: round(session.ratio, 4),
      ratioMedian: round(session.ratioMedian, 4),
      perBatch: {
        runMs: round(session.perBatch.runMs, 2),
        roundTripMs: round(session.perBatch.roundTripMs, 2),
        inclusionMs: round(session.perBatch.inclusionMs, 2),
      },
    },
    errors,
    elapsedMs: Math.round(now() - started),
  };
  finish(summary, errors);
}

await main();
