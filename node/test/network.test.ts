import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import {
  cidOfBytes,
  encodeTransaction,
  signTransaction,
  type Transaction,
  transactionId,
  type UnsignedTransaction,
  utf8Bytes,
} from '@zi/spec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DevAccount, devnetConfig } from '../src/devnet.js';
import type { NodeError } from '../src/errors.js';
import { blockVerdict, txVerdict } from '../src/network/gossip.js';
import { createHost, type ZiHost } from '../src/network/host.js';
import { contentResponse, decodeMessage, encodeMessage, syncRequest, syncResponse } from '../src/network/messages.js';
import type { ZiNetwork } from '../src/network/network.js';
import { locatorHeights } from '../src/network/sync.js';
import { startNode, type ZiNode } from '../src/node.js';
import { connect, nextEvent, onEmitter, onTarget, subscribedTo, until } from './network-wait.js';

const { genesis, accounts } = devnetConfig({ count: 4 });
const [alice, bob, carol, dave] = accounts as [DevAccount, DevAccount, DevAccount, DevAccount];
/** Safety net only: every wait below ends on an event long before this. */

let root: string;
/** Measured times in ms, written to the file named by ZI_NET_TIMINGS when it is set. */
const timings: Record<string, number> = {};
const running: { stop(): void | Promise<void> }[] = [];
/** Errors the nodes reported (their own faults, never a peer's): there must be none. */
const failures: string[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'zi-network-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.stop()));
  expect(failures.splice(0)).toEqual([]);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (process.env.ZI_NET_TIMINGS) writeFileSync(process.env.ZI_NET_TIMINGS, `${JSON.stringify(timings, null, 2)}\n`);
});

let counter = 0;

/** A devnet node with the network on (loopback, free port), mining only when asked, paying `miner`. */
async function start(
  options: { miner?: DevAccount; bootstrap?: string[]; dataDir?: string } = {},
): Promise<ZiNode & { network: ZiNetwork }> {
  const node = await startNode({
    dataDir: options.dataDir ?? join(root, `node-${counter++}`),
    genesis,
    devAccounts: accounts,
    rpc: false,
    mining: { mode: 'off', miner: (options.miner ?? alice).address },
    network: options.bootstrap ? { bootstrap: options.bootstrap } : {},
    log: (event) => {
      if (event.type === 'error') failures.push(`${event.where}: ${event.message}`);
    },
  });
  running.push(node);
  if (!node.network) throw new Error('the node has no network');
  return node as ZiNode & { network: ZiNetwork };
}

/** A bare libp2p host of our own stack: a peer that speaks the protocols only as a test wants. */
async function bareHost(): Promise<ZiHost> {
  const host = await createHost({ privateKey: await generateKeyPair('Ed25519') });
  await host.start();
  running.push(host);
  return host;
}

const headIs = (node: ZiNode, id: string) => () => node.chain.head().id === id;

function stateRows(node: ZiNode): { key: Uint8Array; value: Uint8Array }[] {
  return node.chain.db.prepare<[], { key: Uint8Array; value: Uint8Array }>('SELECT key, value FROM state ORDER BY key').all();
}

function transfer(from: DevAccount, to: DevAccount, nonce: number, amount: bigint): Transaction {
  const unsigned: UnsignedTransaction = {
    type: 'transfer',
    chain: genesis.chain,
    from: from.address,
    nonce,
    fee: 1_000n,
    meta: '',
    to: to.address,
    amount,
  };
  return signTransaction(unsigned, from.secretKey);
}

describe('gossip', () => {
  it('(a) a transaction submitted to A reaches the mempool of B', async () => {
    const a = await start();
    const b = await start();
    await connect(b, a);
    const tx = transfer(bob, carol, 0, 5n);
    const id = transactionId(tx);
    const started = performance.now();
    expect(await a.submit(tx)).toEqual({ id, status: 'pending' });
    await until('the tx at B', () => b.mempool.has(id), onEmitter(b.network, 'gossip'));
    timings['tx propagation A→B'] = performance.now() - started;
    expect(b.mempool.pending()).toEqual([id]);
  });

  it('(b) a block mined on A becomes the head of B', async () => {
    const a = await start();
    const b = await start({ miner: bob });
    await connect(a, b);
    const tx = transfer(carol, dave, 0, 7n);
    await a.submit(tx);
    await until('the tx at B', () => b.mempool.has(transactionId(tx)), onEmitter(b.network, 'gossip'));
    const started = performance.now();
    const [id] = await a.mine();
    await until('B at A’s head', headIs(b, id as string), onEmitter(b, 'head'));
    timings['block propagation A→B'] = performance.now() - started;
    expect(b.chain.head().height).toBe(1);
    // MEM-6: the block's transaction left B's mempool with it.
    expect(b.mempool.size).toBe(0);
    expect(stateRows(b)).toEqual(stateRows(a));
  });

  it('(e) a peer publishing garbage on the blocks topic is rejected and banned; the node keeps working', async () => {
    const a = await start();
    const b = await start({ miner: bob });
    await connect(a, b);
    const garbage = await bareHost();
    garbage.services.pubsub.subscribe(a.network.ids.blocksTopic);
    await garbage.dial(multiaddr(a.network.addresses()[0] as string));
    await until(
      'A subscribed, seen from the garbage peer',
      () => subscribedTo(garbage, a.network.ids.blocksTopic, a.network.peerId),
      onTarget(garbage.services.pubsub, 'subscription-change'),
    );
    const verdict = nextEvent(a.network, 'gossip', (o) => o.peer === garbage.peerId.toString());
    const banned = nextEvent(a.network, 'peer-banned', (ban) => ban.peer === garbage.peerId.toString());
    await garbage.services.pubsub.publish(a.network.ids.blocksTopic, randomBytes(200));
    const [outcome] = await verdict;
    expect(outcome).toMatchObject({ topic: 'blocks', verdict: 'reject', rule: 'ENC-3', malformed: true });
    await banned;
    await until(
      'the garbage peer disconnected',
      () => !a.network.peers().includes(garbage.peerId.toString()),
      onEmitter(a.network, 'peer-disconnected'),
    );
    expect(a.network.isBanned(garbage.peerId.toString())).toBe(true);
    // NET-7: the gater refuses it while the ban lasts.
    await until('the garbage peer sees the hang-up', () => garbage.getConnections().length === 0, onTarget(garbage, 'connection:close'));
    // The dial may look complete on the dialling side (optimistic protocol selection) before A
    // refuses the connection once it knows the peer id.
    await garbage.dial(multiaddr(a.network.addresses()[0] as string)).catch(() => undefined);
    await until('the redial refused', () => garbage.getConnections().length === 0, onTarget(garbage, 'connection:close'));
    // B never forwarded the garbage (it was never accepted) and A still gossips blocks.
    const [id] = await a.mine();
    await until('B at A’s head', headIs(b, id as string), onEmitter(b, 'head'));
    expect(a.chain.head().height).toBe(1);
    expect(a.network.peers()).toEqual([b.network.peerId]);
  });
});

describe('gossip verdicts (NET-2)', () => {
  it('rejects what breaks a stateless rule, ignores what depends on state', async () => {
    const node = await startNode({ dataDir: join(root, 'verdicts'), genesis, devAccounts: accounts, rpc: false });
    running.push(node);
    expect(node.network).toBeUndefined(); // the network is off unless asked for
    const good = transfer(bob, carol, 0, 5n);
    const bytes = (tx: Transaction) => encodeTransaction(tx);
    expect(txVerdict(node.mempool, bytes(good))).toMatchObject({ verdict: 'accept', status: 'pending' });
    expect(txVerdict(node.mempool, bytes(good))).toMatchObject({ verdict: 'ignore', status: 'pending' });
    const otherChain = signTransaction({ ...(good as UnsignedTransaction), chain: 'zi-other' } as UnsignedTransaction, bob.secretKey);
    expect(txVerdict(node.mempool, bytes(otherChain))).toMatchObject({ verdict: 'reject', rule: 'TX-2' });
    const forged = { ...good, sig: new Uint8Array(64) } as Transaction;
    expect(txVerdict(node.mempool, bytes(forged))).toMatchObject({ verdict: 'reject', rule: 'TX-4' });
    // MEM-1: the same nonce without a higher fee depends on what this node holds: ignored.
    expect(txVerdict(node.mempool, bytes(transfer(bob, dave, 0, 5n)))).toMatchObject({ verdict: 'ignore', rule: 'MEM-1' });
    expect(txVerdict(node.mempool, randomBytes(50))).toMatchObject({ verdict: 'reject', malformed: true });
    const [id] = await node.mine();
    const block = node.chain.blockBytes(id as string) as Uint8Array;
    expect(blockVerdict(node.chain, block)).toEqual({ verdict: 'ignore', id, status: 'known' });
    expect(blockVerdict(node.chain, randomBytes(50))).toMatchObject({ verdict: 'reject', rule: 'ENC-3', malformed: true });
  });
});

describe('sync', () => {
  it('(c) a node started later with A as bootstrap syncs A’s 30 blocks', async () => {
    const a = await start();
    for (let i = 0; i < 30; i++) await a.submit(transfer(bob, carol, i, 1n + BigInt(i)));
    const ids = await a.mine(30);
    expect(a.chain.head().height).toBe(30);
    const started = performance.now();
    const c = await start({ miner: carol, bootstrap: [a.network.addresses()[0] as string] });
    await until('C at A’s head', headIs(c, ids[29] as string), onEmitter(c, 'head'));
    timings['sync of 30 blocks (incl. node start)'] = performance.now() - started;
    expect(stateRows(c)).toEqual(stateRows(a));
    for (let height = 0; height <= 30; height++) expect(c.chain.idAt(height)).toBe(a.chain.idAt(height));
    // A bootstrap peer that goes away is dialled again.
    const gone = nextEvent(c.network, 'peer-disconnected', (peer) => peer === a.network.peerId);
    const back = nextEvent(c.network, 'peer-connected', (peer) => peer === a.network.peerId);
    await a.network.host.hangUp(c.network.host.peerId);
    await gone;
    await back;
  });

  it('(d) a partition heals: both nodes end on the heavier chain with the same state', async () => {
    const a = await start();
    const b = await start({ miner: bob });
    // Each side spends from the same account on its own: the losing side's spend must come back.
    const onA = transfer(dave, alice, 0, 11n);
    const onB = transfer(dave, bob, 0, 22n);
    await a.submit(onA);
    await b.submit(onB);
    await a.mine(3);
    await b.mine(5);
    expect(b.chain.head().work).toBeGreaterThan(a.chain.head().work);
    const heavier = b.chain.head().id;
    const started = performance.now();
    await a.network.connect(b.network.addresses()[0] as string);
    await until('A at B’s head', headIs(a, heavier), onEmitter(a, 'head'));
    timings['partition heal (reorg 3 out, 5 in)'] = performance.now() - started;
    expect(b.chain.head().id).toBe(heavier);
    expect(stateRows(a)).toEqual(stateRows(b));
    for (let height = 0; height <= 5; height++) expect(a.chain.idAt(height)).toBe(b.chain.idAt(height));
    // MEM-6: A's own transfer was disconnected; it conflicts with B's (same nonce), so it is dropped.
    expect(a.mempool.has(transactionId(onA))).toBe(false);
  });

  it('bans a peer that serves garbage blocks, and one that sends a malformed request', async () => {
    const a = await start();
    // A peer claiming far more work, whose "blocks" are noise.
    const liar = await bareHost();
    const fakeHead = cidOfBytes(utf8Bytes('no such block')).replace('bafkrei', 'bafyrei');
    await liar.handle(a.network.ids.syncProtocol, async (stream) => {
      const lp = lpStream(stream);
      const { type } = decodeMessage(syncRequest, (await lp.read()).subarray(), 8192);
      const answers = {
        status: { type: 'status' as const, genesis: a.chain.genesisId, head: fakeHead, height: 1000, work: (10n ** 30n).toString() },
        locate: { type: 'located' as const, height: 0 },
        blocks: { type: 'blocks' as const, blocks: [new Uint8Array(randomBytes(300))] },
      };
      await lp.write(encodeMessage(syncResponse, answers[type]));
      await stream.close();
    });
    const banned = nextEvent(a.network, 'peer-banned', (ban) => ban.peer === liar.peerId.toString());
    await liar.dial(multiaddr(a.network.addresses()[0] as string));
    const [ban] = await banned;
    expect(ban.reason).toMatch(/served an invalid block at height 1/);
    expect(a.chain.head().height).toBe(0);

    // A malformed request frame on the sync protocol.
    const rude = await bareHost();
    const rudeBanned = nextEvent(a.network, 'peer-banned', (b) => b.peer === rude.peerId.toString());
    const stream = await rude.dialProtocol(multiaddr(a.network.addresses()[0] as string), a.network.ids.syncProtocol);
    await lpStream(stream).write(utf8Bytes('{"type":"status"}'));
    const [rudeBan] = await rudeBanned;
    expect(rudeBan.reason).toMatch(/malformed request/);
  });

  it('asks for a locator of ten single steps, then doubling ones, down to the genesis', () => {
    expect(locatorHeights(0)).toEqual([0]);
    expect(locatorHeights(3)).toEqual([3, 2, 1, 0]);
    expect(locatorHeights(100)).toEqual([100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 89, 85, 77, 61, 29, 0]);
    expect(locatorHeights(2 ** 40).length).toBeLessThanOrEqual(64);
  });

  it('keeps the peer id across restarts, in a peer-key file of mode 0600', async () => {
    const dataDir = join(root, 'restart');
    const first = await start({ dataDir });
    const peerId = first.network.peerId;
    await first.stop();
    const second = await start({ dataDir });
    expect(second.network.peerId).toBe(peerId);
    expect(statSync(join(dataDir, 'peer-key')).mode & 0o777).toBe(0o600);
  });
});

describe('content', () => {
  it('(f) B fetches a bundle stored on A by CID; bytes that do not match the CID are refused', async () => {
    const a = await start();
    const b = await start({ miner: bob });
    await connect(b, a);
    const bundle = utf8Bytes('export default function mcu(i) { return i * i; }');
    const cid = await a.network.content.put(bundle);
    expect(cid).toBe(cidOfBytes(bundle));
    expect(await b.network.fetchContent(cid)).toEqual(bundle);
    expect(b.network.content.has(cid)).toBe(true);

    // A peer that answers every content request with other bytes.
    const liar = await bareHost();
    await liar.handle(a.network.ids.contentProtocol, async (stream) => {
      const lp = lpStream(stream);
      await lp.read();
      await lp.write(encodeMessage(contentResponse, { type: 'content', bytes: utf8Bytes('not the bundle') }));
      await stream.close();
    });
    await liar.dial(multiaddr(b.network.addresses()[0] as string));
    const wanted = cidOfBytes(utf8Bytes('a bundle nobody has'));
    const banned = nextEvent(b.network, 'peer-banned', (ban) => ban.peer === liar.peerId.toString());
    const refusal = await b.network.fetchContent(wanted, [liar.peerId]).catch((error: NodeError) => error);
    expect((refusal as NodeError).code).toBe('NODE_CONTENT_MISMATCH');
    expect(b.network.content.has(wanted)).toBe(false);
    await banned;
    await expect(b.network.fetchContent('not-a-cid')).rejects.toThrow(TypeError);
  });

  it('keeps the inline code of a connected publish transaction and serves it', async () => {
    const a = await start();
    const b = await start({ miner: bob });
    await connect(a, b);
    const code = utf8Bytes('export default function mcu(i) { return i + 1; }');
    const unsigned: UnsignedTransaction = {
      type: 'publish',
      chain: genesis.chain,
      from: carol.address,
      nonce: 0,
      fee: 2_000n,
      meta: '',
      bundle: cidOfBytes(code),
      code,
      manifest: cidOfBytes(utf8Bytes('{"format":"zi-manifest/1"}')),
      name: 'increments',
      mcus: 100,
      gasPerMcu: 10_000,
      price: 1_000n,
      budget: 100_000n,
    };
    await a.submit(signTransaction(unsigned, carol.secretKey));
    await a.mine();
    await until('the code in B’s store', () => b.network.content.has(cidOfBytes(code)), onEmitter(b.network, 'content'));
    const c = await start({ miner: dave });
    await connect(c, b);
    expect(await c.network.fetchContent(cidOfBytes(code), [b.network.peerId])).toEqual(code);
  });
});
