import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addressOf,
  cidOfBytes,
  decodeHeader,
  devnetGenesis,
  encodeBlock,
  LI_PER_ZI,
  publicKeyOf,
  secretKeyFromHex,
  signTransaction,
  type Transaction,
  transactionId,
  type UnsignedTransaction,
  utf8Bytes,
} from '@zi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { Chain } from '../src/chain/chain.js';
import { mineHeaderSync } from '../src/chain/pow-search.js';
import { Mempool, type MempoolOptions } from '../src/mempool/mempool.js';
import { RuleError } from '../src/state/rule-error.js';

const key = (seed: string) => secretKeyFromHex(seed.repeat(64 / seed.length));
const alice = key('a1');
const bob = key('b2');
const carol = key('c3');
const miner = key('d4');
const addr = (secretKey: Uint8Array) => addressOf(publicKeyOf(secretKey));
const GENESIS_TIME = 1_700_000_000_000;
const genesis = devnetGenesis({
  time: GENESIS_TIME,
  alloc: [
    { address: addr(alice), amount: 1000n * LI_PER_ZI },
    { address: addr(bob), amount: 1000n * LI_PER_ZI },
    { address: addr(carol), amount: 5_000n },
  ],
});

const dirs: string[] = [];
const chains: Chain[] = [];
afterEach(() => {
  for (const chain of chains.splice(0)) chain.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A chain in a temp dir with a mempool following its head. */
function setup(options: MempoolOptions = {}): { chain: Chain; mempool: Mempool } {
  const dir = mkdtempSync(join(tmpdir(), 'zi-mempool-'));
  dirs.push(dir);
  let mempool: Mempool | undefined;
  const chain = Chain.open(join(dir, 'chain.db'), genesis, { onHead: (head, change) => mempool?.onHead(head, change) });
  chains.push(chain);
  mempool = new Mempool(chain, options);
  return { chain, mempool };
}

/** Mines a block of `txs` (those that apply) on the chain's head and imports it. */
function mineBlock(chain: Chain, txs: readonly Transaction[]): { bytes: Uint8Array; included: Transaction[] } {
  const head = chain.head();
  const { header, txs: included } = chain.prepareBlock(txs, addr(miner), head.time + 1000);
  const bytes = encodeBlock({ header: decodeHeader(mineHeaderSync(header)), txs: included });
  expect(chain.importBlock(bytes).status).toBe('head');
  return { bytes, included };
}

const transfer = (secretKey: Uint8Array, nonce: number, fee: bigint, amount = 1000n, to = addr(bob)) =>
  signTransaction({ type: 'transfer', chain: genesis.chain, from: addr(secretKey), nonce, fee, meta: '', to, amount }, secretKey);

function ruleOf(run: () => unknown): { rule: string; code: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof RuleError) return { rule: error.rule, code: error.code };
    throw error;
  }
  throw new Error('expected a RuleError');
}

describe('Mempool', () => {
  it('holds a transfer until a block includes it', () => {
    const { chain, mempool } = setup();
    const tx = transfer(alice, 0, 1000n);
    expect(mempool.add(tx)).toEqual({ id: transactionId(tx), status: 'pending' });
    expect(mempool.add(tx)).toEqual({ id: transactionId(tx), status: 'pending' });
    expect(mempool.pending()).toEqual([transactionId(tx)]);
    expect(mempool.nextNonce(addr(alice))).toBe(1);
    const { included } = mineBlock(chain, mempool.candidates());
    expect(included.map((t) => transactionId(t))).toEqual([transactionId(tx)]);
    expect(mempool.pending()).toEqual([]);
    expect(mempool.size).toBe(0);
    expect(mempool.bytes).toBe(0);
    expect(mempool.nextNonce(addr(alice))).toBe(1);
    expect(mempool.add(tx)).toEqual({ id: transactionId(tx), status: 'included' });
  });

  it('holds a nonce gap back until it fills', () => {
    const { mempool } = setup();
    const second = transfer(alice, 1, 1000n);
    const first = transfer(alice, 0, 1000n);
    mempool.add(second);
    expect(mempool.pending()).toEqual([transactionId(second)]);
    expect(mempool.candidates()).toEqual([]);
    expect(mempool.nextNonce(addr(alice))).toBe(0);
    mempool.add(first);
    expect(mempool.candidates().map((t) => transactionId(t))).toEqual([transactionId(first), transactionId(second)]);
    expect(mempool.nextNonce(addr(alice))).toBe(2);
  });

  it('orders candidates by fee while keeping each sender’s nonce order (MEM-4)', () => {
    const { mempool } = setup();
    const a0 = transfer(alice, 0, 10n);
    const a1 = transfer(alice, 1, 1000n);
    const b0 = transfer(bob, 0, 100n, 1000n, addr(alice));
    const b1 = transfer(bob, 1, 100n, 1000n, addr(alice));
    for (const tx of [a0, a1, b0, b1]) mempool.add(tx);
    expect(mempool.candidates().map((t) => transactionId(t))).toEqual([b0, b1, a0, a1].map((t) => transactionId(t)));
    expect(mempool.candidates({ maxTxs: 2 }).map((t) => transactionId(t))).toEqual([b0, b1].map((t) => transactionId(t)));
  });

  it('replaces a pending nonce only for a 10% higher fee (MEM-1)', () => {
    const { mempool } = setup();
    const old = transfer(alice, 0, 1000n);
    mempool.add(old);
    expect(ruleOf(() => mempool.add(transfer(alice, 0, 1099n, 7n)))).toEqual({ rule: 'MEM-1', code: 'NODE_TX_UNDERPRICED' });
    const better = transfer(alice, 0, 1100n, 7n);
    mempool.add(better);
    expect(mempool.pending()).toEqual([transactionId(better)]);
    // A zero fee is replaced by a fee of at least 1 Li.
    const free = transfer(bob, 0, 0n);
    mempool.add(free);
    expect(ruleOf(() => mempool.add(transfer(bob, 0, 0n, 9n)))).toEqual({ rule: 'MEM-1', code: 'NODE_TX_UNDERPRICED' });
    mempool.add(transfer(bob, 0, 1n, 9n));
  });

  it('refuses what cannot apply, naming the rule (MEM-2)', () => {
    const { chain, mempool } = setup();
    const tx = transfer(alice, 0, 1000n);
    expect(ruleOf(() => mempool.add({ ...tx, amount: 2000n }))).toEqual({ rule: 'TX-4', code: 'NODE_TX_SIGNATURE' });
    const other = signTransaction({ ...(tx as UnsignedTransaction), chain: 'zi-other' } as UnsignedTransaction, alice);
    expect(ruleOf(() => mempool.add(other as Transaction))).toEqual({ rule: 'TX-2', code: 'NODE_WRONG_CHAIN' });
    expect(ruleOf(() => mempool.add(transfer(alice, 0, 1000n, 2000n * LI_PER_ZI)))).toEqual({
      rule: 'TX-10',
      code: 'NODE_INSUFFICIENT_FUNDS',
    });
    // Held behind a gap, a transaction is only checked for its fee.
    expect(ruleOf(() => mempool.add(transfer(carol, 3, 6_000n)))).toEqual({ rule: 'TX-10', code: 'NODE_INSUFFICIENT_FUNDS' });
    expect(ruleOf(() => mempool.add(transfer(alice, 5000, 1n)))).toEqual({ rule: 'MEM-3', code: 'NODE_NONCE_TOO_FAR' });
    // The sender's pending transactions count: the second spends what the first left.
    mempool.add(transfer(carol, 0, 1_000n, 3_000n));
    expect(ruleOf(() => mempool.add(transfer(carol, 1, 1_000n, 1_500n)))).toEqual({ rule: 'TX-10', code: 'NODE_INSUFFICIENT_FUNDS' });
    mineBlock(chain, [tx]);
    expect(ruleOf(() => mempool.add(transfer(alice, 0, 2000n, 5n)))).toEqual({ rule: 'TX-9', code: 'NODE_NONCE_USED' });
  });

  it('refuses a payout of indices a pending payout already pays (PAY-5)', () => {
    const { chain, mempool } = setup();
    const code = utf8Bytes('export default (i) => i * 2;');
    const publish = signTransaction(
      {
        type: 'publish',
        chain: genesis.chain,
        from: addr(alice),
        nonce: 0,
        fee: 0n,
        meta: '',
        bundle: cidOfBytes(code),
        code,
        manifest: cidOfBytes(utf8Bytes('{}')),
        name: 'double',
        mcus: 100,
        gasPerMcu: 1000,
        price: 10n,
        budget: 1000n,
      },
      alice,
    );
    mempool.add(publish);
    mineBlock(chain, mempool.candidates());
    const payout = (from: number, count: number) =>
      signTransaction(
        {
          type: 'payout',
          chain: genesis.chain,
          from: addr(alice),
          fee: 1n,
          meta: '',
          contract: transactionId(publish),
          solver: addr(carol),
          ranges: [{ from, count }],
          result: cidOfBytes(utf8Bytes(`${from}`)),
          amount: 10n * BigInt(count),
        },
        alice,
      );
    mempool.add(payout(0, 10));
    expect(ruleOf(() => mempool.add(payout(5, 10)))).toEqual({ rule: 'PAY-5', code: 'NODE_INDEX_PAID' });
    mempool.add(payout(10, 10));
    mineBlock(chain, mempool.candidates());
    expect(mempool.size).toBe(0);
    expect(ruleOf(() => mempool.add(payout(15, 1)))).toEqual({ rule: 'PAY-5', code: 'NODE_INDEX_PAID' });
  });

  it('evicts the lowest fee rate when full (MEM-5)', () => {
    const { mempool } = setup({ maxTxs: 3 });
    const cheap = [transfer(alice, 0, 10n), transfer(alice, 1, 20n), transfer(bob, 0, 30n, 5n, addr(alice))];
    for (const tx of cheap) mempool.add(tx);
    expect(ruleOf(() => mempool.add(transfer(bob, 1, 5n, 5n, addr(alice))))).toEqual({ rule: 'MEM-5', code: 'NODE_MEMPOOL_FULL' });
    const rich = transfer(carol, 0, 1000n, 5n);
    mempool.add(rich);
    // alice's nonce 1 was the cheapest tail; her nonce 0 stays (evicting it would strand nonce 1).
    expect(mempool.pending()).toEqual([cheap[0], cheap[2], rich].map((t) => transactionId(t as Transaction)));
    // A replacement takes its predecessor's place: nothing else is evicted for it.
    const dearer = transfer(carol, 0, 1100n, 5n);
    mempool.add(dearer);
    expect(mempool.pending()).toEqual([cheap[0], cheap[2], dearer].map((t) => transactionId(t as Transaction)));
  });

  it('takes back the transactions of a reorged block and drops those the new chain made replays (MEM-6)', () => {
    const main = setup();
    const fork = setup();
    const kept = transfer(alice, 0, 1000n);
    main.mempool.add(kept);
    mineBlock(main.chain, main.mempool.candidates());
    expect(main.mempool.pending()).toEqual([]);
    // The fork spends bob's nonce 0 otherwise and outgrows the main chain (more work).
    const bobMain = transfer(bob, 0, 500n, 1n);
    main.mempool.add(bobMain);
    const bobFork = transfer(bob, 0, 400n, 2n, addr(carol));
    const forkBlocks = [mineBlock(fork.chain, [bobFork]).bytes, mineBlock(fork.chain, []).bytes];
    expect(main.chain.importBlock(forkBlocks[0] as Uint8Array).status).toBe('side');
    const result = main.chain.importBlock(forkBlocks[1] as Uint8Array);
    expect(result).toMatchObject({ status: 'head', reorgDepth: 1 });
    expect(main.mempool.pending()).toEqual([transactionId(kept)]);
    expect(main.mempool.candidates().map((t) => transactionId(t))).toEqual([transactionId(kept)]);
  });
});
