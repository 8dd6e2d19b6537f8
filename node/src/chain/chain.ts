import {
  type Block,
  type BlockHeader,
  blockId,
  bytesEqual,
  decodeBlock,
  decodeHeader,
  difficultyAt,
  encodeBlock,
  encodeHeader,
  type GenesisConfig,
  genesisBlock,
  genesisCid,
  headerHash,
  meetsDifficulty,
  nextStateRoot,
  SpecError,
  type Transaction,
  toHex,
  transactionId,
  transactionsRoot,
  workOf,
} from '@zi/spec';
import { verifyFast } from '../crypto/ed25519-fast.js';
import { NodeError } from '../errors.js';
import { applyReward, applyTransaction, type BlockContext, openContracts } from '../state/apply.js';
import { StateOverlay } from '../state/overlay.js';
import { RuleError } from '../state/rule-error.js';
import { openDatabase, type Sqlite } from '../store/database.js';
import { signatureOk } from './signatures.js';

/** What happened to an imported block. */
export type ImportStatus = 'head' | 'side' | 'orphan' | 'known' | 'future';

export interface ImportResult {
  id: string;
  status: ImportStatus;
  height: number;
  /** blocks taken off the main chain by a reorg this import caused */
  reorgDepth?: number;
}

export interface HeadInfo {
  id: string;
  height: number;
  time: number;
  work: bigint;
  header: BlockHeader;
}

interface BlockRow {
  id: string;
  parent: string | null;
  height: number;
  time: number;
  work: string;
  status: number;
  header: Uint8Array;
  block: Uint8Array;
}

const STATUS_STORED = 0;
const STATUS_INVALID = 2;
/** Blocks held for a missing parent (BLK-13) or a future time (BLK-8); the oldest go first. */
const MAX_HELD = 512;

const workText = (work: bigint): string => work.toString(16).padStart(80, '0');

/** Codes of the rules a transaction breaks on its own (TX-7), which decodeBlock applies to every transaction. */
const STANDALONE_CODES = new Set(['SPEC_RANGES_NOT_CANONICAL', 'SPEC_PAYOUT_FEE', 'SPEC_PUBLISH_EMPTY', 'SPEC_AMOUNT_ZERO']);

/** The rule a block broke when decoding it failed with `code`. */
function decodeRuleOf(code: string): string {
  if (code.startsWith('SPEC_BLOCK')) return 'BLK-4';
  return STANDALONE_CODES.has(code) ? 'TX-7' : 'ENC-3';
}

export interface ChainEvents {
  /** a new head, after the import committed */
  onHead?(head: HeadInfo, reorg: { disconnected: Block[]; connected: Block[] }): void;
}

/**
 * The chain: blocks, the main-chain index, state with undo records, and fork choice by most
 * cumulative work (BLK-13). Every import that changes the main chain runs in one SQLite
 * transaction, so a crash leaves the old head and state or the new ones.
 */
export class Chain {
  readonly genesis: GenesisConfig;
  readonly genesisId: string;
  readonly db: Sqlite;
  readonly #held = new Map<string, { parent: string; bytes: Uint8Array; notBefore: number }>();
  readonly #waitingOn = new Map<string, Set<string>>();
  readonly #events: ChainEvents;
  readonly #stmt;

  private constructor(db: Sqlite, genesis: GenesisConfig, events: ChainEvents) {
    this.db = db;
    this.genesis = genesis;
    this.#events = events;
    this.genesisId = blockId(genesisBlock(genesis).header);
    this.#stmt = {
      getState: db.prepare<[Uint8Array], { value: Uint8Array }>('SELECT value FROM state WHERE key = ?'),
      putState: db.prepare<[Uint8Array, Uint8Array]>(
        'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      deleteState: db.prepare<[Uint8Array]>('DELETE FROM state WHERE key = ?'),
      putUndo: db.prepare<[string, number, Uint8Array, Uint8Array | null]>('INSERT INTO undo (block, seq, key, value) VALUES (?, ?, ?, ?)'),
      getUndo: db.prepare<[string], { key: Uint8Array; value: Uint8Array | null }>(
        'SELECT key, value FROM undo WHERE block = ? ORDER BY seq DESC',
      ),
      deleteUndo: db.prepare<[string]>('DELETE FROM undo WHERE block = ?'),
      getBlock: db.prepare<[string], BlockRow>('SELECT * FROM blocks WHERE id = ?'),
      putBlock: db.prepare<[string, string | null, number, number, string, number, Uint8Array, Uint8Array]>(
        'INSERT INTO blocks (id, parent, height, time, work, status, header, block) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      setStatus: db.prepare<[number, string]>('UPDATE blocks SET status = ? WHERE id = ?'),
      children: db.prepare<[string], { id: string }>('SELECT id FROM blocks WHERE parent = ?'),
      mainAt: db.prepare<[number], { id: string }>('SELECT id FROM main WHERE height = ?'),
      putMain: db.prepare<[number, string]>(
        'INSERT INTO main (height, id) VALUES (?, ?) ON CONFLICT(height) DO UPDATE SET id = excluded.id',
      ),
      deleteMain: db.prepare<[number]>('DELETE FROM main WHERE height = ?'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      putMeta: db.prepare<[string, string]>(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      putTx: db.prepare<[string, string, number, string, string, string | null]>(
        'INSERT INTO txs (id, block, idx, type, sender, contract) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET block = excluded.block, idx = excluded.idx',
      ),
      deleteTxs: db.prepare<[string]>('DELETE FROM txs WHERE block = ?'),
    };
  }

  /**
   * Opens the chain in a database file (created with the genesis block when new). A database made
   * for another genesis is refused.
   *
   * @throws NodeError NODE_GENESIS_MISMATCH
   */
  static open(path: string, genesis: GenesisConfig, events: ChainEvents = {}): Chain {
    const db = openDatabase(path);
    const chain = new Chain(db, genesis, events);
    const stored = chain.#stmt.getMeta.get('genesis')?.value;
    if (stored === undefined) {
      chain.#initGenesis();
    } else if (stored !== genesisCid(genesis)) {
      db.close();
      throw new NodeError(
        'NODE_GENESIS_MISMATCH',
        `the data directory holds chain ${stored}, not the genesis given (${genesisCid(genesis)})`,
        'use another --data-dir, or start with the genesis this directory was made with',
      );
    }
    return chain;
  }

  close(): void {
    this.db.close();
  }

  #initGenesis(): void {
    const block = genesisBlock(this.genesis);
    const header = encodeHeader(block.header);
    const id = blockId(header);
    const changes = this.genesis.alloc.map((entry) => ({ address: entry.address, amount: entry.amount }));
    this.db.transaction(() => {
      const overlay = new StateOverlay(this.#reader());
      for (const { address, amount } of changes) {
        overlay.set(accountKeyOf(address), encodeAccountOf(amount));
      }
      const root = nextStateRoot(new Uint8Array(32), overlay.changes());
      if (!bytesEqual(root, block.header.stateRoot)) throw new Error('genesis state root mismatch');
      for (const change of overlay.changes()) if (change.value) this.#stmt.putState.run(change.key, change.value);
      this.#stmt.putBlock.run(id, null, 0, block.header.time, workText(0n), 1, header, encodeBlock(block));
      this.#stmt.putMain.run(0, id);
      this.#stmt.putMeta.run('head', id);
      this.#stmt.putMeta.run('genesis', genesisCid(this.genesis));
    })();
  }

  #reader(): { get(key: Uint8Array): Uint8Array | undefined } {
    const get = this.#stmt.getState;
    return { get: (key) => get.get(key)?.value };
  }

  /** The committed state at the head. */
  get state(): { get(key: Uint8Array): Uint8Array | undefined } {
    return this.#reader();
  }

  head(): HeadInfo {
    const id = this.#stmt.getMeta.get('head')?.value;
    const row = id ? this.#stmt.getBlock.get(id) : undefined;
    if (!row) throw new NodeError('NODE_STORE_CORRUPT', 'the database has no head block', 'start with a fresh --data-dir');
    return { id: row.id, height: row.height, time: row.time, work: BigInt(`0x${row.work}`), header: decodeHeader(row.header) };
  }

  /** The stored bytes of a block, main chain or not. */
  blockBytes(id: string): Uint8Array | undefined {
    return this.#stmt.getBlock.get(id)?.block;
  }

  /** The id of the main-chain block at a height. */
  idAt(height: number): string | undefined {
    return this.#stmt.mainAt.get(height)?.id;
  }

  isMain(id: string): boolean {
    const row = this.#stmt.getBlock.get(id);
    return row !== undefined && this.idAt(row.height) === id;
  }

  /**
   * Imports a block received from anywhere (miner, peer, RPC). Invalid blocks throw a RuleError
   * naming the rule and change nothing; a block whose parent is unknown is held (`orphan`), and
   * so is a block from the future (`future`, BLK-8), until `retryHeld` or a later import finds
   * its time has come.
   */
  importBlock(bytes: Uint8Array, now: number = Date.now()): ImportResult {
    const result = this.#importOne(bytes, now);
    if (result.status === 'head' || result.status === 'side') this.#adoptHeld([result.id], now);
    this.retryHeld(now);
    return result;
  }

  #importOne(bytes: Uint8Array, now: number): ImportResult {
    if (bytes.length > this.genesis.limits.blockBytes) {
      throw new RuleError(
        'BLK-3',
        'NODE_BLOCK_TOO_LARGE',
        `the block is ${bytes.length} bytes, the limit is ${this.genesis.limits.blockBytes}`,
        'build smaller blocks',
      );
    }
    let block: Block;
    try {
      block = decodeBlock(bytes);
    } catch (error) {
      if (error instanceof SpecError) throw new RuleError(decodeRuleOf(error.code), error.code, error.message, error.hint);
      throw error;
    }
    const { header } = block;
    const headerBytes = encodeHeader(header);
    const id = blockId(headerBytes);
    this.#unhold(id);
    const known = this.#stmt.getBlock.get(id);
    if (known) {
      if (known.status === STATUS_INVALID)
        throw new RuleError('BLK-12', 'NODE_BLOCK_INVALID', `block ${id} was found invalid before`, 'do not send it again');
      return { id, status: 'known', height: known.height };
    }
    if (header.genesis !== undefined || header.parent === undefined) {
      throw new RuleError('BLK-6', 'NODE_BLOCK_SECOND_GENESIS', 'only the genesis block has no parent', 'blocks name their parent');
    }
    if (header.version !== 1)
      throw new RuleError('BLK-6', 'NODE_BLOCK_VERSION', `header version ${header.version} is not 1`, 'upgrade the node that made it');
    if (header.chain !== this.genesis.chain) {
      throw new RuleError(
        'BLK-6',
        'NODE_WRONG_CHAIN',
        `the block is for chain "${header.chain}", this is "${this.genesis.chain}"`,
        'connect to peers of the same chain',
      );
    }
    if (block.txs.length > this.genesis.limits.blockTxs) {
      throw new RuleError(
        'BLK-3',
        'NODE_BLOCK_TOO_MANY_TXS',
        `${block.txs.length} transactions, the limit is ${this.genesis.limits.blockTxs}`,
        'build smaller blocks',
      );
    }
    // BLK-11 first: it needs no parent, and a block that fails it is never held or stored.
    if (header.difficulty < this.genesis.difficulty.floor || !meetsDifficulty(headerHash(headerBytes), header.difficulty)) {
      throw new RuleError(
        'BLK-11',
        'NODE_BLOCK_POW',
        `block ${id} does not meet its difficulty`,
        'mine it: sha256(header) must be below the target',
      );
    }
    const parent = this.#stmt.getBlock.get(header.parent);
    if (!parent) {
      this.#hold(id, header.parent, bytes, 0);
      return { id, status: 'orphan', height: header.height };
    }
    if (parent.status === STATUS_INVALID) {
      throw new RuleError('BLK-6', 'NODE_PARENT_INVALID', `the parent ${header.parent} is invalid`, 'build on a valid block');
    }
    if (header.height !== parent.height + 1) {
      throw new RuleError(
        'BLK-6',
        'NODE_BLOCK_HEIGHT',
        `height ${header.height} does not follow the parent's ${parent.height}`,
        'height is parent height + 1',
      );
    }
    if (header.time < parent.time + this.genesis.minInterval) {
      throw new RuleError(
        'BLK-7',
        'NODE_BLOCK_TOO_EARLY',
        `the block is ${header.time - parent.time} ms after its parent, the minimum interval T is ${this.genesis.minInterval} ms`,
        'wait T after the parent before mining',
      );
    }
    if (header.time > now + this.genesis.maxFuture) {
      // BLK-8: not invalid, not yet acceptable; held and retried once the clock catches up.
      this.#hold(id, header.parent, bytes, header.time - this.genesis.maxFuture);
      return { id, status: 'future', height: header.height };
    }
    block.txs.forEach((tx, index) => {
      if (!signatureOk(tx)) {
        throw new RuleError(
          'TX-4',
          'NODE_TX_SIGNATURE',
          `transaction ${index} (${transactionId(tx)}) has a bad signature`,
          'sign with the key of the from address',
        );
      }
    });
    const work = BigInt(`0x${parent.work}`) + workOf(header.difficulty);
    const store = () =>
      this.#stmt.putBlock.run(id, parent.id, header.height, header.time, workText(work), STATUS_STORED, headerBytes, bytes);
    const head = this.head();
    if (work <= head.work) {
      store();
      return { id, status: 'side', height: header.height };
    }
    // Stored in the switch's own transaction: a crash must not leave the block stored but not
    // connected, since a known block is never offered to fork choice again.
    const reorgDepth = this.#switchTo(id, head, store, block);
    return reorgDepth > 0 ? { id, status: 'head', height: header.height, reorgDepth } : { id, status: 'head', height: header.height };
  }

  /**
   * Holds a block that cannot be imported yet: its parent is unknown (an orphan, BLK-13) or its
   * time is ahead of the clock (BLK-8, `notBefore` > 0). Held once per id; when the pool is full
   * the oldest held block makes room, so a peer cannot lock the pool.
   */
  #hold(id: string, parent: string, bytes: Uint8Array, notBefore: number): void {
    if (this.#held.has(id)) return;
    if (this.#held.size >= MAX_HELD) {
      const oldest = this.#held.keys().next().value as string;
      this.#unhold(oldest);
    }
    this.#held.set(id, { parent, bytes, notBefore });
    const siblings = this.#waitingOn.get(parent) ?? new Set<string>();
    siblings.add(id);
    this.#waitingOn.set(parent, siblings);
  }

  #unhold(id: string): { bytes: Uint8Array; notBefore: number } | undefined {
    const held = this.#held.get(id);
    if (!held) return undefined;
    this.#held.delete(id);
    const siblings = this.#waitingOn.get(held.parent);
    siblings?.delete(id);
    if (siblings?.size === 0) this.#waitingOn.delete(held.parent);
    return held;
  }

  /** Blocks held, waiting for a parent or for their time. */
  get heldCount(): number {
    return this.#held.size;
  }

  /** Retries held blocks whose parent is now known and whose time has come. */
  #adoptHeld(parentIds: string[], now: number): void {
    const queue = [...parentIds];
    while (queue.length > 0) {
      const parentId = queue.shift() as string;
      if (!this.#stmt.getBlock.get(parentId)) continue;
      for (const id of [...(this.#waitingOn.get(parentId) ?? [])]) {
        const held = this.#held.get(id);
        if (!held || held.notBefore > now) continue;
        this.#unhold(id);
        try {
          const result = this.#importOne(held.bytes, now);
          if (result.status === 'head' || result.status === 'side') queue.push(result.id);
        } catch {
          // An invalid held block is dropped; its rule error has no one to go to.
        }
      }
    }
  }

  /** Imports every held future block whose time has come (BLK-8); the node calls it on a timer too. */
  retryHeld(now: number = Date.now()): void {
    const due = new Set<string>();
    for (const held of this.#held.values()) if (held.notBefore > 0 && held.notBefore <= now) due.add(held.parent);
    if (due.size > 0) this.#adoptHeld([...due], now);
  }

  /** The branch from the fork point with the main chain up to `id`, oldest first. */
  #branch(id: string): { fork: BlockRow; blocks: BlockRow[] } {
    const blocks: BlockRow[] = [];
    let row = this.#stmt.getBlock.get(id);
    while (row && this.idAt(row.height) !== row.id) {
      blocks.unshift(row);
      row = row.parent ? this.#stmt.getBlock.get(row.parent) : undefined;
    }
    if (!row)
      throw new NodeError('NODE_STORE_CORRUPT', `block ${id} does not lead back to the main chain`, 'start with a fresh --data-dir');
    return { fork: row, blocks };
  }

  /**
   * Makes `id` (decoded: `tip`) the head: stores it (`store`), disconnects main-chain blocks above
   * the fork point and connects the branch, all in one SQLite transaction. If a branch block is
   * invalid, the transaction rolls back (the old head stays), and that block and its descendants
   * are marked invalid.
   */
  #switchTo(id: string, oldHead: HeadInfo, store: () => void, tip: Block): number {
    const disconnected: Block[] = [];
    const connected: Block[] = [];
    let failed: { row: BlockRow; error: unknown } | undefined;
    const run = this.db.transaction(() => {
      store();
      const { fork, blocks } = this.#branch(id);
      for (let height = oldHead.height; height > fork.height; height--) {
        const mainId = this.idAt(height) as string;
        disconnected.push(decodeBlock((this.#stmt.getBlock.get(mainId) as BlockRow).block));
        this.#disconnect(mainId, height);
      }
      for (const row of blocks) {
        const block = row.id === id ? tip : decodeBlock(row.block);
        try {
          this.#connect(row, block);
        } catch (error) {
          failed = { row, error };
          throw error;
        }
        connected.push(block);
      }
      this.#stmt.putMeta.run('head', id);
    });
    try {
      run();
    } catch (error) {
      if (!failed) throw error;
      // The rollback took the new block with it: keep it, so that it is remembered invalid too.
      const invalid = failed.row.id;
      this.db.transaction(() => {
        store();
        this.#markInvalid(invalid);
      })();
      throw failed.error;
    }
    this.#events.onHead?.(this.head(), { disconnected, connected });
    return disconnected.length;
  }

  #markInvalid(id: string): void {
    this.db.transaction(() => {
      const queue = [id];
      while (queue.length > 0) {
        const next = queue.pop() as string;
        this.#stmt.setStatus.run(STATUS_INVALID, next);
        for (const child of this.#stmt.children.all(next)) queue.push(child.id);
      }
    })();
  }

  #disconnect(id: string, height: number): void {
    for (const { key, value } of this.#stmt.getUndo.all(id)) {
      if (value === null) this.#stmt.deleteState.run(key);
      else this.#stmt.putState.run(key, value);
    }
    this.#stmt.deleteUndo.run(id);
    this.#stmt.deleteMain.run(height);
    this.#stmt.deleteTxs.run(id);
  }

  /** Validates a block against its parent's state (the current state) and writes it (BLK-9 … BLK-12). */
  #connect(row: BlockRow, block: Block): void {
    const { header } = block;
    const state = this.#reader();
    const expected = difficultyAt(this.genesis, header.height, openContracts(state));
    if (header.difficulty !== expected) {
      throw new RuleError(
        'BLK-10',
        'NODE_BLOCK_DIFFICULTY',
        `the header says difficulty ${header.difficulty}, the rule gives ${expected}`,
        'compute the difficulty with difficultyAt',
      );
    }
    const overlay = new StateOverlay(state);
    const ctx: BlockContext = { genesis: this.genesis, height: header.height, time: header.time, miner: header.miner };
    applyReward(overlay, ctx);
    block.txs.forEach((tx, index) => {
      try {
        applyTransaction(overlay, tx, ctx);
      } catch (error) {
        if (error instanceof RuleError) {
          throw new RuleError(error.rule, error.code, `transaction ${index} of block ${row.id}: ${error.message}`, error.hint);
        }
        throw error;
      }
    });
    const changes = overlay.changes();
    const parentHeader = decodeHeader((this.#stmt.getBlock.get(row.parent as string) as BlockRow).header);
    const root = nextStateRoot(parentHeader.stateRoot, changes);
    if (!bytesEqual(root, header.stateRoot)) {
      throw new RuleError(
        'BLK-12',
        'NODE_BLOCK_STATE_ROOT',
        `block ${row.id} claims state root ${toHex(header.stateRoot)}, the transactions give ${toHex(root)}`,
        'recompute the state root',
      );
    }
    changes.forEach((change, seq) => {
      this.#stmt.putUndo.run(row.id, seq, change.key, this.#stmt.getState.get(change.key)?.value ?? null);
      if (change.value === null) this.#stmt.deleteState.run(change.key);
      else this.#stmt.putState.run(change.key, change.value);
    });
    this.#stmt.putMain.run(header.height, row.id);
    block.txs.forEach((tx, index) => {
      const contract = tx.type === 'publish' ? transactionId(tx) : 'contract' in tx ? tx.contract : null;
      this.#stmt.putTx.run(transactionId(tx), row.id, index, tx.type, tx.from, contract);
    });
  }

  /**
   * Applies transactions to the head state as a block at `height + 1` would, keeping those that
   * apply and dropping the rest: what a miner puts in its next block.
   */
  prepareBlock(
    candidates: readonly Transaction[],
    miner: string,
    time: number,
  ): { header: Omit<BlockHeader, 'nonce'>; txs: Transaction[]; rejected: { tx: Transaction; error: RuleError }[] } {
    const head = this.head();
    const height = head.height + 1;
    const state = this.#reader();
    const overlay = new StateOverlay(state);
    const ctx: BlockContext = { genesis: this.genesis, height, time, miner };
    applyReward(overlay, ctx);
    const txs: Transaction[] = [];
    const rejected: { tx: Transaction; error: RuleError }[] = [];
    for (const tx of candidates) {
      if (txs.length >= this.genesis.limits.blockTxs) break;
      const child = overlay.child();
      try {
        applyTransaction(child, tx, ctx);
        child.mergeInto(overlay);
        txs.push(tx);
      } catch (error) {
        if (error instanceof RuleError) rejected.push({ tx, error });
        else throw error;
      }
    }
    const header = {
      version: 1,
      chain: this.genesis.chain,
      parent: head.id,
      height,
      time,
      difficulty: difficultyAt(this.genesis, height, openContracts(state)),
      miner,
      txRoot: transactionsRoot(txs),
      txCount: txs.length,
      stateRoot: nextStateRoot(head.header.stateRoot, overlay.changes()),
    };
    return { header, txs, rejected };
  }
}

import { accountKey, encodeAccount } from '@zi/spec';

function accountKeyOf(address: string): Uint8Array {
  return accountKey(address);
}

function encodeAccountOf(amount: bigint): Uint8Array {
  return encodeAccount(amount, 0);
}

export { verifyFast };
