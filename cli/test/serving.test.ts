import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ran, RunningZi, rpcCall, runZi } from './processes.js';

// NET-8 from the command line, in real processes: a miner M (`zi node start --mine instant`), a
// bidder's node B bootstrapped through M (`zi node start --bidder`), and `zi solve` bootstrapped
// through M only. The solver never hears of B's address from anyone but B's signed serving
// announcement, which M passes on — and is paid.

let home: string;
let work: string;
const processes: RunningZi[] = [];

function zi(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runZi(args, { cwd: work, env: { ZI_HOME: home, ZI_RPC: '', ...env } });
}

function running(args: string[]): RunningZi {
  const process = new RunningZi(args, { cwd: work, env: { ZI_HOME: home } });
  processes.push(process);
  return process;
}

interface Started {
  rpc: string;
  listen: string[];
  peer: string;
}

type ZiEvent = Record<string, unknown> & { event: string };
const events = (process: { lines: string[] } | Ran): ZiEvent[] =>
  ('lines' in process ? process.lines : process.stdout.trim().split('\n')).map((line) => JSON.parse(line) as ZiEvent);

let miner: Started;
let bidder: Started;
let bidderNode: RunningZi;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'zi-serving-home-'));
  work = await mkdtemp(join(tmpdir(), 'zi-serving-work-'));
  const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0', '--rpc-port', '0', '--json'];
  const minerNode = running(['node', 'start', '--data-dir', join(work, 'miner'), '--mine', 'instant', ...loopback]);
  miner = JSON.parse(await minerNode.line(/"event":"started"/)) as Started;
  const minerAddress = miner.listen[0] as string;
  bidderNode = running(['node', 'start', '--data-dir', join(work, 'bidder'), '--bidder', '--bootstrap', minerAddress, ...loopback]);
  bidder = JSON.parse(await bidderNode.line(/"event":"started"/)) as Started;
}, 60_000);

afterAll(async () => {
  for (const process of processes) expect(await process.stop(), process.stderr).toBe(0);
  await rm(home, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('zi solve through a miner only (NET-8)', () => {
  it('finds the bidder’s node from its serving announcement, dials it and is paid for 16 MCUs', async () => {
    expect((await zi(['init', 'm', '--template', 'mandelbrot'])).code).toBe(0);
    const published = await zi(['publish', '--rpc', bidder.rpc, '--dir', 'm', '--price', '100 Li', '--json']);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    const { contract } = JSON.parse(published.stdout) as { contract: string };

    const keys = join(work, 'solver-keys');
    const env = { ZI_PASSPHRASE: 'pw', ZI_KDF_N: '1024' };
    const created = await zi(['wallet', 'create', '--name', 'solver', '--keys-dir', keys, '--json'], env);
    const { address } = JSON.parse(created.stdout) as { address: string };

    const ran = await zi(
      ['solve', '--bootstrap', miner.listen[0] as string, '--max-mcus', '16', '--cores', '1', '--keys-dir', keys, '--json'],
      env,
    );
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const story = events(ran);
    // It joined through M alone, …
    expect(story.find((e) => e.event === 'synced')).toMatchObject({ peers: [miner.peer] });
    expect(story.filter((e) => e.event === 'skipped')).toEqual([]);
    expect(story.find((e) => e.event === 'contract')).toMatchObject({ id: contract });
    // … and was paid batches of 1, 2, 4, 8 and the 1 MCU left: 1,600 Li less the fees (a tenth).
    expect(story.filter((e) => e.event === 'batch').map((e) => e.mcus)).toEqual([1, 2, 4, 8, 1]);
    const done = story.at(-1) as ZiEvent;
    expect(done).toMatchObject({ event: 'done', outcome: 'limit', mcus: 16, earned: '1440', contracts: [contract] });
    const account = await rpcCall<{ balance: string }>(miner.rpc, 'zi_account', { address });
    expect(account.balance).toBe('1440');

    // M serves no bidder but names B's node (zi_sessionPeers answers from the announcement).
    expect(await rpcCall<string[]>(miner.rpc, 'zi_sessionPeers', { contract })).toEqual(bidder.listen);
    // B printed its sessions as JSON lines: serving, then each batch it paid.
    await bidderNode.line(/"event":"session-paid".*"seq":4/);
    const bidderEvents = events(bidderNode);
    expect(bidderEvents.find((e) => e.event === 'bidder-serving')).toMatchObject({ address: expect.stringMatching(/^zi1/) });
    const paid = bidderEvents.filter((e) => e.event === 'session-paid');
    expect(paid.map((e) => [e.contract, e.solver, e.seq, e.mcus])).toEqual([
      [contract, address, 0, 1],
      [contract, address, 1, 2],
      [contract, address, 2, 4],
      [contract, address, 3, 8],
      [contract, address, 4, 1],
    ]);
  });
});
