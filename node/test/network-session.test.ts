import { rm } from 'node:fs/promises';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import type { BuiltContract, SandboxPool } from '@zi/runtime';
import { type BatchMessage, cidOfBytes, encodeCbor } from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient, type RpcError } from '../src/api/client.js';
import { type DevAccount, devnetConfig } from '../src/devnet.js';
import { type AgentSessionEnd, type ContractOffer, SolverAgent } from '../src/market/agent.js';
import { nodePayoutSink } from '../src/market/inclusion.js';
import { publishFields } from '../src/market/publish.js';
import { encodeBatchResults } from '../src/market/results.js';
import { type SolverProgress, SolverSession, type SolverSessionOptions, type SolverSummary } from '../src/market/solver.js';
import { createHost, type ZiHost } from '../src/network/host.js';
import { balance, buildMandelbrot, failureLog, type NetNode, onHead, signPublish, startNetNode } from './market-fixtures.js';
import { connect, nextEvent, onEmitter, until } from './network-wait.js';

// Two real nodes on 127.0.0.1 with one devnet genesis: A is the bidder's node (instant mining, a
// BidderService serving its contracts), B the solver's (no mining). The session runs over a libp2p
// stream; B submits its payouts to B, they reach A by gossip, A mines them, the block reaches B.
const { genesis, accounts } = devnetConfig({ count: 6 });
const [miner, bidder, honest, liar] = accounts as [DevAccount, DevAccount, DevAccount, DevAccount];
const PRICE = 100n;
/** Safety net only: every wait below ends on an event long before this. */

let dir: string;
let pool: SandboxPool;
let built: BuiltContract;
let a: NetNode;
let b: NetNode;
let contract: string;
const hosts: ZiHost[] = [];
/** Errors the nodes reported (their own faults, never a peer's): there must be none. */
const failures: string[] = [];

const log = failureLog(failures);

beforeAll(async () => {
  ({ dir, pool, built } = await buildMandelbrot('zi-net-session-'));
  a = await startNetNode(dir, 'a', {
    genesis,
    devAccounts: accounts,
    mining: { mode: 'instant', threads: 1, miner: miner.address },
    rpc: { port: 0 },
    bidder: { secretKey: bidder.secretKey, sandboxPool: pool },
    log,
  });
  b = await startNetNode(dir, 'b', { genesis, devAccounts: accounts, rpc: false, log });
  await connect(b, a);
  contract = await publish();
  await until('the contract at B', () => b.queries.transactionLocation(contract) !== undefined, onHead(b));
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  await b?.stop();
  await a?.stop();
  await pool?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  expect(failures).toEqual([]);
});

/** The bidder publishes the built mandelbrot contract on A (its real manifest, all 80,000 MCUs). */
async function publish(): Promise<string> {
  const tx = signPublish(a, genesis.chain, bidder, publishFields(built, { price: PRICE, budget: PRICE * 80_000n }));
  const sent = await a.submit(tx);
  expect(sent.status).toBe('included');
  return sent.id;
}

const feeOf = (amount: bigint) => (amount / 10n < 1_000n ? amount / 10n : 1_000n);

/** A solver session run by B over a libp2p stream to A, B's node taking the payouts. */
async function solve(
  solver: DevAccount,
  bundle: Uint8Array,
  options: Partial<SolverSessionOptions> = {},
): Promise<{ summary: SolverSummary; progress: SolverProgress[] }> {
  const [address] = await createRpcClient(a.rpcUrl as string).call('zi_sessionPeers', { contract });
  const channel = await b.network.openSession(address as string);
  const session = new SolverSession({
    channel,
    secretKey: solver.secretKey,
    chain: genesis.chain,
    contract: { id: contract, bidder: bidder.address, price: PRICE, mcus: built.manifest.inputs.count ?? 0, bundle: built.manifest.cid },
    bundle,
    sandboxPool: pool,
    peer: b.network.peerId,
    addrs: b.network.addresses(),
    ...nodePayoutSink(b),
    ...options,
  });
  const progress: SolverProgress[] = [];
  session.on('progress', (p) => progress.push(p));
  return { summary: await session.run(), progress };
}

/** The result bytes with every output changed: what a solver that skipped the work might send. */
function lie(batch: BatchMessage): BatchMessage {
  const pairs = JSON.parse(new TextDecoder().decode(batch.results)) as [number, number][];
  const results = encodeBatchResults(JSON.stringify(pairs.map(([index, output]) => [index, output + 1])));
  return { ...batch, results, payout: { ...batch.payout, result: cidOfBytes(results) } };
}

describe('the solver session over libp2p', () => {
  it('zi_sessionPeers names the node serving the bidder, and only that node', async () => {
    expect(await createRpcClient(a.rpcUrl as string).call('zi_sessionPeers', { contract })).toEqual(a.network.addresses());
    // B serves no bidder, but names A from A's signed serving announcement (NET-8).
    await until('A’s serving announcement at B', () => b.sessionPeers(contract).length > 0, onEmitter(b.network, 'serving'));
    expect(b.sessionPeers(contract)).toEqual(a.network.addresses());
    // Over the network (/zi/<chain>/bidder/1): B asks its peers, A answers with its addresses.
    expect(await b.network.findSessionPeers(contract)).toEqual(a.network.addresses());
    expect(await a.network.findSessionPeers(contract)).toEqual([]);
    const unknown = await createRpcClient(a.rpcUrl as string)
      .call('zi_sessionPeers', { contract: a.chain.genesisId })
      .catch((error: RpcError) => error);
    expect((unknown as RpcError).code).toBe('NODE_CONTRACT_UNKNOWN');
  });

  it('pays an honest solver on B batches of 1, 2, 4, 8 MCUs; the payouts reach A by gossip and both nodes see the balance', async () => {
    const bundle = await b.network.fetchContent(built.manifest.cid, [a.network.peerId]);
    expect(cidOfBytes(bundle)).toBe(built.manifest.cid);
    const beforeA = balance(a, honest.address);
    const beforeB = balance(b, honest.address);
    const paid: number[] = [];
    const results: string[] = [];
    a.bidder?.on('paid', ({ seq, payout }) => {
      paid.push(seq);
      results.push(payout.result);
    });

    const { summary, progress } = await solve(honest, bundle, { maxMcus: 15 });

    expect(summary).toMatchObject({ outcome: 'limit', batches: 4, mcus: 15 });
    expect(progress.map((p) => p.batchMcus)).toEqual([1, 2, 4, 8]);
    expect(paid).toEqual([0, 1, 2, 3]);
    const earned = [1n, 2n, 4n, 8n].reduce((sum, mcus) => sum + PRICE * mcus - feeOf(PRICE * mcus), 0n);
    expect(summary.earned).toBe(earned);
    // Each payout is in B's main chain when progress fires (the solver waited for it on B) …
    for (const p of progress) expect(b.queries.transactionLocation(p.payout)).toBeDefined();
    expect(balance(b, honest.address)).toBe(beforeB + earned);
    // … and A mined it (B does not mine), so A's chain has it too.
    for (const p of progress) expect(a.queries.transactionLocation(p.payout)).toBeDefined();
    expect(balance(a, honest.address)).toBe(beforeA + earned);
    // The results travel by CID too: B fetches the last batch's result bytes from A, checked against the payout's `result`.
    const result = results.at(-1) as string;
    expect(result).toMatch(/^bafkrei/);
    const bytes = await b.network.fetchContent(result, [a.network.peerId]);
    expect(cidOfBytes(bytes)).toBe(result);
    expect((JSON.parse(new TextDecoder().decode(bytes)) as unknown[]).length).toBe(8);
  });

  it('refuses a lying solver: invalid-results, nothing paid', async () => {
    const bundle = await b.network.fetchContent(built.manifest.cid);
    const before = balance(b, liar.address);
    const { summary } = await solve(liar, bundle, { maxMcus: 15, tamper: lie });
    expect(summary).toMatchObject({ outcome: 'refused', batches: 0, refusal: { seq: 0, reason: 'invalid-results' } });
    expect(balance(b, liar.address)).toBe(before);
    expect(balance(a, liar.address)).toBe(before);
    // A refusal is an answer, not a fault: B is still A's peer.
    expect(a.network.isBanned(b.network.peerId)).toBe(false);
  });

  it('a SolverAgent on B ranks the open contracts, finds A over the network and solves up to maxMcus with two sessions at once', async () => {
    const before = balance(b, honest.address);
    const agent = new SolverAgent({ node: b, secretKey: honest.secretKey, sandboxPool: pool, sessions: 2, maxMcus: 20 });
    const ranked: ContractOffer[][] = [];
    agent.on('ranked', (offers) => ranked.push(offers));
    const sessions: AgentSessionEnd[] = [];
    agent.on('session', (end) => sessions.push(end));
    const summary = await agent.run();
    expect(summary).toMatchObject({ outcome: 'limit', mcus: 20, contracts: [contract] });
    expect(ranked[0]?.[0]).toMatchObject({ id: contract, price: PRICE, bidder: bidder.address });
    expect(ranked[0]?.[0]?.measuredGasPerMcu).toBeGreaterThan(0);
    expect(ranked[0]?.[0]?.measuredGasPerMcu).toBeLessThanOrEqual(built.manifest.limits.gasPerMcu);
    // maxMcus split evenly: one long session each, batches 1, 2, 4 and the 3 left.
    expect(sessions.map((s) => [s.summary.outcome, s.summary.mcus, s.summary.batches])).toEqual([
      ['limit', 10, 4],
      ['limit', 10, 4],
    ]);
    expect(balance(b, honest.address)).toBe(before + summary.earned);
    expect(summary.earned).toBeGreaterThan(0n);
  });

  it('a node without a bidder does not speak the session protocol', async () => {
    await expect(a.network.openSession(b.network.peerId)).rejects.toThrow();
  });

  it('bans a peer that sends a frame that is not a session message (NET-7)', async () => {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519') });
    await host.start();
    hosts.push(host);
    const banned = nextEvent(a.network, 'peer-banned', (ban) => ban.peer === host.peerId.toString());
    const stream = await host.dialProtocol(multiaddr(a.network.addresses()[0] as string), a.network.ids.sessionProtocol);
    await lpStream(stream).write(encodeCbor({ type: 'hello' }));
    await banned;
    expect(a.network.isBanned(host.peerId.toString())).toBe(true);
  });
});
