import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type { BuiltContract, SandboxPool } from '@zi/runtime';
import { type IndexRange, type SessionMessage, signTransaction } from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevAccount, devnetConfig } from '../src/devnet.js';
import { type AgentSessionEnd, type DroppedBidder, type SkippedContract, SolverAgent } from '../src/market/agent.js';
import type { BidderSessionReport } from '../src/market/bidder.js';
import type { SessionChannel } from '../src/market/channel.js';
import { nodePayoutSink } from '../src/market/inclusion.js';
import { publishFields } from '../src/market/publish.js';
import { type SentBatch, SolverSession, type SolverSessionOptions, type SolverSummary } from '../src/market/solver.js';
import { createHost, type ZiHost } from '../src/network/host.js';
import { DecayingStrikes, PeerPenalties, SessionLimits } from '../src/network/penalties.js';
import type { ZiNode } from '../src/node.js';
import { decodeSolved, solvedKey } from '../src/state/entries.js';
import { buildMandelbrot, failureLog, type NetNode, onHead, signPublish, startNetNode } from './market-fixtures.js';
import { connect, nextEvent, onEmitter, onTarget, subscribedTo, until } from './network-wait.js';

// The solver's robustness and the bootstrapping policy (SES-8), with real nodes on 127.0.0.1:
// A is an honest bidder's node (instant mining: every block of the test comes from A), B the
// solver's (no mining), C a second bidder's node whose BidderService is real but whose session
// transport the test can make misbehave — drop the ack, withhold `paid`, hold a batch back — the
// way a bidder that stops paying, never answers, or sits on a batch would look to a solver.
const { genesis, accounts } = devnetConfig({ count: 8 });
const [miner, honestBidder, solver, faultyBidder, sender] = accounts as [DevAccount, DevAccount, DevAccount, DevAccount, DevAccount];

let dir: string;
let pool: SandboxPool;
let built: BuiltContract;
let a: NetNode;
let b: NetNode;
let c: NetNode;
const hosts: ZiHost[] = [];
const failures: string[] = [];

/** How C's transport misbehaves in the test running now. */
interface Faults {
  /** the ack never reaches the solver */
  dropAck?: boolean;
  /** `paid` answers from this seq on never reach the solver */
  withholdPaidFrom?: number;
  /** the batch of this seq is held back from C's BidderService until `release` resolves */
  hold?: { seq: number; arrived: () => void; release: Promise<void> };
}
let faults: Faults = {};
/** What C's BidderService received, session by session: message types, batches as `batch <seq>`. */
const received: string[][] = [];
const reports: BidderSessionReport[] = [];
/** Emits `report` each time one of C's sessions ends. */
const reported = new EventEmitter();
/** C's session channels, in order, to watch them end. */
const channels: SessionChannel[] = [];

const log = failureLog(failures);

/** C's channel as its BidderService sees it, with the faults of the test applied. */
function misbehaving(channel: SessionChannel): SessionChannel {
  const seen: string[] = [];
  received.push(seen);
  const inner = channel.messages[Symbol.asyncIterator]();
  return {
    async send(message: SessionMessage) {
      if (message.type === 'ack' && faults.dropAck) return;
      if (message.type === 'paid' && faults.withholdPaidFrom !== undefined && message.seq >= faults.withholdPaidFrom) return;
      await channel.send(message);
    },
    messages: {
      [Symbol.asyncIterator]: () => ({
        async next() {
          const result = await inner.next();
          if (result.done) return result;
          const message = result.value;
          seen.push(message.type === 'batch' ? `batch ${message.seq}` : message.type);
          const hold = faults.hold;
          if (message.type === 'batch' && hold && message.seq === hold.seq) {
            hold.arrived();
            await hold.release;
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
}

beforeAll(async () => {
  ({ dir, pool, built } = await buildMandelbrot('zi-solver-robust-'));
  a = await startNetNode(dir, 'a', {
    genesis,
    devAccounts: accounts,
    mining: { mode: 'instant', threads: 1, miner: miner.address },
    rpc: false,
    bidder: { secretKey: honestBidder.secretKey, sandboxPool: pool },
    log,
  });
  b = await startNetNode(dir, 'b', { genesis, devAccounts: accounts, rpc: false, log });
  c = await startNetNode(dir, 'c', {
    genesis,
    devAccounts: accounts,
    rpc: false,
    bidder: { secretKey: faultyBidder.secretKey, sandboxPool: pool },
    log,
  });
  // C's real BidderService, behind the test's transport: the node's own handler is replaced.
  const service = c.bidder;
  if (!service) throw new Error('C has no bidder');
  await c.network.host.unhandle(c.network.ids.sessionProtocol);
  await c.network.onSession((channel) => {
    channels.push(channel);
    service.handle(misbehaving(channel)).then(
      (report) => {
        reports.push(report);
        reported.emit('report');
      },
      (error: unknown) => failures.push(`C's bidder: ${String(error)}`),
    );
  });
  await connect(b, a);
  await connect(b, c);
  await connect(c, a);
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  await b?.stop();
  await c?.stop();
  await a?.stop();
  await pool?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  expect(failures).toEqual([]);
});

/** Publishes mandelbrot (all 80,000 MCUs) for `bidder` at `price` Li per MCU; A mines it; B and C have it. */
async function publish(bidder: DevAccount, price: bigint): Promise<string> {
  const tx = signPublish(a, genesis.chain, bidder, publishFields(built, { price, budget: price * 80_000n }));
  const sent = await a.submit(tx);
  expect(sent.status).toBe('included');
  await until(
    'the contract at B and C',
    () => [b, c].every((n) => n.queries.transactionLocation(sent.id) !== undefined),
    onHead(b),
    onHead(c),
  );
  return sent.id;
}

/** Closes a contract (so the next agent test does not see it), mined by A. */
async function close(bidder: DevAccount, contract: string): Promise<void> {
  const tx = signTransaction(
    {
      type: 'close',
      chain: genesis.chain,
      from: bidder.address,
      nonce: a.mempool.nextNonce(bidder.address),
      fee: 1_000n,
      meta: '',
      contract,
    },
    bidder.secretKey,
  );
  expect((await a.submit(tx)).status).toBe('included');
  await until(
    'the close at B',
    () => b.queries.contracts().every(({ id, entry }) => id !== contract || entry.status === 'closed'),
    onHead(b),
  );
}

/** A transfer mined by A: a block that does not come from the solver's own payouts. */
async function block(): Promise<void> {
  const tx = signTransaction(
    {
      type: 'transfer',
      chain: genesis.chain,
      from: sender.address,
      nonce: a.mempool.nextNonce(sender.address),
      fee: 1_000n,
      meta: '',
      to: miner.address,
      amount: 1n,
    },
    sender.secretKey,
  );
  await a.submit(tx);
}

/** A SolverSession run by B with C over libp2p. */
async function solveWithC(
  contract: string,
  options: Partial<SolverSessionOptions>,
): Promise<{ summary: SolverSummary; sent: SentBatch[] }> {
  const channel = await b.network.openSession(c.network.peerId);
  const session = new SolverSession({
    channel,
    secretKey: solver.secretKey,
    chain: genesis.chain,
    contract: { id: contract, bidder: faultyBidder.address, price: 100n, mcus: 80_000, bundle: built.manifest.cid },
    bundle: built.bundle.code,
    sandboxPool: pool,
    peer: b.network.peerId,
    ...nodePayoutSink(b),
    ...options,
  });
  const sent: SentBatch[] = [];
  session.on('sent', (batch) => sent.push(batch));
  return { summary: await session.run(), sent };
}

const solvedAt = (node: ZiNode, contract: string): IndexRange[] => decodeSolved(node.chain.state.get(solvedKey(contract)));
const countAt = (node: ZiNode, contract: string): number => solvedAt(node, contract).reduce((sum, r) => sum + r.count, 0);

describe('a bidder that stops answering', () => {
  let contract: string;
  beforeAll(async () => {
    contract = await publish(faultyBidder, 100n);
  });
  afterAll(async () => {
    faults = {};
    await close(faultyBidder, contract);
  });

  it('withholds `paid` from batch 2 on: the solver sends no batch 3, ends `timeout` with batch 2 unpaid, and the bidder sees it leave', async () => {
    faults = { withholdPaidFrom: 2 };
    const sessionsBefore = received.length;
    const { summary, sent } = await solveWithC(contract, { answerTimeoutMs: 500, maxMcus: 100 });
    expect(summary).toMatchObject({
      outcome: 'timeout',
      batches: 2,
      mcus: 3,
      unpaid: { seq: 2, mcus: 4, ranges: [{ from: 3, count: 4 }] },
    });
    expect(summary.message).toContain('did not answer batch 2 within 500 ms');
    // SES-4: no batch after the unpaid one.
    expect(sent.map((s) => s.seq)).toEqual([0, 1, 2]);
    await until('C saw the session end', () => reports.length > sessionsBefore, onEmitter(reported, 'report'));
    expect(received[sessionsBefore]).toEqual(['locate', 'batch 0', 'batch 1', 'batch 2']);
    expect(reports.at(-1)).toMatchObject({ outcome: 'closed', batches: 3 });
    expect(solvedAt(b, contract)).toEqual([{ from: 0, count: 3 }]);
  });

  it('a SolverAgent drops a bidder that left a batch unpaid, skips its other contracts, and works for another bidder', async () => {
    faults = { withholdPaidFrom: 1 };
    // C's contracts pay more, so the agent starts there.
    const second = await publish(faultyBidder, 1_000n);
    const honest = await publish(honestBidder, 50n);
    const agent = new SolverAgent({
      node: b,
      secretKey: solver.secretKey,
      sandboxPool: pool,
      sessions: 1,
      maxMcus: 7,
      answerTimeoutMs: 500,
    });
    const order: string[] = [];
    const dropped: DroppedBidder[] = [];
    const skipped: SkippedContract[] = [];
    agent.on('contract', (offer) => order.push(offer.id));
    agent.on('dropped', (d) => dropped.push(d));
    agent.on('skipped', (s) => skipped.push(s));
    const summary = await agent.run();
    // C's dearest contract first; after its bidder is dropped, C's other contract is not even tried.
    expect(order).toEqual([second, honest]);
    expect(dropped).toEqual([expect.objectContaining({ bidder: faultyBidder.address, reason: 'not-paying', contract: second })]);
    expect(skipped).toContainEqual(expect.objectContaining({ contract, reason: 'bidder-not-paying' }));
    expect(summary).toMatchObject({ outcome: 'limit', mcus: 7 });
    expect(solvedAt(b, honest)).toEqual([{ from: 0, count: 6 }]);
    // C paid batch 0 of `second` (1 MCU) and nothing after it.
    expect(solvedAt(b, second)).toEqual([{ from: 0, count: 1 }]);
    await close(faultyBidder, second);
    await close(honestBidder, honest);
  });
});

describe('a solver whose stream dies mid-batch', () => {
  it('loses that batch only: C never signs it, releases the lease, and the next session is leased exactly those indices', async () => {
    const contract = await publish(faultyBidder, 100n);
    let arrived = (): void => {};
    const atBidder = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let release = (): void => {};
    faults = {
      hold: {
        seq: 2,
        arrived,
        release: new Promise<void>((resolve) => {
          release = resolve;
        }),
      },
    };
    const sessionsBefore = reports.length;
    const escrow = c.bidder?.escrowLeft(contract);
    const run = solveWithC(contract, { maxMcus: 100 });
    await atBidder;
    // The connection dies under the batch, as when the solver's process is killed.
    const channel = channels.at(-1) as SessionChannel;
    await b.network.host.hangUp(c.network.host.peerId);
    await until(
      'C sees the stream end',
      () => channel.ended.aborted,
      (notify) => {
        channel.ended.addEventListener('abort', notify);
        return () => channel.ended.removeEventListener('abort', notify);
      },
    );
    // Batch 1's payout is in C's chain, so C takes batch 2 all the way to the signature.
    await until('the payouts of batches 0 and 1 at C', () => countAt(c, contract) === 3, onHead(c));
    release();
    const { summary } = await run;
    expect(summary).toMatchObject({ outcome: 'closed', batches: 2, mcus: 3, unpaid: { seq: 2, ranges: [{ from: 3, count: 4 }] } });
    await until('C ended the session', () => reports.length > sessionsBefore, onEmitter(reported, 'report'));
    // Batches 0 and 1 paid; batch 2 not signed: nothing of the escrow is held back for it.
    expect(reports.at(-1)).toMatchObject({ outcome: 'closed', batches: 2, mcus: 3 });
    expect(solvedAt(c, contract)).toEqual([{ from: 0, count: 3 }]);
    expect(c.bidder?.escrowLeft(contract)).toBe((escrow ?? 0n) - 300n);

    // A new session (the connection dialled again) is leased the lowest free indices: batch 2's.
    faults = {};
    const again = await solveWithC(contract, { maxMcus: 4 });
    expect(again.summary).toMatchObject({ outcome: 'limit', mcus: 4 });
    expect(again.sent.flatMap((s) => s.ranges)).toEqual([
      { from: 3, count: 1 },
      { from: 4, count: 2 },
      { from: 6, count: 1 },
    ]);
    expect(solvedAt(b, contract)).toEqual([{ from: 0, count: 7 }]);
    await close(faultyBidder, contract);
  });
});

describe('the bootstrapping solver (SES-8)', () => {
  it('skips a contract whose first batch pays 10 Li or less, with the reason; takes one above, and lets a block pass between the ack and its first batch', async () => {
    const cheap = await publish(honestBidder, 10n);
    const enough = await publish(honestBidder, 11n);
    const agent = new SolverAgent({
      node: b,
      secretKey: solver.secretKey,
      sandboxPool: pool,
      sessions: 1,
      maxMcus: 3,
      bootstrapping: true,
    });
    const skipped: SkippedContract[] = [];
    agent.on('skipped', (s) => skipped.push(s));
    const events: string[] = [];
    const recordHead = (): void => {
      events.push('block');
    };
    b.on('head', recordHead);
    agent.on('handshake', () => events.push('handshake'));
    agent.on('waiting', ({ blocks }) => {
      events.push(`waiting ${blocks}`);
      // A block that does not come from the solver: the one it waits for. Nothing was sent yet.
      expect(events).not.toContain('sent 0');
      void block();
    });
    agent.on('sent', ({ seq }) => events.push(`sent ${seq}`));
    const contracts: string[] = [];
    agent.on('contract', (offer) => contracts.push(offer.id));
    const summary = await agent.run();
    b.off('head', recordHead);
    expect(skipped).toEqual([
      {
        contract: cheap,
        reason: 'below-bootstrap-price',
        message: 'its first batch pays 10 Li; a bootstrapping solver takes only work paying above 10 Li (SES-8)',
      },
    ]);
    expect(contracts).toEqual([enough]);
    expect(summary).toMatchObject({ outcome: 'limit', mcus: 3 });
    // handshake → a block → batch 0; then each batch after the block of the previous payout.
    expect(events).toEqual(['handshake', 'waiting 1', 'block', 'sent 0', 'block', 'sent 1', 'block']);
    await close(honestBidder, cheap);
    await close(honestBidder, enough);
  });

  it('gives up on a bidder that does not ack within 3 blocks, and skips its other contracts', async () => {
    const silent = await publish(faultyBidder, 100n);
    const other = await publish(faultyBidder, 90n);
    faults = { dropAck: true };
    const agent = new SolverAgent({
      node: b,
      secretKey: solver.secretKey,
      sandboxPool: pool,
      sessions: 1,
      bootstrapping: true,
      answerTimeoutMs: 600_000,
    });
    const dropped: DroppedBidder[] = [];
    const skipped: SkippedContract[] = [];
    const ends: AgentSessionEnd[] = [];
    agent.on('dropped', (d) => dropped.push(d));
    agent.on('skipped', (s) => skipped.push(s));
    agent.on('session', (end) => ends.push(end));
    const acked = c.bidder ? nextBidderSession(c) : Promise.reject(new Error('C has no bidder'));
    const running = agent.run();
    await acked;
    const height = b.chain.head().height;
    await block();
    await block();
    await until('two blocks at B', () => b.chain.head().height >= height + 2, onHead(b));
    // Two blocks are not three: the session still waits.
    expect(ends).toEqual([]);
    await block();
    const summary = await running;
    expect(ends.map((e) => [e.contract, e.summary.outcome])).toEqual([[silent, 'timeout']]);
    expect(ends[0]?.summary.message).toContain('3 blocks (SES-8)');
    expect(dropped).toEqual([expect.objectContaining({ bidder: faultyBidder.address, reason: 'silent', contract: silent })]);
    expect(skipped).toContainEqual(expect.objectContaining({ contract: other, reason: 'bidder-silent' }));
    expect(summary.outcome).toBe('idle');
    faults = {};
    await close(faultyBidder, silent);
    await close(faultyBidder, other);
  });
});

/** Resolves when C's BidderService opens (and acks) its next session. */
function nextBidderSession(node: ZiNode): Promise<void> {
  return new Promise((resolve) => node.bidder?.once('session', () => resolve()));
}

describe('session limits at the bidder (NET-7)', () => {
  it('throttles a peer opening sessions in a tight loop, then bans it', async () => {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519') });
    await host.start();
    hosts.push(host);
    const peer = host.peerId.toString();
    const banned = nextEvent(a.network, 'peer-banned', (ban) => ban.peer === peer);
    const address = multiaddr(a.network.addresses()[0] as string);
    const opened: string[] = [];
    // Open and drop, open and drop: 32 opens pass (the burst, 2 more a second); the next ones are
    // reset unread, and the third reset within a minute bans.
    for (let i = 0; i < 100 && !a.network.isBanned(peer); i++) {
      try {
        const stream = await host.dialProtocol(address, a.network.ids.sessionProtocol);
        opened.push(stream.id);
        stream.abort(new Error('next'));
      } catch {
        break;
      }
    }
    const [ban] = await banned;
    expect(ban.reason).toContain('opened sessions faster than it was allowed');
    expect(a.network.isBanned(peer)).toBe(true);
    expect(opened.length).toBeGreaterThanOrEqual(32);
  });

  it('SessionLimits: a burst, then one open per token earned; refusals fade; at most maxOpenPerPeer at once', () => {
    let now = 0;
    const limits = new SessionLimits({ burst: 2, perSecond: 1, maxOpenPerPeer: 10, maxStrikes: 3, strikeDecayMs: 5_000, now: () => now });
    const admit = (n: number, peer = 'p') => Array.from({ length: n }, () => limits.admit(peer));
    expect(admit(3)).toEqual(['open', 'open', 'throttled']);
    now += 1_000; // one token earned
    expect(admit(2)).toEqual(['open', 'throttled']);
    // Two refusals count now; a third within 5 s would be a fault. Once they fade, it is not.
    now += 5_001;
    expect(admit(3)).toEqual(['open', 'open', 'throttled']);
    expect(admit(2)).toEqual(['throttled', 'fault']);
    // Another peer has its own bucket.
    expect(admit(1, 'q')).toEqual(['open']);
    const one = new SessionLimits({ burst: 100, perSecond: 100, maxOpenPerPeer: 1, now: () => now });
    expect([one.admit('p'), one.admit('p')]).toEqual(['open', 'throttled']);
    one.closed('p');
    expect(one.admit('p')).toBe('open');
    expect(one.openSessions('p')).toBe(1);
  });

  it('PeerPenalties: three strikes ban only while they count', () => {
    let now = 0;
    const bans: string[] = [];
    const penalties = new PeerPenalties((peer) => bans.push(peer), { maxStrikes: 3, strikeDecayMs: 10_000, now: () => now });
    penalties.strike('p', 'bad gossip');
    penalties.strike('p', 'bad gossip');
    now += 10_001;
    penalties.strike('p', 'bad gossip');
    expect(bans).toEqual([]);
    expect(penalties.strikes('p')).toBe(1);
    penalties.strike('p', 'bad gossip');
    penalties.strike('p', 'bad gossip');
    expect(bans).toEqual(['p']);
    expect(penalties.isBanned('p')).toBe(true);
    const strikes = new DecayingStrikes(100, () => now);
    expect([strikes.add('x'), strikes.add('x')]).toEqual([1, 2]);
    now += 101;
    expect(strikes.count('x')).toBe(0);
  });
});

describe('gossip on a crowded address', () => {
  it('still flows after more than ten peers have come and gone from 127.0.0.1 (no gossipsub IP colocation penalty)', async () => {
    // Sixteen short-lived peers, as a local cluster or solvers behind one NAT bring: each connects
    // to A, subscribes to the transaction topic (so A's gossipsub scores it), and leaves.
    const { txsTopic } = a.network.ids;
    for (let i = 0; i < 16; i++) {
      const host = await createHost({ privateKey: await generateKeyPair('Ed25519') });
      await host.start();
      // A dials (libp2p takes at most 5 inbound connections a second from one address).
      await a.network.connect(host.getMultiaddrs()[0] as Multiaddr);
      host.services.pubsub.subscribe(txsTopic);
      await until(
        'A sees the subscription',
        () => subscribedTo(a.network.host, txsTopic, host.peerId.toString()),
        onTarget(a.network.host.services.pubsub, 'subscription-change'),
      );
      await host.stop();
    }
    // A transaction B submits still reaches A by gossip (and A, mining instantly, puts it in a block).
    const tx = signTransaction(
      {
        type: 'transfer',
        chain: genesis.chain,
        from: sender.address,
        nonce: b.mempool.nextNonce(sender.address),
        fee: 1_000n,
        meta: '',
        to: miner.address,
        amount: 2n,
      },
      sender.secretKey,
    );
    const { id } = await b.submit(tx);
    await until('the transfer in A', () => a.queries.transactionLocation(id) !== undefined, onHead(a));
  });
});
