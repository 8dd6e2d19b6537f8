import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { accountKey } from '@zi/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { Chain } from '../src/chain/chain.js';
import { devnetConfig } from '../src/devnet.js';
import { decodeAccount } from '../src/state/entries.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/mining-node.mjs', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the mining node until it has printed `heads` committed heads, then SIGKILLs it. */
async function mineAndKill(dataDir: string, heads: number): Promise<{ height: number; id: string }[]> {
  const child: ChildProcess = spawn(process.execPath, ['--no-node-snapshot', SCRIPT, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: { height: number; id: string }[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const [word, height, id] = line.split(' ');
    if (word !== 'head') continue;
    seen.push({ height: Number(height), id: id as string });
    if (seen.length >= heads) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;
  return seen;
}

describe('a mining node killed at any moment', () => {
  it('restarts with every block it reported committed, and a consistent state', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'zi-mining-crash-'));
    dirs.push(dataDir);
    const { genesis, accounts } = devnetConfig({ count: 2 });
    let reported: { height: number; id: string }[] = [];
    for (const heads of [15, 40, 7]) {
      const seen = await mineAndKill(dataDir, heads);
      const last = seen[seen.length - 1] as { height: number; id: string };
      const chain = Chain.open(join(dataDir, 'chain.db'), genesis);
      try {
        expect(chain.db.pragma('integrity_check', { simple: true })).toBe('ok');
        const head = chain.head();
        // Nothing reported as committed is lost; at most the block being written when killed is ahead.
        expect(head.height).toBeGreaterThanOrEqual(last.height);
        for (const block of seen) expect(chain.idAt(block.height)).toBe(block.id);
        // State agrees with the chain: alice paid 1 Li + 10 Li fee per included transfer, and her nonce counts them.
        const alice = decodeAccount(chain.state.get(accountKey(accounts[0]?.address as string)));
        const sent = BigInt(alice.nonce);
        expect(alice.balance).toBe(10_000n * 1_000_000_000n - sent * 11n);
      } finally {
        chain.close();
      }
      reported = [...reported, ...seen];
    }
    expect(reported.length).toBe(62);
  });
});
