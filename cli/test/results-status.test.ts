import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ran, RunningZi, rpcCall, runZi } from './processes.js';

// `zi status` and `zi results` in real processes against a real bidder node: `zi node start
// --bidder` serves devnet account 0's contracts, `zi publish` publishes mandelbrot with it, and
// `zi solve --max-mcus 64` is paid for 64 MCUs. Then the bidder's node tells how the job goes, and
// hands over the 64 results it kept, which `zi results` unions and renders.

let home: string;
let work: string;
let bidderNode: RunningZi;
let rpc: string;
let listen: string;
let contract: string;
const watchers: RunningZi[] = [];

function zi(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runZi(args, { cwd: work, env: { ZI_HOME: home, ZI_RPC: '', ...env } });
}

function call<T>(method: string, params: Record<string, unknown>): Promise<T> {
  return rpcCall<T>(rpc, method, params);
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'zi-results-home-'));
  work = await mkdtemp(join(tmpdir(), 'zi-results-work-'));
  bidderNode = new RunningZi(['node', 'start', '--rpc-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0', '--bidder', '--json'], {
    cwd: work,
    env: { ZI_HOME: home },
  });
  const started = JSON.parse(await bidderNode.line(/"event":"started"/)) as { rpc: string; listen: string[] };
  rpc = started.rpc;
  listen = started.listen[0] as string;
  expect((await zi(['init', 'm', '--template', 'mandelbrot'])).code).toBe(0);
  const published = await zi(['publish', '--rpc', rpc, '--dir', 'm', '--price', '100 Li', '--json']);
  expect(published.code, published.stdout + published.stderr).toBe(0);
  contract = (JSON.parse(published.stdout) as { contract: string }).contract;
  // The solver is paid into a wallet of its own (the bidder's node signs with devnet account 0).
  const keys = join(work, 'solver-keys');
  const env = { ZI_PASSPHRASE: 'pw', ZI_KDF_N: '1024' };
  expect((await zi(['wallet', 'create', '--name', 'solver', '--keys-dir', keys], env)).code).toBe(0);
  const solved = await zi(['solve', '--bootstrap', listen, '--max-mcus', '64', '--cores', '2', '--keys-dir', keys, '--json'], env);
  expect(solved.code, solved.stdout + solved.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  for (const watcher of watchers) await watcher.stop();
  if (bidderNode) expect(await bidderNode.stop()).toBe(0);
  await rm(home, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

/** RGBA pixels of a PNG as encodePng writes it (8-bit RGBA, every row unfiltered). */
function decodePng(png: Buffer): { width: number; height: number; rgba: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]);
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    expect(raw[row]).toBe(0);
    raw.copy(rgba, y * width * 4, row + 1, row + 1 + width * 4);
  }
  return { width, height, rgba };
}

describe('zi status and zi results', () => {
  it('zi status shows 64 of 80,000 MCUs solved by one solver, the escrow, and why nobody solves now: no peers', async () => {
    const ran = await zi(['status', contract, '--rpc', rpc]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`Contract ${contract} (mandelbrot), open`);
    expect(ran.stdout).toMatch(/MCUs {8}64 of 80,000 solved \(0\.1%\), results of 64 kept here/);
    expect(ran.stdout).toMatch(/solvers {5}1\n {4}zi1\S+ {2}64 MCUs in \d+ batches {2}6,400 Li/);
    expect(ran.stdout).toMatch(/escrow {6}8,000,000 Li at publish, 6,400 Li spent, 7,993,600 Li left/);
    expect(ran.stdout).toContain('sessions    0 live');
    // The solver's process ended after 64 MCUs: no session is live, and nobody is connected.
    expect(ran.stdout).toContain('Nobody seems to be solving it:\n  NO_PEERS: this node has no peers');

    const json = await zi(['status', contract, '--rpc', rpc, '--json']);
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout) as { paidMcus: number; storedMcus: number; solvers: unknown[]; diagnosis: { code: string }[] };
    expect(status).toMatchObject({ paidMcus: 64, storedMcus: 64, diagnosis: [{ code: 'NO_PEERS' }] });
    expect(status.solvers).toHaveLength(1);
  });

  it('zi results writes results.json and a render.png whose solved pixels are drawn and the rest transparent', async () => {
    const ran = await zi(['results', contract, '--rpc', rpc, '--out', 'out', '--json']);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const written = JSON.parse(ran.stdout) as {
      mcus: number;
      total: number;
      entries: number;
      complete: boolean;
      resultsPath: string;
      renderPath: string;
    };
    expect(written).toMatchObject({ mcus: 64, total: 80_000, entries: 64, complete: false, renderPath: join(work, 'out', 'render.png') });

    const { solvedRanges } = await call<{ solvedRanges: { from: number; count: number }[] }>('zi_contract', { id: contract });
    const solved = solvedRanges.flatMap((r) => Array.from({ length: r.count }, (_, k) => r.from + k));
    expect(solved).toHaveLength(64);
    const file = JSON.parse(await readFile(written.resultsPath, 'utf8')) as { contract: string; mcus: number; results: [number, number][] };
    expect(file).toMatchObject({ contract, mcus: 64 });
    expect(file.results.map(([index]) => index)).toEqual(solved);

    const { width, height, rgba } = decodePng(await readFile(written.renderPath));
    expect([width, height]).toEqual([400, 200]);
    const alpha = (index: number) => rgba[(Math.floor(index / width) * width + (index % width)) * 4 + 3];
    for (const index of solved) expect(alpha(index)).toBe(255);
    const unsolved = [100, 40_000, 79_999].filter((index) => !solved.includes(index));
    for (const index of unsolved) expect(alpha(index)).toBe(0);

    const text = await zi(['results', contract, '--rpc', rpc, '--out', 'out']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('64 of 80,000 (0.1%) — partial');
    expect(text.stdout).toContain('render   out/render.png');
  });

  it('errors: a node that keeps no results, an unknown contract, no node at all', async () => {
    // A second node, not the bidder's, knows the contract but keeps none of its results.
    const other = new RunningZi(['node', 'start', '--rpc-port', '0', '--data-dir', join(work, 'other'), '--bootstrap', listen, '--json'], {
      cwd: work,
      env: { ZI_HOME: home },
    });
    watchers.push(other);
    const otherRpc = (JSON.parse(await other.line(/"event":"started"/)) as { rpc: string }).rpc;
    // It has synced the bidder's chain once it prints the bidder's head block.
    const head = await call<{ height: number }>('zi_head', {});
    await other.line(new RegExp(`"event":"block","height":${head.height},`));
    const notBidder = await zi(['results', contract, '--rpc', otherRpc]);
    expect(notBidder.code).toBe(3);
    expect(notBidder.stderr).toContain('error NODE_NOT_BIDDER');

    // A well-formed id that names no contract: the genesis block's.
    const { genesisId } = await call<{ genesisId: string }>('zi_chain', {});
    const unknown = await zi(['status', genesisId, '--rpc', rpc]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('error NODE_CONTRACT_UNKNOWN');

    const nobody = await zi(['status', contract, '--rpc', 'http://127.0.0.1:1']);
    expect(nobody.code).toBe(4);
    expect(nobody.stderr).toContain('error NODE_UNREACHABLE');
  });

  it('zi status --watch prints the status again on every new block, until stopped', async () => {
    const watcher = new RunningZi(['status', contract, '--rpc', rpc, '--watch', '--json'], { cwd: work, env: { ZI_HOME: home } });
    watchers.push(watcher);
    const first = JSON.parse(await watcher.line(/"contract"/)) as { head: { height: number } };
    // A new block on the devnet: the watcher hears it over the node's WebSocket.
    const [mined] = await call<string[]>('zi_mine', { blocks: 1 });
    expect(mined).toBeDefined();
    const next = new RegExp(`"head":\\{"height":${first.head.height + 1},`);
    const second = JSON.parse(await watcher.line(next)) as { head: { height: number }; paidMcus: number };
    expect(second).toMatchObject({ head: { height: first.head.height + 1 }, paidMcus: 64 });
    expect(await watcher.stop('SIGINT')).toBe(0);
  });
});
