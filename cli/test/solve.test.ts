import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ran, RunningZi, rpcCall, runZi } from './processes.js';

// The whole market from the command line, in real processes: `zi node start --bidder` serves the
// sessions of devnet account 0's contracts, `zi publish` publishes mandelbrot with it, and
// `zi solve` joins through the bidder's address, syncs, picks the contract, solves and is paid.

/** Every run gets its own ZI_HOME: the real ~/.zi is never read or written. */
let home: string;
let work: string;

function zi(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return runZi(args, { cwd: work, env: { ZI_HOME: home, ZI_RPC: '', ...env } });
}

/** A long-running `zi node start` with this test's ZI_HOME. */
function running(args: string[]): RunningZi {
  return new RunningZi(args, { cwd: work, env: { ZI_HOME: home } });
}

let bidderNode: RunningZi;
let rpc: string;
let listen: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'zi-solve-home-'));
  work = await mkdtemp(join(tmpdir(), 'zi-solve-work-'));
  bidderNode = running(['node', 'start', '--rpc-port', '0', '--listen', '/ip4/127.0.0.1/tcp/0', '--bidder', '--json']);
  const started = JSON.parse(await bidderNode.line(/"event":"started"/)) as { rpc: string; listen: string[]; bidder: string | null };
  rpc = started.rpc;
  listen = started.listen[0] as string;
  expect(started.bidder).toMatch(/^zi1/);
});

afterAll(async () => {
  if (bidderNode) expect(await bidderNode.stop()).toBe(0);
  await rm(home, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

function call<T>(method: string, params: Record<string, unknown>): Promise<T> {
  return rpcCall<T>(rpc, method, params);
}

describe('zi solve', () => {
  it('joins through the bidder node, picks the published contract and is paid for 64 MCUs', async () => {
    expect((await zi(['init', 'm', '--template', 'mandelbrot'])).code).toBe(0);
    const published = await zi(['publish', '--rpc', rpc, '--dir', 'm', '--price', '100 Li', '--json']);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    const { contract } = JSON.parse(published.stdout) as { contract: string };
    expect(await call<string[]>('zi_sessionPeers', { contract })).toEqual([listen]);

    // The solver is paid into a wallet of its own keys folder (the bidder node signs with account 0).
    const keys = join(work, 'solver-keys');
    const env = { ZI_PASSPHRASE: 'pw', ZI_KDF_N: '1024' };
    const created = await zi(['wallet', 'create', '--name', 'solver', '--keys-dir', keys, '--json'], env);
    const { address } = JSON.parse(created.stdout) as { address: string };

    const ran = await zi(['solve', '--bootstrap', listen, '--max-mcus', '64', '--cores', '2', '--keys-dir', keys, '--json'], env);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    const events = ran.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ event: 'started', address, cores: 2 });
    expect(events.find((e) => e.event === 'contract')).toMatchObject({ id: contract, price: '100' });
    const batches = events.filter((e) => e.event === 'batch');
    expect(batches.reduce((sum, b) => sum + (b.mcus as number), 0)).toBe(64);
    const done = events.at(-1) as { event: string; outcome: string; mcus: number; earned: string; contracts: string[] };
    expect(done).toMatchObject({ event: 'done', outcome: 'limit', mcus: 64, contracts: [contract] });
    // 64 MCUs at 100 Li, less the payout fees (a tenth of each amount).
    expect(BigInt(done.earned)).toBe(6400n - 640n);
    const account = await call<{ balance: string }>('zi_account', { address });
    expect(BigInt(account.balance)).toBe(BigInt(done.earned));
  });
});
