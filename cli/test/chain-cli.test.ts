import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ran, RunningZi, runZi } from './processes.js';

/** Every run gets its own ZI_HOME: the real ~/.zi is never read or written. */
let home: string;
let work: string;

function zi(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return runZi(args, { cwd, env: { ZI_HOME: home, ZI_RPC: '', ...env } });
}

/** A long-running `zi` (dev, node start) with this test's ZI_HOME. */
function running(args: string[], env: Record<string, string> = {}): RunningZi {
  return new RunningZi(args, { cwd: work, env: { ZI_HOME: home, ...env } });
}

function json<T>(ran: Ran): T {
  expect(ran.code, ran.stdout + ran.stderr).toBe(0);
  return JSON.parse(ran.stdout) as T;
}

let dev: RunningZi;
let rpc: string;
let accounts: string[];
let secretKey0: string;
let walletAddress: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'zi-chain-home-'));
  work = await mkdtemp(join(tmpdir(), 'zi-chain-work-'));
  // A wallet in a keys folder of its own: `zi dev --keys-dir` funds it, while the commands below
  // (ZI_HOME without keys) sign with devnet account 0.
  const keysDir = join(work, 'other-keys');
  const created = await zi(['wallet', 'create', '--name', 'mine', '--keys-dir', keysDir, '--json'], work, {
    ZI_PASSPHRASE: 'pw',
    ZI_KDF_N: '1024',
  });
  walletAddress = json<{ address: string }>(created).address;

  dev = running(['dev', '--port', '0', '--keys-dir', keysDir]);
  await dev.line(/Ctrl-C to stop/);
  rpc = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await dev.line(/^RPC /))?.[1] ?? '';
  const banner = dev.lines.join('\n');
  accounts = [...banner.matchAll(/^ {2}\((\d+)\) (zi1[02-9ac-hj-np-z]{58}) /gm)].map((m) => m[2] as string);
  secretKey0 = /^ {2}\(0\) ([0-9a-f]{64})$/m.exec(banner)?.[1] ?? '';
});

afterAll(async () => {
  if (dev) expect(await dev.stop('SIGTERM')).toBe(0);
  await rm(home, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

describe('zi dev', () => {
  it('prints the RPC URL of the port it got, ten funded dev accounts with their test keys, and the keystore wallets it funded', () => {
    expect(rpc).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(rpc).not.toMatch(/:0$/);
    expect(accounts).toHaveLength(10);
    expect(new Set(accounts).size).toBe(10);
    expect(secretKey0).toMatch(/^[0-9a-f]{64}$/);
    const banner = dev.lines.join('\n');
    expect(banner).toMatch(/devnet only/i);
    expect(banner).toContain(`mine  ${walletAddress}`);
  });

  it('refuses a port already taken: exit 4 and a hint', async () => {
    const port = Number(new URL(rpc).port);
    const ran = await zi(['dev', '--port', String(port)], work);
    expect(ran.code).toBe(4);
    expect(ran.stderr).toContain('error CLI_PORT_IN_USE:');
    expect(ran.stderr).toContain('hint:');
    expect(ran.stderr).toContain('--port');
  });
});

describe('a contract from zi init to close, against zi dev', () => {
  let project: string;
  let contract: string;
  let before: bigint;

  beforeAll(async () => {
    const init = await zi(['init', 'm', '--template', 'mandelbrot'], work);
    expect(init.code, init.stderr).toBe(0);
    project = join(work, 'm');
  });

  const balanceOf = async (who: string): Promise<bigint> =>
    BigInt(json<{ balance: string }>(await zi(['wallet', 'balance', who, '--rpc', rpc, '--json'], work)).balance);

  it('keystore wallets are funded like the dev accounts', async () => {
    expect(await balanceOf(walletAddress)).toBe(await balanceOf(accounts[1] as string));
  });

  it('publish signs with devnet account 0, locks price × MCUs in escrow and prints the contract id', async () => {
    const account0 = accounts[0] as string;
    before = await balanceOf(account0);
    const ran = await zi(['publish', '--rpc', rpc], project);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toContain(`signing with devnet account 0 (${account0})`);
    contract = /contract {2}(b[a-z2-7]{58})/.exec(ran.stdout)?.[1] ?? '';
    expect(contract).not.toBe('');
    expect(ran.stdout).toContain('escrow    80,000 Li');
    expect(ran.stdout).toContain('MCUs      80,000');

    const shown = json<{ id: string; escrow: string; budget: string; status: string; bidder: string; mcus: number; price: string }>(
      await zi(['contract', contract, '--rpc', rpc, '--json'], work),
    );
    expect(shown).toMatchObject({
      id: contract,
      escrow: '80000',
      budget: '80000',
      status: 'open',
      bidder: account0,
      mcus: 80_000,
      price: '1',
    });

    const listed = await zi(['contracts', '--rpc', rpc], work);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(contract);
    expect(listed.stdout).toMatch(/mandelbrot\s+open\s+1 Li\s+0\/80,000\s+80,000 Li/);

    expect(await balanceOf(account0)).toBe(before - 80_000n - 1000n);
  });

  it('publish --json gives the contract, escrow, price, MCUs and height', async () => {
    const published = json<{ contract: string; tx: string; escrow: string; price: string; mcus: number; height: number }>(
      await zi(['publish', '--rpc', rpc, '--budget', '2000 Li', '--json'], project),
    );
    expect(published).toMatchObject({ escrow: '2000', price: '1', mcus: 80_000 });
    expect(published.tx).toBe(published.contract);
    expect(published.height).toBeGreaterThan(0);
    const all = json<{ contracts: { id: string }[] }>(await zi(['contracts', '--rpc', rpc, '--json'], work));
    expect(all.contracts.map((c) => c.id)).toEqual(expect.arrayContaining([contract, published.contract]));
  });

  it('wallet send moves Zi between dev accounts', async () => {
    const [from, to] = accounts as [string, string];
    const [fromBefore, toBefore] = await Promise.all([balanceOf(from), balanceOf(to)]);
    const sent = json<{ tx: string; amount: string; balance: string; height: number }>(
      await zi(['wallet', 'send', '--to', to, '--amount', '1.5 Zi', '--rpc', rpc, '--json'], work),
    );
    expect(sent.amount).toBe('1500000000');
    expect(BigInt(sent.balance)).toBe(fromBefore - 1_500_000_000n - 1000n);
    expect(await balanceOf(to)).toBe(toBefore + 1_500_000_000n);
  });

  it('close refunds the escrow and closes the contract', async () => {
    const account0 = accounts[0] as string;
    const start = await balanceOf(account0);
    const ran = await zi(['close', contract, '--rpc', rpc], work);
    expect(ran.code, ran.stdout + ran.stderr).toBe(0);
    expect(ran.stdout).toContain('refund  80,000 Li');
    const shown = json<{ status: string; escrow: string }>(await zi(['contract', contract, '--rpc', rpc, '--json'], work));
    expect(shown).toMatchObject({ status: 'closed', escrow: '0' });
    expect(await balanceOf(account0)).toBe(start + 80_000n - 1000n);
    const again = await zi(['close', contract, '--rpc', rpc], work);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('CLI_CONTRACT_CLOSED');
  });

  it('a budget below the PUB-4 minimum is refused before anything is signed: exit 3', async () => {
    const ran = await zi(['publish', '--rpc', rpc, '--budget', '999 Li'], project);
    expect(ran.code).toBe(3);
    expect(ran.stderr).toMatchInlineSnapshot(`
      "error CLI_BUDGET_TOO_LOW: a budget of 999 Li is below the minimum escrow of 1,000 Li (price 1 Li × 1,000 MCUs, PUB-4)
        hint: raise --budget to at least "1000 Li" (the default, price × MCUs = 80,000 Li, pays for the whole job)
      "
    `);
  });

  it('with no node running, publish fails with NODE_UNREACHABLE, a hint, exit 4', async () => {
    const port = await freePort();
    const ran = await zi(['publish'], project, { ZI_RPC: `http://127.0.0.1:${port}` });
    expect(ran.code).toBe(4);
    expect(ran.stderr).toContain(`error NODE_UNREACHABLE: no node answers at http://127.0.0.1:${port}`);
    expect(ran.stderr).toContain('  hint: start one with `zi dev` (or `zi node start`), or pass --rpc with its address');
  });
});

describe('zi node start', () => {
  it('serves a devnet from its data dir, prints a JSON line per event, stops on SIGINT with exit 0 and reopens at the same head', async () => {
    const dataDir = join(work, 'node-data');
    const first = running(['node', 'start', '--rpc-port', '0', '--data-dir', dataDir, '--json']);
    const started = JSON.parse(await first.line(/"event":"started"/)) as { rpc: string; chain: string; height: number; mining: string };
    expect(started).toMatchObject({ chain: 'zi-devnet', height: 0, mining: 'instant' });
    const [, to] = accounts as [string, string];
    const sent = json<{ height: number }>(
      await zi(['wallet', 'send', '--to', to, '--amount', '5000', '--rpc', started.rpc, '--json'], work),
    );
    expect(sent.height).toBe(1);
    expect(JSON.parse(await first.line(/"event":"block"/))).toMatchObject({ event: 'block', height: 1, txs: 1 });
    expect(await first.stop('SIGINT')).toBe(0);
    expect(first.lines.at(-1)).toBe('{"event":"stopped"}');

    const second = running(['node', 'start', '--rpc-port', '0', '--data-dir', dataDir, '--json']);
    expect(JSON.parse(await second.line(/"event":"started"/))).toMatchObject({ height: 1 });
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});

/** A port nothing listens on: bound, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  return typeof address === 'object' && address !== null ? address.port : 0;
}
