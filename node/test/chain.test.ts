import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addressOf,
  type BlockHeader,
  blockId,
  cidOfBytes,
  decodeHeader,
  devnetGenesis,
  difficultyAt,
  encodeBlock,
  encodeHeader,
  type GenesisConfig,
  headerMeetsDifficulty,
  type IndexRange,
  LI_PER_ZI,
  MAX_AMOUNT,
  NONCE_BYTES,
  publicKeyOf,
  STAKE_ADDRESS,
  sign,
  signTransaction,
  type Transaction,
  testnetGenesis,
  transactionId,
  transactionSigningBytes,
  transactionsRoot,
  type UnsignedTransaction,
  utf8Bytes,
  workOf,
} from '@zi/spec';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Chain, type ChainEvents } from '../src/chain/chain.js';
import { mineHeaderSync } from '../src/chain/pow-search.js';
import {
  accountKey,
  COUNTERS_KEY,
  contractKey,
  decodeAccount,
  decodeContract,
  decodeCounters,
  decodeSolved,
  decodeStake,
  solvedKey,
  validatorKey,
} from '../src/state/entries.js';
import { RuleError } from '../src/state/rule-error.js';

// --- keys, genesis, transactions ------------------------------------------------------------------

interface Key {
  secretKey: Uint8Array;
  address: string;
}

/** Fixed-seed keys: every run signs the same bytes, so block ids are the same in every run. */
function keyOf(label: string): Key {
  const secretKey = new Uint8Array(createHash('sha256').update(`zi/chain-test/${label}`).digest());
  return { secretKey, address: addressOf(publicKeyOf(secretKey)) };
}

const alice = keyOf('alice');
const bob = keyOf('bob');
const carol = keyOf('carol');
const miner = keyOf('miner');
const rival = keyOf('rival');

/** Block k of a test is at T0 + k s; NOW is far ahead of all of them (BLK-8 never triggers by accident). */
const T0 = 1_700_000_000_000;
const NOW = T0 + 1_000_000_000;
const FUNDS = 1_000_000n * LI_PER_ZI;
const alloc = [alice, bob, carol].map((key) => ({ address: key.address, amount: FUNDS }));

const devnet = devnetGenesis({ time: T0, alloc });
const testnet = testnetGenesis({ time: T0, alloc });

const CODE = utf8Bytes('export default { mcu: (i) => i * 2 };');
const BUNDLE = cidOfBytes(CODE);
const MANIFEST = cidOfBytes(utf8Bytes('{"format":"zi-manifest/1"}'));
const RESULT = cidOfBytes(utf8Bytes('results'));

interface TxOptions {
  fee?: bigint;
  chain?: string;
}

const signed = <T extends UnsignedTransaction>(tx: T, key: Key) => signTransaction(tx, key.secretKey) as unknown as Transaction;

function transfer(from: Key, nonce: number, to: string, amount: bigint, options: TxOptions = {}): Transaction {
  const { fee = 10n, chain = 'zi-devnet' } = options;
  return signed({ type: 'transfer', chain, from: from.address, nonce, fee, meta: '', to, amount }, from);
}

interface PublishOptions extends TxOptions {
  mcus?: number;
  price?: bigint;
  budget?: bigint;
  code?: Uint8Array;
  bundle?: string;
  name?: string;
}

function publish(from: Key, nonce: number, options: PublishOptions = {}): Transaction {
  const { fee = 10n, chain = 'zi-devnet', mcus = 100, price = 3n, budget = 300n, bundle = BUNDLE, name = 'test' } = options;
  const tx = {
    type: 'publish' as const,
    chain,
    from: from.address,
    nonce,
    fee,
    meta: '',
    bundle,
    manifest: MANIFEST,
    name,
    mcus,
    gasPerMcu: 1000,
    price,
    budget,
    ...(options.code ? { code: options.code } : {}),
  };
  return signed(tx, from);
}

function payout(signer: Key, contract: string, solver: string, ranges: IndexRange[], amount: bigint, options: TxOptions = {}): Transaction {
  const { fee = 1n, chain = 'zi-devnet' } = options;
  return signed({ type: 'payout', chain, from: signer.address, fee, meta: '', contract, solver, ranges, result: RESULT, amount }, signer);
}

function close(from: Key, nonce: number, contract: string, options: TxOptions = {}): Transaction {
  const { fee = 10n, chain = 'zi-devnet' } = options;
  return signed({ type: 'close', chain, from: from.address, nonce, fee, meta: '', contract }, from);
}

function stake(kind: 'stake' | 'unstake', from: Key, nonce: number, amount: bigint): Transaction {
  return signed({ type: kind, chain: 'zi-devnet', from: from.address, nonce, fee: 10n, meta: '', amount }, from);
}

// --- chains and blocks ----------------------------------------------------------------------------

let dir = '';
let files = 0;
const opened: Chain[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'zi-chain-test-'));
});
afterEach(() => {
  for (const chain of opened.splice(0)) if (chain.db.open) chain.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const newPath = () => join(dir, `chain-${files++}.db`);

/** A chain in a real SQLite file of the test's temp dir. */
function openChain(genesis: GenesisConfig = devnet, path = newPath(), events: ChainEvents = {}): Chain {
  const chain = Chain.open(path, genesis, events);
  opened.push(chain);
  return chain;
}

/** A scratch chain (in memory) that builds blocks for another chain to import. */
function builder(genesis: GenesisConfig = devnet, prefix: readonly Built[] = []): Chain {
  const chain = Chain.open(':memory:', genesis);
  opened.push(chain);
  for (const block of prefix) expect(chain.importBlock(block.bytes, NOW).status).toBe('head');
  return chain;
}

interface Built {
  id: string;
  bytes: Uint8Array;
  header: BlockHeader;
  txs: Transaction[];
}

interface BlockOptions {
  miner?: Key;
  time?: number;
}

const nextTime = (chain: Chain) => chain.head().time + Math.max(chain.genesis.minInterval, 1000);

function mine(header: Omit<BlockHeader, 'nonce'>, txs: Transaction[]): Built {
  const mined = decodeHeader(mineHeaderSync(header));
  return { id: blockId(mined), bytes: encodeBlock({ header: mined, txs }), header: mined, txs };
}

/** A valid next block: what a miner makes with prepareBlock and the nonce search. */
function make(chain: Chain, txs: Transaction[] = [], options: BlockOptions = {}): Built {
  const prepared = chain.prepareBlock(txs, (options.miner ?? miner).address, options.time ?? nextTime(chain));
  if (prepared.rejected.length > 0) throw new Error(`prepareBlock rejected ${prepared.rejected.map((r) => r.error.message).join('; ')}`);
  return mine(prepared.header, prepared.txs);
}

/** Makes the next block and imports it: it must become the head. */
function add(chain: Chain, txs: Transaction[] = [], options: BlockOptions = {}): Built {
  const block = make(chain, txs, options);
  expect(chain.importBlock(block.bytes, NOW)).toEqual({ id: block.id, status: 'head', height: block.header.height });
  return block;
}

/**
 * A block on the head built by hand: the header prepareBlock gives for an empty block, with the
 * transactions' root and count and any field patched, then mined. Whatever the transactions do,
 * the header is well-formed, so the import reaches the rule under test.
 */
function forge(chain: Chain, txs: Transaction[], patch: Partial<Omit<BlockHeader, 'nonce'>> = {}, options: BlockOptions = {}): Built {
  const base = chain.prepareBlock([], (options.miner ?? miner).address, options.time ?? nextTime(chain)).header;
  return mine({ ...base, txRoot: transactionsRoot(txs), txCount: txs.length, ...patch }, txs);
}

/** A child of any header (valid or not) with an empty body and the difficulty rule's value for `openContracts`. */
function childOf(genesis: GenesisConfig, parent: BlockHeader, openContracts = 0, stateRoot = new Uint8Array(32).fill(9)): Built {
  const height = parent.height + 1;
  return mine(
    {
      version: 1,
      chain: genesis.chain,
      parent: blockId(parent),
      height,
      time: parent.time + Math.max(genesis.minInterval, 1000),
      difficulty: difficultyAt(genesis, height, openContracts),
      miner: miner.address,
      txRoot: transactionsRoot([]),
      txCount: 0,
      stateRoot,
    },
    [],
  );
}

/** Builds `count` blocks on `prefix` in a scratch chain; `txsAt(i, chain)` gives block i's transactions. */
function branch(
  prefix: readonly Built[],
  count: number,
  txsAt: (i: number, chain: Chain) => Transaction[],
  who: Key,
  genesis: GenesisConfig = devnet,
): { blocks: Built[]; states: Tables[] } {
  const chain = builder(genesis, prefix);
  const blocks: Built[] = [];
  const states: Tables[] = [];
  for (let i = 0; i < count; i++) {
    blocks.push(add(chain, txsAt(i, chain), { miner: who }));
    states.push(tables(chain));
  }
  return { blocks, states };
}

// --- reading state --------------------------------------------------------------------------------

const account = (chain: Chain, address: string) => decodeAccount(chain.state.get(accountKey(address)));
const balance = (chain: Chain, address: string) => account(chain, address).balance;
const nonceOf = (chain: Chain, key: Key) => account(chain, key.address).nonce;
const openCount = (chain: Chain) => decodeCounters(chain.state.get(COUNTERS_KEY)).openContracts;

function contractOf(chain: Chain, id: string) {
  const bytes = chain.state.get(contractKey(id));
  if (!bytes) throw new Error(`no contract ${id}`);
  return decodeContract(bytes);
}

type Tables = Record<'head' | 'state' | 'main' | 'undo' | 'txs', string[] | string>;

const hex = (value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : String(value));

/** Everything a block import writes besides the block store: state, main chain, undo records, tx index. */
function tables(chain: Chain): Tables {
  const rows = (sql: string) => (chain.db.prepare(sql).raw().all() as unknown[][]).map((row) => row.map((value) => hex(value)).join(' '));
  return {
    head: chain.head().id,
    state: rows('SELECT key, value FROM state ORDER BY key'),
    main: rows('SELECT height, id FROM main ORDER BY height'),
    undo: rows('SELECT block, seq, key, value FROM undo ORDER BY block, seq'),
    txs: rows('SELECT id, block, idx, type, sender, contract FROM txs ORDER BY id'),
  };
}

function importError(chain: Chain, bytes: Uint8Array, now = NOW): RuleError {
  try {
    chain.importBlock(bytes, now);
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error('the block was accepted');
}

/** The import fails with exactly this rule and code, and head, state, main chain and undo records do not move. */
function expectRejected(chain: Chain, bytes: Uint8Array, rule: string, code: string, now = NOW): RuleError {
  const before = tables(chain);
  const error = importError(chain, bytes, now);
  expect({ rule: error.rule, code: error.code }).toEqual({ rule, code });
  expect(tables(chain)).toEqual(before);
  return error;
}

/** A chain with one open contract of alice (100 MCUs at 3 Li, budget 300 Li). */
function withContract(options: PublishOptions = {}): { chain: Chain; contract: string } {
  const chain = openChain();
  const tx = publish(alice, 0, options);
  add(chain, [tx]);
  return { chain, contract: transactionId(tx) };
}

// --- tests ----------------------------------------------------------------------------------------

describe('opening a chain', () => {
  it('creates the genesis block once and reopens the same chain', () => {
    const path = newPath();
    const first = openChain(devnet, path);
    const genesisHead = first.head();
    expect(genesisHead).toMatchObject({ id: first.genesisId, height: 0, time: T0 });
    expect(balance(first, alice.address)).toBe(FUNDS);
    const block = add(first, [transfer(alice, 0, bob.address, 5n)]);
    const before = tables(first);
    first.close();

    const again = openChain(devnet, path);
    expect(tables(again)).toEqual(before);
    expect(again.idAt(0)).toBe(genesisHead.id);
    expect(again.idAt(1)).toBe(block.id);
    expect(again.db.prepare('SELECT COUNT(*) AS n FROM blocks WHERE height = 0').get()).toEqual({ n: 1 });
  });

  it('refuses a database made for another genesis (NODE_GENESIS_MISMATCH) and leaves it usable', () => {
    const path = newPath();
    openChain(devnet, path).close();
    const other = devnetGenesis({ time: T0 + 1, alloc });
    expect(() => Chain.open(path, other)).toThrow(expect.objectContaining({ code: 'NODE_GENESIS_MISMATCH' }));
    expect(() => Chain.open(path, testnet)).toThrow(expect.objectContaining({ code: 'NODE_GENESIS_MISMATCH' }));
    expect(openChain(devnet, path).head().height).toBe(0);
  });
});

describe('blocks, rewards and fees', () => {
  it('extends the head block by block and pays the reward for every block, empty ones included (BLK-9)', () => {
    const chain = openChain();
    const blocks = [add(chain), add(chain), add(chain)];
    expect(chain.head()).toMatchObject({ id: blocks[2]?.id, height: 3, work: 3n });
    blocks.forEach((block, i) => {
      expect(chain.idAt(i + 1)).toBe(block.id);
      expect(chain.isMain(block.id)).toBe(true);
      expect(new Uint8Array(chain.blockBytes(block.id) ?? [])).toEqual(block.bytes);
    });
    expect(balance(chain, miner.address)).toBe(3n * devnet.reward);
    expect(chain.importBlock(blocks[1]?.bytes as Uint8Array, NOW)).toEqual({ id: blocks[1]?.id, status: 'known', height: 2 });
  });

  it('moves transfers, takes nonces and gives every fee to the miner (TX-9, TX-10)', () => {
    const chain = openChain();
    add(chain, [transfer(alice, 0, bob.address, 1_000n, { fee: 10n }), transfer(alice, 1, carol.address, 2_000n, { fee: 25n })], {
      miner: rival,
    });
    expect(account(chain, alice.address)).toEqual({ balance: FUNDS - 3_035n, nonce: 2 });
    expect(account(chain, bob.address)).toEqual({ balance: FUNDS + 1_000n, nonce: 0 });
    expect(balance(chain, carol.address)).toBe(FUNDS + 2_000n);
    expect(balance(chain, rival.address)).toBe(devnet.reward + 35n);
  });

  it('prepareBlock keeps what applies, drops the rest with its rule, and respects blockTxs', () => {
    const chain = openChain({ ...devnet, limits: { ...devnet.limits, blockTxs: 2 } });
    const used = transfer(alice, 0, bob.address, 1n);
    const prepared = chain.prepareBlock(
      [used, used, transfer(bob, 5, alice.address, 1n), transfer(bob, 0, alice.address, 1n), transfer(carol, 0, alice.address, 1n)],
      miner.address,
      T0 + 1000,
    );
    expect(prepared.txs).toEqual([used, transfer(bob, 0, alice.address, 1n)]);
    expect(prepared.rejected.map((r) => r.error.code)).toEqual(['NODE_NONCE_USED', 'NODE_NONCE_GAP']);
  });
});

describe('the contract market: publish, payouts, close', () => {
  it('locks the budget in escrow, pays solvers from it, merges solved ranges and refunds on close', () => {
    const chain = openChain();
    const pub = publish(alice, 0, { mcus: 100, price: 3n, budget: 1_000n, fee: 7n });
    const id = transactionId(pub);
    add(chain, [pub]);
    expect(contractOf(chain, id)).toMatchObject({ bidder: alice.address, escrow: 1_000n, budget: 1_000n, status: 'open', height: 1 });
    expect(balance(chain, alice.address)).toBe(FUNDS - 1_007n);
    expect(openCount(chain)).toBe(1);

    const minerBefore = balance(chain, miner.address);
    add(chain, [payout(alice, id, carol.address, [{ from: 0, count: 10 }], 30n, { fee: 2n })]);
    expect(balance(chain, carol.address)).toBe(FUNDS + 28n);
    expect(balance(chain, miner.address)).toBe(minerBefore + devnet.reward + 2n);
    expect(contractOf(chain, id)).toMatchObject({ escrow: 970n, paid: 10, spent: 30n, payouts: 1 });
    expect(decodeSolved(chain.state.get(solvedKey(id)))).toEqual([{ from: 0, count: 10 }]);

    // Adjacent ranges merge into one (RNG-2): [0,10) + [10,15) = [0,15).
    add(chain, [payout(alice, id, carol.address, [{ from: 10, count: 5 }], 15n)]);
    expect(decodeSolved(chain.state.get(solvedKey(id)))).toEqual([{ from: 0, count: 15 }]);
    // A gap stays a gap, two payouts in one block apply in order, and filling the gap joins all three.
    add(chain, [
      payout(alice, id, bob.address, [{ from: 20, count: 5 }], 15n),
      payout(
        alice,
        id,
        bob.address,
        [
          { from: 30, count: 2 },
          { from: 40, count: 2 },
        ],
        12n,
      ),
    ]);
    expect(decodeSolved(chain.state.get(solvedKey(id)))).toEqual([
      { from: 0, count: 15 },
      { from: 20, count: 5 },
      { from: 30, count: 2 },
      { from: 40, count: 2 },
    ]);
    add(chain, [
      payout(alice, id, bob.address, [{ from: 15, count: 5 }], 15n),
      payout(alice, id, bob.address, [{ from: 25, count: 5 }], 15n),
    ]);
    expect(decodeSolved(chain.state.get(solvedKey(id)))).toEqual([
      { from: 0, count: 32 },
      { from: 40, count: 2 },
    ]);
    expect(contractOf(chain, id)).toMatchObject({ escrow: 1_000n - 34n * 3n, paid: 34, spent: 102n, payouts: 6 });

    const aliceBefore = balance(chain, alice.address);
    add(chain, [close(alice, 1, id, { fee: 4n })]);
    expect(balance(chain, alice.address)).toBe(aliceBefore + 898n - 4n);
    expect(contractOf(chain, id)).toMatchObject({ status: 'closed', escrow: 0n });
    expect(openCount(chain)).toBe(0);
  });

  it('stakes move to the stake address and come back (STK-1, UNS-1)', () => {
    const chain = openChain();
    add(chain, [stake('stake', bob, 0, 500n)]);
    expect(decodeStake(chain.state.get(validatorKey(bob.address)))).toBe(500n);
    expect(balance(chain, STAKE_ADDRESS)).toBe(500n);
    add(chain, [stake('unstake', bob, 1, 200n)]);
    expect(decodeStake(chain.state.get(validatorKey(bob.address)))).toBe(300n);
    add(chain, [stake('unstake', bob, 2, 300n)]);
    expect(chain.state.get(validatorKey(bob.address))).toBeUndefined();
    expect(balance(chain, STAKE_ADDRESS)).toBe(0n);
    expect(balance(chain, bob.address)).toBe(FUNDS - 30n);
  });

  it('the open-contract count of the parent state sets the difficulty (BLK-10, DIF-1)', () => {
    // D = log2(h) / max(P, 1) bits: open contracts lower it.
    const steep: GenesisConfig = {
      ...devnet,
      chain: 'zi-steep',
      difficulty: { c1: { num: 1, den: 1 }, c2: { num: 1, den: 1 }, c3: { num: 1, den: 1 }, ct: { num: 0, den: 1 }, floor: 0 },
    };
    const opts = { chain: 'zi-steep' };
    const chain = openChain(steep);
    const first = publish(alice, 0, { ...opts, name: 'one' });
    const second = publish(alice, 1, { ...opts, name: 'two' });
    expect(add(chain, [first, second]).header.difficulty).toBe(difficultyAt(steep, 1, 0));
    expect(openCount(chain)).toBe(2);
    expect(add(chain).header.difficulty).toBe(difficultyAt(steep, 2, 2));
    add(chain);
    expect(difficultyAt(steep, 4, 2)).toBe(65536);
    expectRejected(chain, forge(chain, [], { difficulty: difficultyAt(steep, 4, 0) }).bytes, 'BLK-10', 'NODE_BLOCK_DIFFICULTY');
    const fourth = add(chain, [close(alice, 2, transactionId(first), opts)]);
    expect(fourth.header.difficulty).toBe(65536);
    expect(openCount(chain)).toBe(1);
    expect(add(chain).header.difficulty).toBe(difficultyAt(steep, 5, 1));
    expect(difficultyAt(steep, 5, 1)).not.toBe(difficultyAt(steep, 5, 2));
  });
});

describe('every rule: a block that breaks it is rejected and changes nothing', () => {
  it('TX-2: a transaction for another chain', () => {
    const chain = openChain();
    expectRejected(chain, forge(chain, [transfer(alice, 0, bob.address, 1n, { chain: 'zi-other' })]).bytes, 'TX-2', 'NODE_WRONG_CHAIN');
  });

  it('TX-4: a signature changed after signing, or made by another key', () => {
    const chain = openChain();
    add(chain);
    const good = transfer(alice, 0, bob.address, 1n);
    const prepared = chain.prepareBlock([transfer(bob, 0, alice.address, 1n), good], miner.address, nextTime(chain));
    expect(prepared.txs).toHaveLength(2);
    const sig = good.sig.slice();
    sig[5] = (sig[5] as number) ^ 0x10;
    const txs = [prepared.txs[0] as Transaction, { ...good, sig }];
    expectRejected(chain, mine({ ...prepared.header, txRoot: transactionsRoot(txs) }, txs).bytes, 'TX-4', 'NODE_TX_SIGNATURE');
    const unsigned = {
      type: 'transfer' as const,
      chain: 'zi-devnet',
      from: alice.address,
      nonce: 0,
      fee: 1n,
      meta: '',
      to: bob.address,
      amount: 1n,
    };
    const byBob = { ...unsigned, sig: sign(transactionSigningBytes(unsigned), bob.secretKey) };
    expectRejected(chain, forge(chain, [byBob]).bytes, 'TX-4', 'NODE_TX_SIGNATURE');
  });

  it('TX-7: a transaction malformed on its own (a payout fee above its amount)', () => {
    const chain = openChain();
    const unsigned = {
      type: 'payout' as const,
      chain: 'zi-devnet',
      from: alice.address,
      fee: 31n,
      meta: '',
      contract: transactionId(publish(alice, 0)),
      solver: bob.address,
      ranges: [{ from: 0, count: 10 }],
      result: RESULT,
      amount: 30n,
    };
    const tx = { ...unsigned, sig: sign(transactionSigningBytes(unsigned), alice.secretKey) };
    expectRejected(chain, forge(chain, [tx]).bytes, 'TX-7', 'SPEC_PAYOUT_FEE');
  });

  it('TX-9: a nonce used before (in an earlier block or the same one) or ahead of the account', () => {
    const chain = openChain();
    add(chain, [transfer(alice, 0, bob.address, 1n)]);
    expectRejected(chain, forge(chain, [transfer(alice, 0, bob.address, 2n)]).bytes, 'TX-9', 'NODE_NONCE_USED');
    expectRejected(chain, forge(chain, [transfer(alice, 2, bob.address, 2n)]).bytes, 'TX-9', 'NODE_NONCE_GAP');
    const twice = transfer(alice, 1, bob.address, 2n);
    expectRejected(chain, forge(chain, [twice, twice]).bytes, 'TX-9', 'NODE_NONCE_USED');
  });

  it('TX-10: a sender that cannot pay amount plus fee', () => {
    const chain = openChain();
    expectRejected(
      chain,
      forge(chain, [transfer(alice, 0, bob.address, FUNDS - 9n, { fee: 10n })]).bytes,
      'TX-10',
      'NODE_INSUFFICIENT_FUNDS',
    );
    add(chain, [transfer(alice, 0, bob.address, FUNDS - 10n, { fee: 10n })]);
    expect(balance(chain, alice.address)).toBe(0n);
    // Publishing takes budget + fee; the rule cited is PUB-4, which says what the sender pays.
    expectRejected(chain, forge(chain, [publish(bob, 0, { budget: 2n * FUNDS })]).bytes, 'PUB-4', 'NODE_INSUFFICIENT_FUNDS');
    // A close whose fee the refund cannot cover.
    const { chain: other, contract } = withContract({ budget: 300n });
    add(other, [transfer(alice, 1, bob.address, balance(other, alice.address) - 10n, { fee: 10n })]);
    expectRejected(other, forge(other, [close(alice, 2, contract, { fee: 301n })]).bytes, 'TX-10', 'NODE_INSUFFICIENT_FUNDS');
  });

  it('TX-11: fund votes, audit votes and appeals are not enabled yet', () => {
    const chain = openChain();
    const common = { chain: 'zi-devnet', from: alice.address, nonce: 0, fee: 1n, meta: '' };
    const subject = transactionId(transfer(bob, 0, alice.address, 1n));
    const txs = [
      signed({ type: 'fund-vote', ...common, candidate: bob.address }, alice),
      signed({ type: 'audit-vote', ...common, subject, verdict: 'invalid' as const }, alice),
      signed({ type: 'appeal', ...common, subject, deposit: 1n }, alice),
    ];
    for (const tx of txs) expectRejected(chain, forge(chain, [tx]).bytes, 'TX-11', 'NODE_TX_NOT_ENABLED');
  });

  it('AMT-2: a balance that would pass 2^64 - 1 Li (here the miner reward itself)', () => {
    const rich: GenesisConfig = { ...devnet, alloc: [{ address: alice.address, amount: MAX_AMOUNT - LI_PER_ZI }] };
    const chain = openChain(rich);
    expect(() => chain.prepareBlock([], alice.address, T0 + 1000)).toThrow(RuleError);
    expectRejected(chain, forge(chain, [], { miner: alice.address }).bytes, 'AMT-2', 'NODE_BALANCE_OVERFLOW');
    expectRejected(
      chain,
      forge(chain, [transfer(alice, 0, miner.address, MAX_AMOUNT - 10n * LI_PER_ZI)]).bytes,
      'AMT-2',
      'NODE_BALANCE_OVERFLOW',
    );
  });

  it('TRF-1: a transfer to the stake address', () => {
    const chain = openChain();
    expectRejected(chain, forge(chain, [transfer(alice, 0, STAKE_ADDRESS, 1n)]).bytes, 'TRF-1', 'NODE_TRANSFER_TO_STAKE');
  });

  it('PUB-2: inline code that does not hash to the bundle CID', () => {
    const chain = openChain();
    const tx = publish(alice, 0, { code: utf8Bytes('something else'), bundle: BUNDLE });
    expectRejected(chain, forge(chain, [tx]).bytes, 'PUB-2', 'NODE_BUNDLE_MISMATCH');
    add(chain, [publish(alice, 0, { code: CODE, bundle: BUNDLE })]);
  });

  it('PUB-4: a budget below price × min(mcus, minEscrowMcus)', () => {
    const chain = openChain();
    expectRejected(
      chain,
      forge(chain, [publish(alice, 0, { mcus: 5000, price: 2n, budget: 1999n })]).bytes,
      'PUB-4',
      'NODE_ESCROW_TOO_SMALL',
    );
    expectRejected(chain, forge(chain, [publish(alice, 0, { mcus: 10, price: 2n, budget: 19n })]).bytes, 'PUB-4', 'NODE_ESCROW_TOO_SMALL');
    add(chain, [publish(alice, 0, { mcus: 10, price: 2n, budget: 20n }), publish(alice, 1, { mcus: 5000, price: 2n, budget: 2000n })]);
  });

  it('PAY-1: a payout for an unknown or a closed contract', () => {
    const { chain, contract } = withContract();
    const unknown = transactionId(publish(bob, 0));
    expectRejected(
      chain,
      forge(chain, [payout(alice, unknown, bob.address, [{ from: 0, count: 1 }], 3n)]).bytes,
      'PAY-1',
      'NODE_CONTRACT_UNKNOWN',
    );
    add(chain, [close(alice, 1, contract)]);
    expectRejected(
      chain,
      forge(chain, [payout(alice, contract, bob.address, [{ from: 0, count: 1 }], 3n)]).bytes,
      'PAY-1',
      'NODE_CONTRACT_CLOSED',
    );
  });

  it('PAY-2: ranges that reach past the contract’s MCUs', () => {
    const { chain, contract } = withContract({ mcus: 100 });
    const ranges = [
      { from: 0, count: 1 },
      { from: 95, count: 6 },
    ];
    expectRejected(chain, forge(chain, [payout(alice, contract, bob.address, ranges, 21n)]).bytes, 'PAY-2', 'NODE_PAYOUT_RANGE');
    add(chain, [payout(alice, contract, bob.address, [{ from: 90, count: 10 }], 30n)]);
  });

  it('PAY-3: a payout signed by someone other than the bidder', () => {
    const { chain, contract } = withContract();
    expectRejected(
      chain,
      forge(chain, [payout(bob, contract, bob.address, [{ from: 0, count: 1 }], 3n)]).bytes,
      'PAY-3',
      'NODE_PAYOUT_SIGNER',
    );
  });

  it('PAY-4: an amount other than price × indices', () => {
    const { chain, contract } = withContract({ price: 3n });
    for (const amount of [29n, 31n]) {
      expectRejected(
        chain,
        forge(chain, [payout(alice, contract, bob.address, [{ from: 0, count: 10 }], amount)]).bytes,
        'PAY-4',
        'NODE_PAYOUT_AMOUNT',
      );
    }
  });

  it('PAY-5: an index paid twice, in the same block or across blocks', () => {
    const { chain, contract } = withContract();
    const first = payout(alice, contract, bob.address, [{ from: 0, count: 10 }], 30n);
    const overlapping = payout(alice, contract, carol.address, [{ from: 5, count: 10 }], 30n);
    expectRejected(chain, forge(chain, [first, overlapping]).bytes, 'PAY-5', 'NODE_INDEX_PAID');
    expectRejected(chain, forge(chain, [first, first]).bytes, 'PAY-5', 'NODE_INDEX_PAID');
    add(chain, [first]);
    expectRejected(chain, forge(chain, [first]).bytes, 'PAY-5', 'NODE_INDEX_PAID');
    expectRejected(chain, forge(chain, [overlapping]).bytes, 'PAY-5', 'NODE_INDEX_PAID');
    const inside = payout(alice, contract, carol.address, [{ from: 9, count: 1 }], 3n);
    expectRejected(chain, forge(chain, [inside]).bytes, 'PAY-5', 'NODE_INDEX_PAID');
  });

  it('PAY-6: a payout the escrow cannot cover', () => {
    // 2,000 MCUs at 1 Li need only 1,000 Li of escrow (PUB-4), so the escrow runs out halfway.
    const { chain, contract } = withContract({ mcus: 2000, price: 1n, budget: 1000n });
    expectRejected(
      chain,
      forge(chain, [payout(alice, contract, bob.address, [{ from: 0, count: 1001 }], 1001n)]).bytes,
      'PAY-6',
      'NODE_ESCROW_EXHAUSTED',
    );
    add(chain, [payout(alice, contract, bob.address, [{ from: 0, count: 1000 }], 1000n)]);
    expect(contractOf(chain, contract).escrow).toBe(0n);
    expectRejected(
      chain,
      forge(chain, [payout(alice, contract, bob.address, [{ from: 1000, count: 1 }], 1n)]).bytes,
      'PAY-6',
      'NODE_ESCROW_EXHAUSTED',
    );
  });

  it('CLS-1: a close by someone other than the bidder, of an unknown contract, or a second close', () => {
    const { chain, contract } = withContract();
    expectRejected(chain, forge(chain, [close(bob, 0, contract)]).bytes, 'CLS-1', 'NODE_NOT_BIDDER');
    expectRejected(chain, forge(chain, [close(alice, 1, transactionId(publish(bob, 0)))]).bytes, 'CLS-1', 'NODE_CONTRACT_UNKNOWN');
    expectRejected(chain, forge(chain, [close(alice, 1, contract), close(alice, 2, contract)]).bytes, 'CLS-1', 'NODE_CONTRACT_CLOSED');
    add(chain, [close(alice, 1, contract)]);
    expectRejected(chain, forge(chain, [close(alice, 2, contract)]).bytes, 'CLS-1', 'NODE_CONTRACT_CLOSED');
  });

  it('UNS-1: unstaking more than the stake', () => {
    const chain = openChain();
    expectRejected(chain, forge(chain, [stake('unstake', bob, 0, 1n)]).bytes, 'UNS-1', 'NODE_STAKE_TOO_SMALL');
    add(chain, [stake('stake', bob, 0, 100n)]);
    expectRejected(chain, forge(chain, [stake('unstake', bob, 1, 101n)]).bytes, 'UNS-1', 'NODE_STAKE_TOO_SMALL');
  });

  it('ENC-3 and BLK-4: bytes that are no block, a txRoot or txCount that does not match the body', () => {
    const chain = openChain();
    expect(importError(chain, new Uint8Array([0xa2, 0x00])).rule).toBe('ENC-3');
    const txs = [transfer(alice, 0, bob.address, 1n)];
    expectRejected(chain, forge(chain, txs, { txRoot: new Uint8Array(32) }).bytes, 'BLK-4', 'SPEC_BLOCK_TX_ROOT');
    expectRejected(chain, forge(chain, txs, { txCount: 2 }).bytes, 'BLK-4', 'SPEC_BLOCK_TX_COUNT');
  });

  it('BLK-3: more transactions or more bytes than the genesis limits', () => {
    const small: GenesisConfig = { ...devnet, limits: { blockBytes: 2_000, blockTxs: 2 } };
    const chain = openChain(small);
    const txs = [0, 1, 2].map((nonce) => transfer(alice, nonce, bob.address, 1n));
    expectRejected(chain, forge(chain, txs).bytes, 'BLK-3', 'NODE_BLOCK_TOO_MANY_TXS');
    const code = new Uint8Array(3_000).fill(7);
    const big = forge(chain, [publish(alice, 0, { code, bundle: cidOfBytes(code) })]);
    expect(big.bytes.length).toBeGreaterThan(2_000);
    expectRejected(chain, big.bytes, 'BLK-3', 'NODE_BLOCK_TOO_LARGE');
    add(chain, txs.slice(0, 2));
  });

  it('BLK-6: a wrong height, another chain, an unknown version, no parent, an invalid parent', () => {
    const chain = openChain();
    add(chain);
    const head = chain.head();
    expectRejected(chain, forge(chain, [], { height: head.height + 2 }).bytes, 'BLK-6', 'NODE_BLOCK_HEIGHT');
    expectRejected(chain, forge(chain, [], { height: head.height }).bytes, 'BLK-6', 'NODE_BLOCK_HEIGHT');
    expectRejected(chain, forge(chain, [], { chain: 'zi-other' }).bytes, 'BLK-6', 'NODE_WRONG_CHAIN');
    expectRejected(chain, forge(chain, [], { version: 2 }).bytes, 'BLK-6', 'NODE_BLOCK_VERSION');
    const { parent: _parent, ...orphanless } = forge(chain, []).header;
    expectRejected(chain, mine(orphanless, []).bytes, 'BLK-6', 'NODE_BLOCK_SECOND_GENESIS');
    const bad = forge(chain, [], { stateRoot: new Uint8Array(32) });
    expectRejected(chain, bad.bytes, 'BLK-12', 'NODE_BLOCK_STATE_ROOT');
    expectRejected(chain, childOf(devnet, bad.header).bytes, 'BLK-6', 'NODE_PARENT_INVALID');
  });

  it('BLK-7: a block less than T after its parent (testnet, T = 10 s)', () => {
    const chain = openChain(testnet);
    expectRejected(chain, make(chain, [], { time: T0 + 9_999 }).bytes, 'BLK-7', 'NODE_BLOCK_TOO_EARLY');
    add(chain, [], { time: T0 + 10_000 });
    expectRejected(chain, make(chain, [], { time: T0 + 10_000 }).bytes, 'BLK-7', 'NODE_BLOCK_TOO_EARLY');
  });

  it('BLK-8: a block more than maxFuture ahead of the clock is held back, not stored, and taken later', () => {
    const chain = openChain();
    const now = T0 + 50_000;
    const block = make(chain, [], { time: now + devnet.maxFuture + 1 });
    const before = tables(chain);
    expect(chain.importBlock(block.bytes, now)).toEqual({ id: block.id, status: 'future', height: 1 });
    expect(tables(chain)).toEqual(before);
    expect(chain.blockBytes(block.id)).toBeUndefined();
    expect(chain.importBlock(block.bytes, now + 1)).toEqual({ id: block.id, status: 'head', height: 1 });
  });

  it('BLK-10: a difficulty other than the rule’s, above or below', () => {
    const chain = openChain();
    for (let i = 0; i < 3; i++) add(chain);
    const expected = difficultyAt(devnet, 4, 0);
    expect(expected).toBeGreaterThan(0);
    expectRejected(chain, forge(chain, [], { difficulty: expected + 65536 }).bytes, 'BLK-10', 'NODE_BLOCK_DIFFICULTY');
    expectRejected(chain, forge(chain, [], { difficulty: expected - 1 }).bytes, 'BLK-10', 'NODE_BLOCK_DIFFICULTY');
  });

  it('BLK-11: a header that does not meet its difficulty, or claims less than the floor (testnet, 12 bits)', () => {
    const chain = openChain(testnet);
    const { header } = chain.prepareBlock([], miner.address, T0 + 10_000);
    expect(header.difficulty).toBe(testnet.difficulty.floor);
    const nonce = new Uint8Array(NONCE_BYTES);
    while (headerMeetsDifficulty(encodeHeader({ ...header, nonce }))) nonce[7] = (nonce[7] as number) + 1;
    expectRejected(chain, encodeBlock({ header: { ...header, nonce }, txs: [] }), 'BLK-11', 'NODE_BLOCK_POW');
    expectRejected(chain, mine({ ...header, difficulty: 0 }, []).bytes, 'BLK-11', 'NODE_BLOCK_POW');
    add(chain, [], { time: T0 + 10_000 });
  });

  it('BLK-12: a wrong state root; the block is remembered invalid', () => {
    const chain = openChain();
    const good = make(chain, [transfer(alice, 0, bob.address, 1n)]);
    const bad = mine({ ...good.header, stateRoot: new Uint8Array(32).fill(7) }, good.txs);
    expectRejected(chain, bad.bytes, 'BLK-12', 'NODE_BLOCK_STATE_ROOT');
    expectRejected(chain, bad.bytes, 'BLK-12', 'NODE_BLOCK_INVALID');
    expect(chain.importBlock(good.bytes, NOW).status).toBe('head');
  });
});

describe('fork choice and reorganisations (BLK-13)', () => {
  /** Three blocks every branch below shares: a transfer, a contract, a payout. */
  function commonPrefix(): { blocks: Built[]; contract: string } {
    const pub = publish(bob, 0, { mcus: 1000, price: 2n, budget: 2000n });
    const contract = transactionId(pub);
    const { blocks } = branch(
      [],
      3,
      (i) =>
        [[transfer(alice, 0, carol.address, 100n)], [pub], [payout(bob, contract, carol.address, [{ from: 0, count: 10 }], 20n)]][i] ?? [],
      miner,
    );
    return { blocks, contract };
  }

  /** Blocks that move different money in each branch, so a reorg has state to undo and redo. */
  function busy(who: Key, contract: string, salt: bigint) {
    return (i: number, chain: Chain): Transaction[] => [
      transfer(alice, nonceOf(chain, alice), who.address, 1_000n + salt + BigInt(i)),
      transfer(carol, nonceOf(chain, carol), bob.address, 7n * salt + 1n),
      payout(bob, contract, who.address, [{ from: 100 + i * 20 + Number(salt), count: 3 }], 6n),
      ...(i === 1
        ? [publish(carol, nonceOf(chain, carol) + 1, { name: `c${salt}` }), stake('stake', alice, nonceOf(chain, alice) + 1, 50n + salt)]
        : []),
    ];
  }

  function fresh(blocks: readonly Built[]): Tables {
    const chain = openChain();
    for (const block of blocks) chain.importBlock(block.bytes, NOW);
    return tables(chain);
  }

  function importAll(chain: Chain, blocks: readonly Built[]): string[] {
    return blocks.map((block) => chain.importBlock(block.bytes, NOW).status);
  }

  it('reorgs of depth 1 and 5 roll state back and forward to exactly what the winning branch gives', () => {
    const { blocks: prefix, contract } = commonPrefix();
    const a = branch(prefix, 7, busy(miner, contract, 1n), miner).blocks;
    const b = branch(prefix, 6, busy(rival, contract, 2n), rival).blocks;
    const heads: { id: string; disconnected: number; connected: number }[] = [];
    const chain = openChain(devnet, newPath(), {
      onHead: (head, reorg) => heads.push({ id: head.id, disconnected: reorg.disconnected.length, connected: reorg.connected.length }),
    });
    importAll(chain, [...prefix, ...a.slice(0, 5)]);
    const onA5 = tables(chain);
    expect(onA5).toEqual(fresh([...prefix, ...a.slice(0, 5)]));

    // Equal work keeps the first-seen head.
    expect(importAll(chain, b.slice(0, 5))).toEqual(['side', 'side', 'side', 'side', 'side']);
    expect(tables(chain)).toEqual(onA5);
    // One more block of b: more work, a reorg of depth 5.
    const last = b[5] as Built;
    expect(chain.importBlock(last.bytes, NOW)).toEqual({ id: last.id, status: 'head', height: 9, reorgDepth: 5 });
    expect(tables(chain)).toEqual(fresh([...prefix, ...b]));
    expect(heads.at(-1)).toEqual({ id: last.id, disconnected: 5, connected: 6 });
    for (const block of a.slice(0, 5)) expect(chain.isMain(block.id)).toBe(false);

    // And back: a grows to 7 blocks, 6 of b come off.
    expect(chain.importBlock((a[5] as Built).bytes, NOW).status).toBe('side');
    expect(chain.importBlock((a[6] as Built).bytes, NOW)).toMatchObject({ status: 'head', height: 10, reorgDepth: 6 });
    expect(tables(chain)).toEqual(fresh([...prefix, ...a]));

    // Depth 1: two rival blocks on the prefix replace a single one.
    const single = openChain();
    importAll(single, [...prefix, a[0] as Built]);
    expect(importAll(single, [b[0] as Built])).toEqual(['side']);
    expect(single.importBlock((b[1] as Built).bytes, NOW)).toMatchObject({ status: 'head', reorgDepth: 1 });
    expect(tables(single)).toEqual(fresh([...prefix, b[0] as Built, b[1] as Built]));
  });

  it('a transaction on both branches ends up indexed at its block of the winning branch', () => {
    const { blocks: prefix } = commonPrefix();
    const shared = (chain: Chain) => [transfer(bob, nonceOf(chain, bob), carol.address, 77n)];
    const a = branch(prefix, 1, (_i, chain) => shared(chain), miner).blocks;
    const b = branch(prefix, 2, (i, chain) => (i === 1 ? shared(chain) : []), rival).blocks;
    expect(transactionId((a[0] as Built).txs[0] as Transaction)).toBe(transactionId((b[1] as Built).txs[0] as Transaction));
    const chain = openChain();
    importAll(chain, [...prefix, ...a, ...b]);
    expect(chain.head().id).toBe(b[1]?.id);
    expect(tables(chain)).toEqual(fresh([...prefix, ...b]));
  });

  it('follows work, not height: a shorter branch with more work wins and the main index above it is gone', () => {
    // D = log2(h) / max(P, 1) bits: a branch with 4 open contracts mines easier blocks.
    const steep: GenesisConfig = {
      ...devnet,
      chain: 'zi-steep',
      difficulty: { c1: { num: 1, den: 1 }, c2: { num: 1, den: 1 }, c3: { num: 1, den: 1 }, ct: { num: 0, den: 1 }, floor: 0 },
    };
    const contracts = (i: number) => (i === 0 ? [0, 1, 2, 3].map((n) => publish(alice, n, { chain: 'zi-steep', name: `p${n}` })) : []);
    const easy = branch([], 6, contracts, miner, steep);
    const hard = branch([], 4, () => [], rival, steep);
    const workOfBranch = (blocks: Built[]) => blocks.reduce((sum, block) => sum + workOf(block.header.difficulty), 0n);
    expect(workOfBranch(hard.blocks)).toBeGreaterThan(workOfBranch(easy.blocks));

    const path = newPath();
    const chain = openChain(steep, path);
    for (const block of easy.blocks) chain.importBlock(block.bytes, NOW);
    expect(chain.head().height).toBe(6);
    const statuses = hard.blocks.map((block) => chain.importBlock(block.bytes, NOW));
    expect(statuses.at(-1)).toMatchObject({ status: 'head', height: 4, reorgDepth: 6 });
    expect(chain.idAt(5)).toBeUndefined();
    expect(chain.idAt(6)).toBeUndefined();
    expect(tables(chain)).toEqual(hard.states.at(-1));
    chain.close();
    expect(tables(openChain(steep, path))).toEqual(hard.states.at(-1));
  });

  it('a heavier branch with an invalid block deep in it is refused: the old head stays, the block and its descendants are invalid', () => {
    const { blocks: prefix, contract } = commonPrefix();
    const a = branch(prefix, 4, busy(miner, contract, 1n), miner).blocks;
    const good = branch(prefix, 2, busy(rival, contract, 2n), rival).blocks;
    const top = good[1] as Built;
    const bad = mine({ ...top.header, stateRoot: new Uint8Array(32).fill(3) }, top.txs);
    const descendants = [childOf(devnet, bad.header, 1)];
    for (let i = 0; i < 3; i++) descendants.push(childOf(devnet, (descendants.at(-1) as Built).header, 1));

    const chain = openChain();
    importAll(chain, [...prefix, ...a]);
    const before = tables(chain);
    expect(importAll(chain, [good[0] as Built, bad, ...descendants.slice(0, 2)])).toEqual(['side', 'side', 'side', 'side']);
    const tip = descendants[2] as Built;
    const error = importError(chain, tip.bytes);
    expect([error.rule, error.code]).toEqual(['BLK-12', 'NODE_BLOCK_STATE_ROOT']);
    expect(tables(chain)).toEqual(before);
    for (const block of [bad, descendants[0], descendants[1], tip] as Built[]) {
      expect(importError(chain, block.bytes).code).toBe('NODE_BLOCK_INVALID');
    }
    expect(importError(chain, (descendants[3] as Built).bytes).code).toBe('NODE_PARENT_INVALID');
    expect(chain.importBlock((good[0] as Built).bytes, NOW).status).toBe('known');
    expect(tables(chain)).toEqual(before);
    // The valid part of the branch still competes: the good block 2 and a child of it win.
    const goodChain = branch([...prefix, good[0] as Built], 4, () => [], rival).blocks;
    expect(importAll(chain, goodChain)).toEqual(['side', 'side', 'side', 'head']);
    expect(tables(chain)).toEqual(fresh([...prefix, good[0] as Built, ...goodChain]));
  });

  it('holds blocks that arrive before their parents and connects them when the parent comes', () => {
    const { blocks: prefix } = commonPrefix();
    const chain = openChain();
    const [b1, b2, b3] = prefix as [Built, Built, Built];
    expect(chain.importBlock(b3.bytes, NOW)).toEqual({ id: b3.id, status: 'orphan', height: 3 });
    expect(chain.importBlock(b2.bytes, NOW)).toEqual({ id: b2.id, status: 'orphan', height: 2 });
    expect(chain.head().height).toBe(0);
    expect(chain.blockBytes(b2.id)).toBeUndefined();
    expect(chain.importBlock(b1.bytes, NOW)).toEqual({ id: b1.id, status: 'head', height: 1 });
    expect(tables(chain)).toEqual(fresh(prefix));
  });

  it('an orphan that turns out invalid is dropped when its parent arrives', () => {
    const { blocks: prefix } = commonPrefix();
    const [b1, b2] = prefix as [Built, Built, Built];
    const bad = mine({ ...b2.header, stateRoot: new Uint8Array(32) }, b2.txs);
    const chain = openChain();
    expect(chain.importBlock(bad.bytes, NOW).status).toBe('orphan');
    expect(chain.importBlock(b1.bytes, NOW)).toMatchObject({ status: 'head', height: 1 });
    expect(chain.head().id).toBe(b1.id);
    expect(chain.importBlock(b2.bytes, NOW).status).toBe('head');
  });

  it('any order of the blocks of two branches ends at the same head and state as importing them in order', () => {
    const { blocks: prefix, contract } = commonPrefix();
    const a = branch(prefix.slice(0, 2), 5, (i, c) => [transfer(alice, nonceOf(c, alice), miner.address, 10n + BigInt(i))], miner);
    const b = branch(prefix, 5, busy(rival, contract, 2n), rival);
    const lengths = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
      .filter(([x, y]) => x + 2 !== y + 3)
      .chain(([x, y]) => {
        const blocks = [...prefix, ...a.blocks.slice(0, x), ...b.blocks.slice(0, y)];
        const interleaved = fc.array(fc.boolean(), { minLength: blocks.length, maxLength: blocks.length }).map((picks) => {
          // Keeps each branch in order (prefix first within a), mixes the two.
          const left = [...prefix.slice(0, 2), ...a.blocks.slice(0, x)];
          const right = [prefix[2] as Built, ...b.blocks.slice(0, y)];
          return picks.map((pick) => ((pick && left.length > 0) || right.length === 0 ? left.shift() : right.shift()) as Built);
        });
        return fc.tuple(fc.constant([x, y] as const), fc.oneof(interleaved, fc.shuffledSubarray(blocks, { minLength: blocks.length })));
      });
    fc.assert(
      fc.property(lengths, ([[x, y], order]) => {
        const chain = openChain();
        for (const block of order) chain.importBlock(block.bytes, NOW);
        const expected = x + 2 > y + 3 ? a.states[x - 1] : b.states[y - 1];
        expect(tables(chain)).toEqual(expected);
        chain.close();
      }),
      { numRuns: 20, seed: 0x5eed },
    );
  });
});
