import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { type DevAccount, devnetConfig } from '@zi/node';
import { encodeTransaction, signTransaction, type Transaction, toHex } from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './processes.js';

// A partition that heals, with a real link cut: two `zi node start` processes, each in a network
// namespace of its own, joined by one veth pair (10.77.0.1 ↔ 10.77.0.2, a private range, no other
// interface but loopback, no default route: nothing can leave the machine). The nodes connect over
// the link; the test takes the link down under the live connection, both sides mine their own
// blocks — each with a transfer spending the same account's nonce 0 — and the link comes back up.
// Both must end on one chain: the same head and the same state root, the losing transfer gone.
// Runs as root (CI does): without `ip netns` it fails and says why.

const run = promisify(execFile);
const { genesis, accounts } = devnetConfig({ count: 10 });
const spender = accounts[1] as DevAccount;
const [toA, toB] = [accounts[2] as DevAccount, accounts[3] as DevAccount];

/** Unique per run, so two runs (or a run left over) never share a namespace. */
const tag = `zi${process.pid}`;
const NS = { a: `${tag}a`, b: `${tag}b` } as const;
const VETH = { a: `zv${process.pid}a`, b: `zv${process.pid}b` } as const;
const ADDRESS = { a: '10.77.0.1', b: '10.77.0.2' } as const;

type Side = keyof typeof NS;

let home: string;
const nodes: Partial<Record<Side, NsNode>> = {};

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** A `zi node start --json` running inside a namespace: its stdout lines, awaited by pattern. */
class NsNode {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  #waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }[] = [];

  constructor(
    readonly side: Side,
    args: string[],
  ) {
    this.child = spawn('ip', ['netns', 'exec', NS[side], process.execPath, '--no-node-snapshot', BIN, ...args], {
      env: { ...process.env, ZI_HOME: join(home, side) },
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pattern.test(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    this.child.on('exit', (code) => {
      for (const w of this.#waiters) w.reject(new Error(`node ${side} exited with ${code} before ${w.pattern}: ${this.stderr}`));
      this.#waiters = [];
    });
  }

  /** The next line (or one already seen, when `seen`) matching `pattern`. */
  line(pattern: RegExp, seen = true): Promise<string> {
    const found = seen ? this.lines.find((line) => pattern.test(line)) : undefined;
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => this.#waiters.push({ pattern, resolve, reject }));
  }

  /** The head as its block lines tell it: the last block the node connected. */
  get head(): { height: number; id: string } | undefined {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const event = JSON.parse(this.lines[i] as string) as { event: string; height?: number; id?: string };
      if (event.event === 'block') return { height: event.height ?? -1, id: event.id ?? '' };
    }
    return undefined;
  }

  /** A JSON-RPC call made from inside the namespace (the API listens on its 127.0.0.1 only). */
  async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    const started = JSON.parse(await this.line(/"event":"started"/)) as { rpc: string };
    const script =
      "const [url, body] = process.argv.slice(1); fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })" +
      '.then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { process.stderr.write(String(e)); process.exit(1); });';
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
    const { stdout } = await run('ip', ['netns', 'exec', NS[this.side], process.execPath, '-e', script, started.rpc, body]);
    const answer = JSON.parse(stdout) as { result?: T; error?: { message: string; data?: { code: string } } };
    if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.data?.code });
    return answer.result as T;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** A transfer of `amount` Li from the spender at nonce 0, as JSON-RPC sends it. */
function transferAtNonce0(to: DevAccount, amount: bigint): { raw: string } {
  const tx = signTransaction(
    { type: 'transfer', chain: genesis.chain, from: spender.address, nonce: 0, fee: 1_000n, meta: '', to: to.address, amount },
    spender.secretKey,
  ) as Transaction;
  return { raw: toHex(encodeTransaction(tx)) };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'zi-partition-'));
  try {
    await ip('netns', 'add', NS.a);
    await ip('netns', 'add', NS.b);
    await ip('link', 'add', VETH.a, 'netns', NS.a, 'type', 'veth', 'peer', 'name', VETH.b, 'netns', NS.b);
    for (const side of ['a', 'b'] as const) {
      await ip('-n', NS[side], 'addr', 'add', `${ADDRESS[side]}/24`, 'dev', VETH[side]);
      await ip('-n', NS[side], 'link', 'set', 'lo', 'up');
      await ip('-n', NS[side], 'link', 'set', VETH[side], 'up');
    }
  } catch (error) {
    throw new Error(
      `cannot make network namespaces (${(error as Error).message.trim()}): this test needs root and iproute2's \`ip netns\` (CI runs it as root)`,
    );
  }
  // Nothing but the link and loopback: no route out of the namespace.
  const { stdout: routes } = await run('ip', ['-n', NS.a, 'route', 'show']);
  expect(routes).not.toMatch(/default/);

  const start = (side: Side, bootstrap: string[]): NsNode =>
    new NsNode(side, [
      'node',
      'start',
      '--data-dir',
      join(home, side, 'node'),
      '--mine',
      'off',
      '--listen',
      `/ip4/${ADDRESS[side]}/tcp/4001`,
      ...bootstrap.flatMap((address) => ['--bootstrap', address]),
      '--rpc-port',
      '0',
      '--json',
    ]);
  nodes.b = start('b', []);
  const b = JSON.parse(await nodes.b.line(/"event":"started"/)) as { peer: string; listen: string[] };
  expect(b.listen).toEqual([`/ip4/${ADDRESS.b}/tcp/4001/p2p/${b.peer}`]);
  nodes.a = start('a', b.listen);
  await nodes.a.line(/"event":"started"/);
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(nodes).map((node) => node.stop()));
  // Deleting a namespace deletes its end of the veth pair, and the pair with it.
  for (const ns of Object.values(NS)) await ip('netns', 'del', ns).catch(() => undefined);
  await rm(home, { recursive: true, force: true });
});

describe('a partition across a real link (network namespaces)', () => {
  it('heals to one chain: the same head and state root on both sides, the losing transfer dropped', async () => {
    const [a, b] = [nodes.a as NsNode, nodes.b as NsNode];
    // Connected over the link: two blocks B mines become A's head.
    const [tip] = (await b.call<string[]>('zi_mine', { blocks: 2 })).slice(-1);
    await a.line(new RegExp(`"event":"block".*"id":"${tip}"`));

    await ip('-n', NS.a, 'link', 'set', VETH.a, 'down');
    // Apart: each side spends the spender's nonce 0 its own way and mines on it, A 3 blocks, B 5.
    const sentA = await a.call<{ id: string }>('zi_sendTransaction', transferAtNonce0(toA, 111n));
    const sentB = await b.call<{ id: string }>('zi_sendTransaction', transferAtNonce0(toB, 222n));
    const lost = (await a.call<string[]>('zi_mine', { blocks: 3 })).at(-1) as string;
    const mined = await b.call<string[]>('zi_mine', { blocks: 5 });
    const winner = mined.at(-1) as string;
    await a.line(new RegExp(`"event":"block".*"id":"${lost}"`));
    await b.line(new RegExp(`"event":"block".*"id":"${winner}"`));
    expect(a.head).toEqual({ height: 5, id: lost });
    expect(b.head).toEqual({ height: 7, id: winner });
    // The link was really down: A has none of B's new blocks.
    expect(a.lines.some((line) => mined.some((id) => line.includes(id)))).toBe(false);

    await ip('-n', NS.a, 'link', 'set', VETH.a, 'up');
    // A hears of B's heavier branch (gossip that waited in the connection, or a sync on redial) and reorganises.
    await a.line(new RegExp(`"event":"block".*"id":"${winner}"`));
    expect(a.lines.some((line) => /"event":"reorg","depth":3/.test(line))).toBe(true);

    const [headA, headB] = await Promise.all([
      a.call<{ id: string; height: number }>('zi_head', {}),
      b.call<{ id: string }>('zi_head', {}),
    ]);
    expect(headA).toMatchObject({ id: winner, height: 7 });
    expect(headB.id).toBe(winner);
    const [blockA, blockB] = await Promise.all([
      a.call<{ header: { stateRoot: string } }>('zi_block', {}),
      b.call<{ header: { stateRoot: string } }>('zi_block', {}),
    ]);
    expect(blockA.header.stateRoot).toBe(blockB.header.stateRoot);
    // B's transfer is in both chains; A's lost its block and its nonce (MEM-6).
    expect(await a.call<{ status: string }>('zi_transaction', { id: sentB.id })).toMatchObject({ status: 'included' });
    await expect(a.call('zi_transaction', { id: sentA.id })).rejects.toMatchObject({ code: 'NODE_TX_UNKNOWN' });
    const [paidA, paidB] = await Promise.all([
      a.call<{ balance: string }>('zi_account', { address: toA.address }),
      a.call<{ balance: string }>('zi_account', { address: toB.address }),
    ]);
    expect(BigInt(paidB.balance) - BigInt(paidA.balance)).toBe(222n);
  });
});
