import { spawn } from 'node:child_process';
import { createHash, createPrivateKey, type KeyObject, sign as nodeSign } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  addressOf,
  decodeHeader,
  devnetGenesis,
  encodeBlock,
  genesisToJson,
  LI_PER_ZI,
  publicKeyOf,
  type Transaction,
  transactionSigningBytes,
} from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chain } from '../src/chain/chain.js';
import { mineHeaderSync } from '../src/chain/pow-search.js';

/**
 * A real node process importing blocks is SIGKILLed at chosen points (after the k-th committed
 * block, in the middle of a block, in the middle of a deep reorg); the database it leaves must hold
 * a whole block boundary: the head is the last block the process reported or the one after it,
 * the state is exactly a reference chain's at that head, SQLite's integrity check passes, and the
 * rest of the blocks import.
 */

const SCRIPT = fileURLToPath(new URL('./fixtures/import-loop.mjs', import.meta.url));
const T0 = 1_700_000_000_000;
const NOW = T0 + 1_000_000_000;
/** Heavy enough blocks (signatures, state writes) that a kill usually lands inside an import. */
const SENDERS = 20;
const TXS_PER_SENDER = 5;
const MAIN_BLOCKS = 16;
/** The competing branch forks after block FORK_AT of the main blocks and ends one block heavier. */
const FORK_AT = 2;
/** DER PKCS#8 header of an Ed25519 private key (RFC 8410 §7): the 32-byte seed follows it. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

interface Sender {
  address: string;
  key: KeyObject;
}

/** Fixed-seed senders that sign with node:crypto (RFC 8032 signatures, as noble's, but fast to make). */
const senders: Sender[] = Array.from({ length: SENDERS }, (_, i) => {
  const seed = new Uint8Array(createHash('sha256').update(`zi/crash-test/${i}`).digest());
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { address: addressOf(publicKeyOf(seed)), key };
});
const miner = senders[0] as Sender;
const genesis = devnetGenesis({ time: T0, alloc: senders.map((s) => ({ address: s.address, amount: 1_000n * LI_PER_ZI })) });

function transfer(from: Sender, nonce: number, to: string, amount: bigint): Transaction {
  const unsigned = { type: 'transfer' as const, chain: genesis.chain, from: from.address, nonce, fee: 3n, meta: '', to, amount };
  return { ...unsigned, sig: new Uint8Array(nodeSign(null, transactionSigningBytes(unsigned), from.key)) };
}

interface Built {
  id: string;
  bytes: Uint8Array;
}

const stateOf = (chain: Chain) =>
  (chain.db.prepare('SELECT key, value FROM state ORDER BY key').raw().all() as Uint8Array[][]).map((row) =>
    row.map((v) => Buffer.from(v).toString('hex')).join('='),
  );

/**
 * Builds `count` blocks of SENDERS × TXS_PER_SENDER transfers on a scratch chain that has imported
 * `prefix`; returns the blocks and the state after each (the reference).
 */
function buildBlocks(prefix: readonly Built[], count: number, salt: number, emptyLast = false): { blocks: Built[]; states: string[][] } {
  const chain = Chain.open(':memory:', genesis);
  try {
    for (const block of prefix) chain.importBlock(block.bytes, NOW);
    const blocks: Built[] = [];
    const states: string[][] = [];
    const nonces = senders.map(() => prefix.length * TXS_PER_SENDER);
    for (let b = 0; b < count; b++) {
      const txs: Transaction[] = [];
      if (!(emptyLast && b === count - 1))
        senders.forEach((sender, s) => {
          for (let t = 0; t < TXS_PER_SENDER; t++) {
            const to = senders[(s + t + 1 + salt) % SENDERS] as Sender;
            txs.push(transfer(sender, (nonces[s] as number) + t, to.address, BigInt(1 + b + t + salt * 1000)));
          }
          nonces[s] = (nonces[s] as number) + TXS_PER_SENDER;
        });
      const prepared = chain.prepareBlock(txs, miner.address, chain.head().time + 1000 + salt);
      expect(prepared.rejected).toEqual([]);
      const header = decodeHeader(mineHeaderSync(prepared.header));
      const bytes = encodeBlock({ header, txs: prepared.txs });
      const result = chain.importBlock(bytes, NOW);
      expect(result.status).toBe('head');
      blocks.push({ id: result.id, bytes });
      states.push(stateOf(chain));
    }
    return { blocks, states };
  } finally {
    chain.close();
  }
}

let dir = '';
let genesisFile = '';
let files = 0;
let main: { blocks: Built[]; states: string[][] };
let rival: { blocks: Built[]; states: string[][] };
let genesisState: string[] = [];

beforeAll(() => {
  if (!existsSync(new URL('../dist/chain/chain.js', import.meta.url))) {
    throw new Error('the import loop runs node/dist: build first (npx tsc -b node)');
  }
  dir = mkdtempSync(join(tmpdir(), 'zi-crash-test-'));
  genesisFile = join(dir, 'genesis.json');
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(genesis)));
  const empty = Chain.open(':memory:', genesis);
  genesisState = stateOf(empty);
  empty.close();
  main = buildBlocks([], MAIN_BLOCKS, 0);
  // The rival tip is empty: its own checks take microseconds, so a kill sent when its import begins
  // lands in the reorg it starts.
  rival = buildBlocks(main.blocks.slice(0, FORK_AT), MAIN_BLOCKS - FORK_AT + 1, 1, true);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function blocksFile(blocks: readonly Built[]): string {
  const parts: Uint8Array[] = [];
  for (const block of blocks) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(block.bytes.length);
    parts.push(length, block.bytes);
  }
  const path = join(dir, `blocks-${files++}.bin`);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

interface Run {
  /** indices of the blocks whose import the process reported committed */
  committed: number[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the import loop over `blocks` and SIGKILLs it on the first stdout line `killAt` accepts. */
function runUntilKilled(path: string, blocks: readonly Built[], killAt: (line: string) => boolean): Promise<Run> {
  const child = spawn(process.execPath, ['--no-node-snapshot', SCRIPT, path, genesisFile, blocksFile(blocks), String(NOW)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const committed: number[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [word, index] = line.split(' ');
    if (word === 'commit') committed.push(Number(index));
    if (killAt(line) && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ committed, signal, stderr }));
  });
}

/**
 * Reopens what the killed process left and checks it: a whole block boundary, the reference state at
 * that head, a sound database. Returns the chain and the position of its head in `blocks` (-1: genesis).
 */
function checkAfterCrash(path: string, blocks: readonly Built[], states: readonly string[][], run: Run): { chain: Chain; at: number } {
  expect(run.signal, run.stderr).toBe('SIGKILL');
  const chain = Chain.open(path, genesis);
  expect(chain.db.pragma('integrity_check', { simple: true })).toBe('ok');
  const head = chain.head();
  const at = blocks.findIndex((block) => block.id === head.id);
  if (at === -1) expect(head.id).toBe(chain.genesisId);
  const last = run.committed.at(-1) ?? -1;
  // The kill lands after the line of block `last`, or after block last + 1 committed but before its line.
  expect([last, last + 1]).toContain(at);
  expect(stateOf(chain)).toEqual(at === -1 ? genesisState : states[at]);
  return { chain, at };
}

describe('a node killed while importing', () => {
  it.each([
    ['after the 1st committed block', 'commit 0 '],
    ['after the 7th committed block', 'commit 6 '],
    ['in the middle of block 4', 'begin 4'],
    ['after the 11th committed block', 'commit 10 '],
  ])('leaves a whole block when killed %s', async (_name, marker) => {
    const path = join(dir, `chain-${files++}.db`);
    const run = await runUntilKilled(path, main.blocks, (line) => line.startsWith(marker));
    const { chain, at } = checkAfterCrash(path, main.blocks, main.states, run);
    try {
      for (const block of main.blocks.slice(at + 1)) expect(chain.importBlock(block.bytes, NOW).status).toBe('head');
      expect(chain.head().id).toBe(main.blocks.at(-1)?.id);
      expect(stateOf(chain)).toEqual(main.states.at(-1));
      expect(chain.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      chain.close();
    }
  });

  it('leaves the old chain or the new one when killed in the middle of a deep reorg', async () => {
    // The process imports the main blocks, then the rival branch; its last block outweighs the main
    // chain and switches MAIN_BLOCKS - FORK_AT blocks out and one more in, in one transaction.
    const path = join(dir, `chain-${files++}.db`);
    const order = [...main.blocks, ...rival.blocks];
    const tip = order.length - 1;
    const run = await runUntilKilled(path, order, (line) => line === `begin ${tip}`);
    expect(run.committed.at(-1)).toBeGreaterThanOrEqual(tip - 1);
    const chain = Chain.open(path, genesis);
    try {
      expect(chain.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const head = chain.head().id;
      expect([main.blocks.at(-1)?.id, rival.blocks.at(-1)?.id]).toContain(head);
      expect(stateOf(chain)).toEqual(head === rival.blocks.at(-1)?.id ? rival.states.at(-1) : main.states.at(-1));
      // Whatever the kill left, the heavier branch wins when its last block is offered again.
      const result = chain.importBlock((rival.blocks.at(-1) as Built).bytes, NOW);
      expect(result.status).toBe(head === main.blocks.at(-1)?.id ? 'head' : 'known');
      expect(chain.head().id).toBe(rival.blocks.at(-1)?.id);
      expect(stateOf(chain)).toEqual(rival.states.at(-1));
      for (const block of main.blocks.slice(FORK_AT)) expect(chain.isMain(block.id)).toBe(false);
    } finally {
      chain.close();
    }
  });

  it('the reference is what the chain computes: a run that is never killed ends at the last block', async () => {
    const path = join(dir, `chain-${files++}.db`);
    const run = await runUntilKilled(path, main.blocks.slice(0, 3), () => false);
    expect(run.signal, run.stderr).toBe(null);
    expect(run.committed).toEqual([0, 1, 2]);
    const chain = Chain.open(path, genesis);
    expect(stateOf(chain)).toEqual(main.states[2]);
    chain.close();
  });
});
