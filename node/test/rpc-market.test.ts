import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { type BuiltContract, Sandbox, type SandboxPool } from '@zi/runtime';
import { type BatchMessage, cidOfBytes, type GenesisConfig, signTransaction, type Transaction } from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient, type RpcClient, RpcError, subscribeNewHeads } from '../src/api/client.js';
import type { DiagnosisCode, HeadJson } from '../src/api/types.js';
import { type DevAccount, devnetConfig } from '../src/devnet.js';
import { nodePayoutSink } from '../src/market/inclusion.js';
import { publishFields } from '../src/market/publish.js';
import { encodeBatchResults } from '../src/market/results.js';
import { SolverSession, type SolverSessionOptions, type SolverSummary } from '../src/market/solver.js';
import type { ZiNode } from '../src/node.js';
import { buildMandelbrot, failureLog, type NetNode, signPublish, startNetNode } from './market-fixtures.js';
import { connect, onEmitter, until } from './network-wait.js';

// zi_results, zi_status and zi_content on real nodes on 127.0.0.1: A is the bidder's node
// (instant mining, RPC, a BidderService with batches of at most 16 MCUs), B a solver's node
// without a bidder, C a bidder's node with no peers at all. Each diagnosis code comes from a
// real situation on the chain. The genesis lowers PUB-4's minimum escrow to one MCU so that a
// contract can be published with less escrow than one batch.
const devnet = devnetConfig({ count: 7 });
const genesis: GenesisConfig = { ...devnet.genesis, market: { ...devnet.genesis.market, minEscrowMcus: 1 } };
const [miner, bidder, honest, liar, lonely] = devnet.accounts as [DevAccount, DevAccount, DevAccount, DevAccount, DevAccount];
const MAX_BATCH = 16;

let dir: string;
let pool: SandboxPool;
let built: BuiltContract;
let a: NetNode;
let b: NetNode;
let rpcA: RpcClient;
let rpcB: RpcClient;
/** the contracts of the tests below, by name */
const contracts: Record<string, string> = {};
const failures: string[] = [];

const log = failureLog(failures);

beforeAll(async () => {
  ({ dir, pool, built } = await buildMandelbrot('zi-rpc-market-'));
  a = await startNetNode(dir, 'a', {
    genesis,
    devAccounts: devnet.accounts,
    mining: { mode: 'instant', threads: 1, miner: miner.address },
    rpc: { port: 0 },
    bidder: { secretKey: bidder.secretKey, sandboxPool: pool, maxBatch: MAX_BATCH },
    log,
  });
  b = await startNetNode(dir, 'b', { genesis, devAccounts: devnet.accounts, rpc: { port: 0 }, log });
  rpcA = createRpcClient(a.rpcUrl as string);
  rpcB = createRpcClient(b.rpcUrl as string);
  await connect(b, a);
}, 60_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await pool?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  expect(failures).toEqual([]);
});

/** Publishes mandelbrot on `node` from `from`, and waits until B has it too when B is A's peer. */
async function publish(
  node: ZiNode,
  from: DevAccount,
  options: { price: bigint; budget?: bigint; mcus?: number; withoutCode?: boolean },
): Promise<string> {
  const fields = publishFields(built, { price: options.price, budget: options.budget ?? options.price * 1000n });
  const { code: _code, ...withoutCode } = fields;
  const tx = signPublish(node, genesis.chain, from, {
    // A bundle nobody was given: its CID names bytes no node holds.
    ...(options.withoutCode ? { ...withoutCode, bundle: cidOfBytes(randomBytes(32)) } : fields),
    ...(options.mcus === undefined ? {} : { mcus: options.mcus }),
  });
  const sent = await node.submit(tx);
  expect(sent.status).toBe('included');
  if (node === a) await until('the publish at B', () => b.queries.transactionLocation(sent.id) !== undefined, onEmitter(b, 'head'));
  return sent.id;
}

/** A solver session from B to A on `contract`, paid through B's node. */
async function solve(
  contract: string,
  solver: DevAccount,
  options: Partial<SolverSessionOptions> & { price: bigint; mcus?: number },
): Promise<SolverSummary> {
  const { price, mcus = 80_000, ...rest } = options;
  const [address] = await rpcA.call('zi_sessionPeers', { contract });
  const session = new SolverSession({
    channel: await b.network.openSession(address as string),
    secretKey: solver.secretKey,
    chain: genesis.chain,
    contract: { id: contract, bidder: bidder.address, price, mcus, bundle: built.manifest.cid },
    bundle: built.bundle.code,
    sandboxPool: pool,
    peer: b.network.peerId,
    addrs: b.network.addresses(),
    ...nodePayoutSink(b),
    ...rest,
  });
  const summary = await session.run();
  // The bidder counts a session until it has read the solver's end: wait for that, not a time.
  const service = a.bidder;
  if (service) await until('the session to end at A', () => service.sessionsOf(contract) === 0, onEmitter(service, 'ended'));
  return summary;
}

const codes = async (client: RpcClient, contract: string): Promise<DiagnosisCode[]> =>
  (await client.call('zi_status', { contract })).diagnosis.map((d) => d.code);

/** Every page of zi_results, `limit` MCUs a page: the entries joined, and each page's size. */
async function allResults(client: RpcClient, contract: string, limit: number): Promise<{ entries: [number, number][]; pages: number[] }> {
  const entries: [number, number][] = [];
  const pages: number[] = [];
  let after: number | undefined;
  do {
    const page = await client.call('zi_results', { contract, limit, ...(after === undefined ? {} : { after }) });
    entries.push(...(JSON.parse(page.entries) as [number, number][]));
    pages.push(page.pageMcus);
    after = page.next;
  } while (after !== undefined);
  return { entries, pages };
}

const rpcError = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as RpcError,
  );

describe('zi_results, zi_status and zi_content on a bidder node', () => {
  it('keeps the results of every batch it pays; zi_results pages them in index order, equal to a local run', async () => {
    const cheap = await publish(a, bidder, { price: 100n });
    contracts.cheap = cheap;
    // While a session is live the contract is being solved: the status says so, and diagnoses nothing.
    const during: { sessions?: number; diagnosis: unknown[]; storedMcus: number }[] = [];
    const onPaid = () => during.push(a.contractStatus(cheap));
    a.bidder?.on('paid', onPaid);
    const summary = await solve(cheap, honest, { price: 100n, maxMcus: 15 });
    a.bidder?.off('paid', onPaid);
    expect(summary).toMatchObject({ outcome: 'limit', batches: 4, mcus: 15 });
    // Stored before the solver saw each payout: 1, 3, 7, 15 MCUs.
    expect(during).toMatchObject([1, 3, 7, 15].map((storedMcus) => ({ sessions: 1, diagnosis: [], storedMcus })));

    const local = await (await Sandbox.load(pool, built.bundle)).runRange({ from: 0, count: 15 });
    // Batches of 1, 2, 4 and 8 MCUs; pages of 4 MCUs take whole ranges: 1 + 2 + 4, then 8.
    const { entries, pages } = await allResults(rpcA, contracts.cheap, 4);
    expect(entries).toEqual(JSON.parse(local.resultsJson));
    expect(pages).toEqual([7, 8]);
    const first = await rpcA.call('zi_results', { contract: contracts.cheap });
    expect(first).toMatchObject({ contract: contracts.cheap, mcus: 15, pageMcus: 15, total: 80_000 });
    expect(first.next).toBeUndefined();
    expect(JSON.parse(first.entries)).toEqual(JSON.parse(local.resultsJson));
  });

  it('zi_status: 15 of 80,000 MCUs, one solver, the escrow, no session live: nothing stops solvers that it can see', async () => {
    const status = await rpcA.call('zi_status', { contract: contracts.cheap as string });
    const [payout] = await rpcA.call('zi_payouts', { contract: contracts.cheap as string, limit: 1 });
    expect(status).toMatchObject({
      contract: contracts.cheap,
      name: 'mandelbrot',
      bidder: bidder.address,
      status: 'open',
      done: false,
      price: '100',
      mcus: 80_000,
      paidMcus: 15,
      solvedRanges: [{ from: 0, count: 15 }],
      storedMcus: 15,
      batches: 4,
      storedBatches: 4,
      solvers: [{ address: honest.address, mcus: 15, batches: 4, amount: '1500' }],
      budget: '100000',
      spent: '1500',
      left: '98500',
      serving: true,
      sessions: 0,
      lastPaid: { payout: payout?.id, height: payout?.height },
      refusals: [],
      diagnosis: [{ code: 'NO_SOLVERS' }],
    });
    expect(status.head.height).toBeGreaterThanOrEqual(payout?.height ?? Number.POSITIVE_INFINITY);
  });

  it('REFUSING: a lying solver is refused, nothing of it is stored, and zi_status names the refusal', async () => {
    const lie = (batch: BatchMessage): BatchMessage => {
      const pairs = JSON.parse(new TextDecoder().decode(batch.results)) as [number, number][];
      const results = encodeBatchResults(JSON.stringify(pairs.map(([index, output]) => [index, output + 1])));
      return { ...batch, results, payout: { ...batch.payout, result: cidOfBytes(results) } };
    };
    const summary = await solve(contracts.cheap as string, liar, { price: 100n, maxMcus: 4, tamper: lie });
    expect(summary).toMatchObject({ outcome: 'refused', batches: 0, refusal: { reason: 'invalid-results' } });
    const status = await rpcA.call('zi_status', { contract: contracts.cheap as string });
    expect(status).toMatchObject({ paidMcus: 15, storedMcus: 15, refusals: [{ solver: liar.address, seq: 0, reason: 'invalid-results' }] });
    expect(status.diagnosis.map((d) => d.code)).toEqual(['REFUSING']);
    expect(status.diagnosis[0]?.text).toContain('invalid-results');
  });

  it('PRICE_BELOW_OTHERS: a second contract paying far more per gas puts the cheap one below the median', async () => {
    contracts.dear = await publish(a, bidder, { price: 10_000n });
    expect(await codes(rpcA, contracts.cheap as string)).toEqual(['PRICE_BELOW_OTHERS', 'REFUSING']);
    const text = (await rpcA.call('zi_status', { contract: contracts.cheap as string })).diagnosis[0]?.text;
    expect(text).toMatch(/below the median of the 1 other open contract/);
    expect(await codes(rpcA, contracts.dear)).toEqual(['NO_SOLVERS']);
  });

  it('NOT_SERVING and NODE_NOT_BIDDER on a node without a bidder; no diagnosis there while payouts are recent', async () => {
    expect(await codes(rpcB, contracts.dear as string)).toEqual(['NOT_SERVING']);
    const status = await rpcB.call('zi_status', { contract: contracts.cheap as string });
    // B sees the chain: the same payouts; it cannot see sessions, and the last payout is recent.
    expect(status).toMatchObject({ paidMcus: 15, storedMcus: 0, serving: false, solvers: [{ address: honest.address, mcus: 15 }] });
    expect(status.sessions).toBeUndefined();
    expect(status.diagnosis).toEqual([]);
    const error = await rpcError(rpcB.call('zi_results', { contract: contracts.cheap as string }));
    expect(error).toBeInstanceOf(RpcError);
    expect(error?.code).toBe('NODE_NOT_BIDDER');
  });

  it('BUNDLE_UNAVAILABLE: a contract published without its code, whose bundle no node holds', async () => {
    contracts.nocode = await publish(a, bidder, { price: 10_000n, withoutCode: true });
    expect(await codes(rpcA, contracts.nocode)).toEqual(['BUNDLE_UNAVAILABLE']);
  });

  it('ESCROW_LOW: an escrow of 8 MCUs where a batch may hold 16; CLOSED once the bidder closes it', async () => {
    contracts.tight = await publish(a, bidder, { price: 10_000n, budget: 80_000n });
    expect(await codes(rpcA, contracts.tight)).toEqual(['ESCROW_LOW']);
    const close = signTransaction(
      {
        type: 'close',
        chain: genesis.chain,
        from: bidder.address,
        nonce: a.mempool.nextNonce(bidder.address),
        fee: 1_000n,
        meta: '',
        contract: contracts.tight,
      },
      bidder.secretKey,
    ) as Transaction;
    expect((await a.submit(close)).status).toBe('included');
    const status = await rpcA.call('zi_status', { contract: contracts.tight });
    expect(status).toMatchObject({ status: 'closed', serving: false, left: '0' });
    expect(status.diagnosis.map((d) => d.code)).toEqual(['CLOSED']);
  });

  it('DONE: a contract of 3 MCUs solved to the end; zi_results holds all of them', async () => {
    contracts.tiny = await publish(a, bidder, { price: 10_000n, budget: 30_000n, mcus: 3 });
    const summary = await solve(contracts.tiny, honest, { price: 10_000n, mcus: 3 });
    expect(summary).toMatchObject({ mcus: 3 });
    const status = await rpcA.call('zi_status', { contract: contracts.tiny });
    expect(status).toMatchObject({ done: true, paidMcus: 3, storedMcus: 3, left: '0' });
    expect(status.diagnosis.map((d) => d.code)).toEqual(['DONE']);
    const page = await rpcA.call('zi_results', { contract: contracts.tiny });
    expect(page).toMatchObject({ mcus: 3, total: 3, pageMcus: 3 });
    expect((JSON.parse(page.entries) as unknown[]).length).toBe(3);
  });

  it('NO_PEERS: a bidder node that nobody is connected to', async () => {
    const c = await startNetNode(dir, 'c', {
      genesis,
      devAccounts: devnet.accounts,
      mining: { mode: 'instant', threads: 1, miner: miner.address },
      rpc: { port: 0 },
      bidder: { secretKey: lonely.secretKey, sandboxPool: pool },
      log,
    });
    try {
      const contract = await publish(c, lonely, { price: 100n });
      // The node stores the publish's inline code after the block connects.
      await until('the bundle in C’s store', () => c.network.content.has(built.manifest.cid), onEmitter(c.network, 'content'));
      const status = await createRpcClient(c.rpcUrl as string).call('zi_status', { contract });
      expect(status).toMatchObject({ serving: true, sessions: 0 });
      expect(status.diagnosis.map((d) => d.code)).toEqual(['NO_PEERS']);
    } finally {
      await c.stop();
    }
  });

  it('zi_content answers the bundle by CID, bytes that hash to it; unknown and malformed CIDs are errors', async () => {
    const content = await rpcA.call('zi_content', { cid: built.manifest.cid });
    const bytes = new Uint8Array(Buffer.from(content.bytes, 'base64'));
    expect(cidOfBytes(bytes)).toBe(built.manifest.cid);
    expect(new TextDecoder().decode(bytes)).toBe(built.bundle.code);
    const missing = await rpcError(rpcA.call('zi_content', { cid: cidOfBytes(randomBytes(16)) }));
    expect(missing?.code).toBe('NODE_CONTENT_NOT_FOUND');
    const malformed = await rpcError(rpcA.call('zi_content', { cid: 'not-a-cid' }));
    expect(malformed?.code).toBe('NODE_RPC_PARAMS');
  });

  it('zi_results and zi_status check their params: an unknown contract, a page limit out of range', async () => {
    expect((await rpcError(rpcA.call('zi_status', { contract: a.chain.genesisId })))?.code).toBe('NODE_CONTRACT_UNKNOWN');
    expect((await rpcError(rpcA.call('zi_results', { contract: a.chain.genesisId })))?.code).toBe('NODE_CONTRACT_UNKNOWN');
    expect((await rpcError(rpcA.call('zi_results', { contract: contracts.cheap as string, limit: 0 })))?.code).toBe('NODE_RPC_PARAMS');
    expect((await rpcError(rpcA.call('zi_results', { contract: contracts.cheap as string, after: -1 })))?.code).toBe('NODE_RPC_PARAMS');
  });

  it('subscribeNewHeads hears each new head of the node until closed', async () => {
    const heads: HeadJson[] = [];
    let notify = () => {};
    const subscription = await subscribeNewHeads(a.rpcUrl as string, {
      onHead: (head) => {
        heads.push(head);
        notify();
      },
    });
    expect(subscription.id).toMatch(/^0x[0-9a-f]{32}$/);
    const [mined] = await a.mine(1);
    await until(
      'the new head over the WebSocket',
      () => heads.some((head) => head.id === mined),
      (n) => {
        notify = n;
        return () => {
          notify = () => {};
        };
      },
    );
    expect(heads.at(-1)).toMatchObject({ id: mined, height: a.chain.head().height });
    await subscription.close();
    const refused = await subscribeNewHeads('http://127.0.0.1:1', { onHead: () => {} }).catch((error: RpcError) => error);
    expect((refused as RpcError).code).toBe('NODE_UNREACHABLE');
  });
});
