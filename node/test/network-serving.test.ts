import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { BuiltContract, SandboxPool } from '@zi/runtime';
import {
  addressOf,
  encodeCbor,
  encodeServingAnnouncement,
  fromHex,
  publicKeyOf,
  SERVING_FRESH_MS,
  type ServingAnnouncement,
  servingAnnouncement,
  servingSigningBytes,
  sign,
  signServingAnnouncement,
  type UnsignedServingAnnouncement,
} from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRpcClient } from '../src/api/client.js';
import { type DevAccount, devnetConfig } from '../src/devnet.js';
import { SolverAgent } from '../src/market/agent.js';
import { publishFields } from '../src/market/publish.js';
import type { GossipOutcome } from '../src/network/gossip.js';
import { createHost, type ZiHost } from '../src/network/host.js';
import { bidderRequest, bidderResponse, encodeMessage } from '../src/network/messages.js';
import type { ZiNetwork } from '../src/network/network.js';
import { serve } from '../src/network/request.js';
import { announceableAddresses, ServingAnnouncer, ServingBook, servingVerdict } from '../src/network/serving.js';
import { startNode, type ZiNode } from '../src/node.js';
import { balance, buildMandelbrot, type NetNode, signPublish } from './market-fixtures.js';
import { nextEvent, onEmitter, onTarget, subscribedTo, until } from './network-wait.js';

// NET-8 with real libp2p nodes on 127.0.0.1, in a line: B (the bidder's node) — M (a miner) — S (a
// solver's node). S never connects to B by itself: it learns where B serves from B's signed
// announcement, gossiped through M or handed over by M on the bidder protocol, then dials B.
const { genesis, accounts } = devnetConfig({ count: 6 });
const [miner, bidder, solver, other] = accounts as [DevAccount, DevAccount, DevAccount, DevAccount];
const PRICE = 100n;

let dir: string;
let pool: SandboxPool;
let built: BuiltContract;
let m: NetNode;
let b: NetNode;
let s: NetNode;
let contract: string;
const nodes: ZiNode[] = [];
const hosts: ZiHost[] = [];
/** Errors the nodes reported (their own faults, never a peer's): there must be none. */
const failures: string[] = [];

async function start(name: string, options: Partial<Parameters<typeof startNode>[0]> = {}): Promise<NetNode> {
  const node = await startNode({
    dataDir: join(dir, name),
    genesis,
    devAccounts: accounts,
    rpc: false,
    network: {},
    log: (event) => {
      if (event.type === 'error') failures.push(`${name}: ${event.where}: ${event.message}`);
    },
    ...options,
  });
  nodes.push(node);
  return node as NetNode;
}

/** `from` dials `to`; resolves once each hears the other on every topic, the serving one included. */
async function link(from: NetNode, to: NetNode): Promise<void> {
  await from.network.connect(to.network.addresses()[0] as string);
  const { blocksTopic, txsTopic, servingTopic } = from.network.ids;
  await until(
    'gossip subscriptions',
    () =>
      [blocksTopic, txsTopic, servingTopic].every(
        (topic) => subscribedTo(from.network.host, topic, to.network.peerId) && subscribedTo(to.network.host, topic, from.network.peerId),
      ),
    onTarget(from.network.host.services.pubsub, 'subscription-change'),
    onTarget(to.network.host.services.pubsub, 'subscription-change'),
  );
}

/** A bare libp2p host of our own stack, connected to M and listening on the serving topic. */
async function forger(key?: PrivateKey): Promise<ZiHost> {
  const host = await createHost({ privateKey: key ?? (await generateKeyPair('Ed25519')) });
  await host.start();
  hosts.push(host);
  const topic = m.network.ids.servingTopic;
  host.services.pubsub.subscribe(topic);
  // M dials: libp2p takes at most 5 inbound connections a second from one IP, and every node here is 127.0.0.1.
  await m.network.connect(host.getMultiaddrs()[0] as Parameters<ZiNetwork['connect']>[0]);
  // Both ways: the forger's own gossip stream to M is up once M sees its subscription.
  await until(
    'the forger and M subscribed, each seen from the other',
    () => subscribedTo(host, topic, m.network.peerId) && subscribedTo(m.network.host, topic, host.peerId.toString()),
    onTarget(host.services.pubsub, 'subscription-change'),
    onTarget(m.network.host.services.pubsub, 'subscription-change'),
  );
  return host;
}

/** The 32-byte Ed25519 seed of a libp2p key (libp2p keeps seed ‖ public key). */
const seedOf = (key: PrivateKey): Uint8Array => key.raw.slice(0, 32);

const hasContract = (node: ZiNode) => () => node.queries.transactionLocation(contract) !== undefined;

beforeAll(async () => {
  ({ dir, pool, built } = await buildMandelbrot('zi-net-serving-'));
  m = await start('m', { mining: { mode: 'instant', threads: 1, miner: miner.address }, rpc: { port: 0 } });
  b = await start('b', { bidder: { secretKey: bidder.secretKey, sandboxPool: pool, maxBatch: 16 } });
  s = await start('s');
  await link(b, m);
  await link(s, m);
}, 60_000);

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  for (const node of nodes.reverse()) await node.stop();
  await pool?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  expect(failures).toEqual([]);
});

describe('serving announcements over a line of nodes B — M — S (NET-8)', () => {
  it('S learns from B’s announcement, gossiped through M, where B serves; it dials B and is paid', async () => {
    const heard = nextEvent(s.network, 'serving', (a) => a.bidder === bidder.address);
    const relayed = nextEvent(s.network, 'gossip', (o) => o.topic === 'serving' && o.id === bidder.address);
    // The bidder publishes on its own node, which does not mine: M mines what B gossips.
    const tx = signPublish(b, genesis.chain, bidder, publishFields(built, { price: PRICE, budget: PRICE * 80_000n }));
    contract = (await b.submit(tx)).id;
    await until('the contract at S', hasContract(s), onEmitter(s, 'head'));

    const [announcement] = await heard;
    expect(announcement).toMatchObject({ chain: genesis.chain, bidder: bidder.address, peer: b.network.peerId });
    expect(announcement.addrs).toEqual(b.network.addresses());
    const [outcome] = await relayed;
    // Forwarded by M (S has no other peer), and valid at S.
    expect(outcome.peer).toBe(m.network.peerId);
    expect(outcome.verdict).not.toBe('reject');
    expect(s.network.peers()).toEqual([m.network.peerId]);

    // M serves no bidder, yet names B, from the announcement (zi_sessionPeers answers the same way).
    expect(await createRpcClient(m.rpcUrl as string).call('zi_sessionPeers', { contract })).toEqual(b.network.addresses());
    expect(m.servesSessions(contract)).toBe(false);
    expect(s.sessionPeers(contract)).toEqual(b.network.addresses());

    const before = balance(s, solver.address);
    const paid: number[] = [];
    b.bidder?.on('paid', ({ seq }) => paid.push(seq));
    const agent = new SolverAgent({ node: s, secretKey: solver.secretKey, sandboxPool: pool, sessions: 1, maxMcus: 16 });
    const summary = await agent.run();
    expect(summary).toMatchObject({ outcome: 'limit', mcus: 16, contracts: [contract] });
    expect(paid).toEqual([0, 1, 2, 3, 4]);
    expect(balance(s, solver.address)).toBe(before + summary.earned);
    expect(summary.earned).toBeGreaterThan(0n);
    // The session went straight to B.
    expect(s.network.peers()).toContain(b.network.peerId);
  });

  it('a node joining through M later asks M and gets B’s announcement, which it checks as its own', async () => {
    const late = await start('late');
    await link(m, late);
    await until('the contract at the late node', hasContract(late), onEmitter(late, 'head'));
    // Gossip is not replayed to a newcomer: only M's answer on the bidder protocol can tell it.
    expect(late.network.announcedSessionPeers(contract)).toEqual([]);
    expect(await late.network.findSessionPeers(contract)).toEqual(b.network.addresses());
    expect(late.sessionPeers(contract)).toEqual(b.network.addresses());
    expect(late.network.peers()).toEqual([m.network.peerId]);
  });

  it('a peer answering the bidder protocol with a forged announcement is banned, and names nobody', async () => {
    const late = await start('late-2');
    await link(m, late);
    await until('the contract at the second late node', hasContract(late), onEmitter(late, 'head'));
    const liar = await createHost({ privateKey: await generateKeyPair('Ed25519') });
    hosts.push(liar);
    const liarPeer = liar.peerId.toString();
    // Signed by another key than the contract's bidder (and by the liar's own peer key).
    const liarKey = await generateKeyPair('Ed25519');
    const forged = forge({ bidder: bidder.address, peer: peerOf(liarKey), time: Date.now() }, other.secretKey, liarKey);
    await serve(liar, {
      protocol: late.network.ids.bidderProtocol,
      request: bidderRequest,
      answer: () => encodeMessage(bidderResponse, { type: 'announced', announcement: forged }),
      onFault: () => undefined,
      onError: () => undefined,
    });
    await liar.start();
    await late.network.connect(liar.getMultiaddrs()[0] as Parameters<ZiNetwork['connect']>[0]);
    const banned = nextEvent(late.network, 'peer-banned', (ban) => ban.peer === liarPeer);
    expect(await late.network.findSessionPeers(contract, [liarPeer])).toEqual([]);
    await banned;
    expect(late.network.isBanned(liarPeer)).toBe(true);
  });

  it('forged announcements are rejected or ignored with the NET-8 verdict, forgers penalised, and B’s still wins', async () => {
    const topic = m.network.ids.servingTopic;
    const verdictOf = (host: ZiHost) => nextEvent(m.network, 'gossip', (o) => o.topic === 'serving' && o.peer === host.peerId.toString());
    const expectOutcome = async (host: ZiHost, bytes: Uint8Array, expected: Partial<GossipOutcome>): Promise<void> => {
      const verdict = verdictOf(host);
      await host.services.pubsub.publish(topic, bytes);
      const [outcome] = await verdict;
      expect(outcome).toMatchObject(expected);
    };
    const bannedEvent = (host: ZiHost) => nextEvent(m.network, 'peer-banned', (ban) => ban.peer === host.peerId.toString());

    // Garbage bytes: not an announcement at all (ENC-3) — a ban.
    const garbage = await forger();
    const garbageBan = bannedEvent(garbage);
    await expectOutcome(garbage, new Uint8Array(200).fill(0xff), { verdict: 'reject', rule: 'ENC-3', malformed: true });
    await garbageBan;

    // Peer mismatch: the forger names itself as the peer but lists B's addresses (/p2p/ of B) — a ban.
    const mismatchKey = await generateKeyPair('Ed25519');
    const mismatch = await forger(mismatchKey);
    const unsigned = {
      chain: genesis.chain,
      bidder: bidder.address,
      peer: peerOf(mismatchKey),
      addrs: b.network.addresses(),
      time: Date.now(),
    };
    const signature = sign(servingSigningBytes(unsigned), bidder.secretKey);
    const claimed = encodeCbor(
      servingAnnouncement.toWire({ ...unsigned, sig: signature, peerSig: sign(servingSigningBytes(unsigned), seedOf(mismatchKey)) }),
    );
    const mismatchBan = bannedEvent(mismatch);
    await expectOutcome(mismatch, claimed, { verdict: 'reject', rule: 'NET-8', malformed: true });
    await mismatchBan;

    // One forger, a strike per rejected announcement (NET-7: the third bans), none for an ignored one.
    const forgerKey = await generateKeyPair('Ed25519');
    const liar = await forger(forgerKey);
    const liarPeer = liar.peerId.toString();
    // The bidder's key, but naming a peer (S) that never signed: peerSig is the forger's.
    const victim = { bidder: bidder.address, peer: s.network.peerId, addrs: s.network.addresses(), time: Date.now() };
    await expectOutcome(liar, forgePeer(victim, bidder.secretKey, forgerKey), { verdict: 'reject', rule: 'NET-8', id: bidder.address });
    expect(m.network.isBanned(liarPeer)).toBe(false);
    // Properly signed but 11 minutes old: ignored, never held against the sender.
    const old = forge(
      { bidder: bidder.address, peer: liarPeer, time: Date.now() - SERVING_FRESH_MS - 60_000 },
      bidder.secretKey,
      forgerKey,
    );
    await expectOutcome(liar, old, { verdict: 'ignore', rule: 'NET-8', reason: 'stale' });
    expect(m.network.isBanned(liarPeer)).toBe(false);
    // Signed by another key than the bidder's (and newer than B's): rejected; the second such is the third strike.
    const impostor = (time: number) => forge({ bidder: bidder.address, peer: liarPeer, time }, other.secretKey, forgerKey);
    await expectOutcome(liar, impostor(Date.now() + 1), { verdict: 'reject', rule: 'NET-8', id: bidder.address });
    expect(m.network.isBanned(liarPeer)).toBe(false);
    const liarBan = bannedEvent(liar);
    await expectOutcome(liar, impostor(Date.now() + 2), { verdict: 'reject', rule: 'NET-8', id: bidder.address });
    await liarBan;

    // B's real announcement still stands, on M and on S.
    expect(m.sessionPeers(contract)).toEqual(b.network.addresses());
    expect(s.sessionPeers(contract)).toEqual(b.network.addresses());
    expect(await s.network.findSessionPeers(contract)).toEqual(b.network.addresses());
  });
});

describe('the serving parts on their own', () => {
  interface Vector {
    id: string;
    hex?: string;
    hexParts?: (string | { repeat: string; times: number })[];
    check?: string;
    error: string;
  }
  const vectors = JSON.parse(readFileSync(new URL('../../spec/vectors/serving.json', import.meta.url), 'utf8')) as {
    valid: Vector[];
    invalid: Vector[];
  };
  const bytesOf = (v: Vector): Uint8Array =>
    v.hex !== undefined
      ? fromHex(v.hex)
      : Buffer.concat(
          (v.hexParts ?? []).map((part) =>
            typeof part === 'string' ? fromHex(part) : new Uint8Array(part.times).fill(fromHex(part.repeat)[0] ?? 0),
          ),
        );
  const VECTOR_TIME = 1_700_000_120_000;
  const context = (book = new ServingBook()) => ({ chain: 'zi-devnet', book, now: VECTOR_TIME, hasOpenContract: () => true });

  it.each(vectors.valid.map((v) => [v.id, v] as const))('spec vector %s is accepted and kept', (_, v) => {
    const book = new ServingBook();
    expect(servingVerdict(context(book), bytesOf(v))).toMatchObject({ verdict: 'accept', stored: true });
    expect(book.size).toBe(1);
    // The same again is not newer: ignored, as a duplicate.
    expect(servingVerdict(context(book), bytesOf(v))).toMatchObject({ verdict: 'ignore', reason: 'duplicate' });
  });

  it.each(vectors.invalid.map((v) => [v.id, v] as const))('spec vector %s is rejected', (_, v) => {
    const book = new ServingBook();
    const verdict = servingVerdict(context(book), bytesOf(v));
    // NET-8: what does not decode is malformed (a ban); a signature that fails is a strike.
    expect(verdict.verdict).toBe('reject');
    expect(verdict.malformed === true).toBe(v.check === 'decode');
    expect(book.size).toBe(0);
  });

  it('keeps a bidder with no open contract apart, unforwarded, and evicts the stalest first', () => {
    let now = 1_000_000;
    const book = new ServingBook({ capacity: 2, unprovenCapacity: 1, now: () => now });
    const [valid] = vectors.valid;
    const base = servingVerdict({ ...context(book), now: VECTOR_TIME }, bytesOf(valid as Vector));
    expect(base.verdict).toBe('accept');
    const announcement = base.announcement as ServingAnnouncement;
    now = announcement.time;
    const held = (bidder: string, time: number) => ({ announcement: { ...announcement, bidder, time }, bytes: new Uint8Array() });
    book.put(held('zi1a', now - 3), true);
    book.put(held('zi1b', now - 2), true);
    expect(book.fresh(announcement.bidder)).toBeUndefined(); // evicted: the stalest of three
    expect(book.fresh('zi1a')).toBeDefined();
    // Unproven entries never push out proven ones.
    book.put(held('zi1x', now), false);
    book.put(held('zi1y', now), false);
    expect([book.fresh('zi1a'), book.fresh('zi1b'), book.fresh('zi1x')].map((h) => h !== undefined)).toEqual([true, true, false]);
    expect(book.fresh('zi1y')).toBeDefined();
    // An unproven bidder proven later moves over.
    book.put(held('zi1y', now + 1), true);
    expect(book.size).toBe(2);
    // Fresh for 10 minutes.
    now += SERVING_FRESH_MS + 10;
    expect(book.fresh('zi1y')).toBeUndefined();
    expect(book.isNewer({ ...announcement, bidder: 'zi1y', time: announcement.time + 1 })).toBe(false);
    expect(book.isNewer({ ...announcement, bidder: 'zi1y', time: announcement.time + 2 })).toBe(true);
  });

  it('announces only dialable addresses, and paces pokes to a burst of four', async () => {
    const key = await generateKeyPair('Ed25519');
    const peer = peerOf(key);
    expect(
      announceableAddresses(
        [
          `/ip4/0.0.0.0/tcp/4001/p2p/${peer}`,
          `/ip6/::/tcp/4001/p2p/${peer}`,
          `/ip4/192.0.2.7/tcp/4001/p2p/${peer}`,
          '/ip4/192.0.2.7/tcp/4001',
          `/ip4/192.0.2.8/tcp/4001/p2p/${peer}/p2p-circuit/p2p/${peer}`,
        ],
        peer,
      ),
    ).toEqual([`/ip4/192.0.2.7/tcp/4001/p2p/${peer}`]);
    const published: ServingAnnouncement[] = [];
    let now = VECTOR_TIME;
    const announcer = new ServingAnnouncer({
      chain: genesis.chain,
      bidderSecretKey: bidder.secretKey,
      peerSecretKey: seedOf(key),
      peer,
      addresses: () => [`/ip4/192.0.2.7/tcp/4001/p2p/${peer}`],
      heard: () => true,
      publish: (_bytes, announcement) => published.push(announcement),
      onError: (error) => {
        throw error;
      },
      now: () => now,
    });
    for (let i = 0; i < 6; i++) announcer.poke();
    expect(published.map((a) => a.time)).toEqual([now, now + 1, now + 2, now + 3]);
    // Each is newer than the one before, and verifies under NET-8 at a receiver.
    const book = new ServingBook({ now: () => now });
    for (const a of published) {
      expect(servingVerdict({ ...context(book), now, chain: genesis.chain }, encodeServingAnnouncement(a)).verdict).toBe('accept');
    }
    now += 60_000;
    announcer.stop();
    announcer.poke();
    expect(published).toHaveLength(4);
  });
});

/** The peer id of a libp2p key. */
function peerOf(key: PrivateKey): string {
  return peerIdFromPrivateKey(key).toString();
}

/**
 * An announcement of `fields.peer`'s loopback address, `sig` by `bidderKey` and `peerSig` by
 * `peerKey`; when `bidderKey` is not `fields.bidder`'s, it signs as its own address and the bidder
 * field is changed afterwards (a signature that does not verify).
 */
function forge(fields: Omit<UnsignedServingAnnouncement, 'chain' | 'addrs'>, bidderKey: Uint8Array, peerKey: PrivateKey): Uint8Array {
  const signer = addressOf(publicKeyOf(bidderKey));
  const unsigned = { chain: genesis.chain, ...fields, bidder: signer, addrs: [`/ip4/127.0.0.1/tcp/9/p2p/${fields.peer}`] };
  const announcement = signServingAnnouncement(unsigned, bidderKey, seedOf(peerKey));
  return encodeServingAnnouncement({ ...announcement, bidder: fields.bidder });
}

/** The bidder's real signature over an announcement naming `fields.peer`, but `peerSig` by another node's key. */
function forgePeer(fields: Omit<UnsignedServingAnnouncement, 'chain'>, bidderKey: Uint8Array, peerKey: PrivateKey): Uint8Array {
  const unsigned = { chain: genesis.chain, ...fields };
  const message = servingSigningBytes(unsigned);
  return encodeServingAnnouncement({ ...unsigned, sig: sign(message, bidderKey), peerSig: sign(message, seedOf(peerKey)) });
}
