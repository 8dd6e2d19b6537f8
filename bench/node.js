// Zi node benchmark: `npx tsc -b && node --no-node-snapshot bench/node.js`.
//
// The chain (node/dist/chain) on real SQLite files: how fast blocks import next to raw signature
// checks, whether a block costs the same at 100,000 blocks of history as at 1,000, what a reorg
// costs per block, and how much memory the node holds as the chain grows. As in bench/run.js and
// bench/spec.js, the figures that matter are RATIOS measured in this same run (interleaved
// repetitions, best and median), so they survive a shared, noisy machine; absolute numbers are
// printed for context only. ZI_BENCH_BLOCKS (default 100000) sets the longest chain of (b) and (d).
import { createHash, sign as nodeSign } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain } from '../node/dist/chain/chain.js';
import { mineHeaderSync } from '../node/dist/chain/pow-search.js';
import { verifyFast } from '../node/dist/crypto/ed25519-fast.js';
import { decodeAccount } from '../node/dist/state/entries.js';
import {
  accountKey,
  addressBytes,
  addressOf,
  decodeBlock,
  decodeHeader,
  devnetGenesis,
  encodeBlock,
  LI_PER_ZI,
  publicKeyOf,
  transactionSigningBytes,
} from '../spec/dist/index.js';
import { best, finish, fixed, int, median, note, now, privateKeyOfSeed, rates, round, sectionRunner, table } from './lib.js';

/** Interleaved repetitions per measurement (after one warm-up); best and median are reported. */
const REPS = 5;
const SENDERS = 100;
/** (a) blocks of 1,000 transfers, 10 from each of the 100 senders. */
const TX_BLOCK = 1_000;
const TX_BLOCKS = 5;
/** (b) the longest chain, and the lengths at which a block's import cost is measured. */
const LONG_BLOCKS = Number(process.env.ZI_BENCH_BLOCKS ?? 100_000);
const WINDOW = 200;
const WINDOWS = 3;
/** (c) reorg depths, and transfers per block in the two branches. */
const DEPTHS = [1, 10, 100];
const REORG_REPS = 3;
const REORG_TXS = 10;
const T0 = 1_700_000_000_000;
/** The clock given to importBlock: far ahead of every block time, so BLK-8 never holds one back. */
const NOW = T0 + 1e12;

// --- small helpers -----------------------------------------------------------------------------

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

// --- keys, transactions, blocks ----------------------------------------------------------------

/** Fixed-seed senders signing with node:crypto (RFC 8032 signatures, fast to make in bulk). */
function makeSenders() {
  return Array.from({ length: SENDERS }, (_, i) => {
    const seed = createHash('sha256').update(`zi/bench-node/${i}`).digest();
    return { address: addressOf(publicKeyOf(new Uint8Array(seed))), key: privateKeyOfSeed(seed) };
  });
}

function transfer(genesis, from, nonce, to, amount) {
  const unsigned = { type: 'transfer', chain: genesis.chain, from: from.address, nonce, fee: 1n, meta: '', to: to.address, amount };
  return { ...unsigned, sig: new Uint8Array(nodeSign(null, transactionSigningBytes(unsigned), from.key)) };
}

const nonceOf = (chain, address) => decodeAccount(chain.state.get(accountKey(address))).nonce;

/**
 * The next block of `chain`: `count` transfers from consecutive senders starting at `first` (each
 * sender at most once unless count > SENDERS), prepared and mined as a miner does. `salt` makes
 * competing branches differ.
 */
function nextBlock(ctx, chain, { count, first = 0, salt = 0, miner = ctx.senders[0] }) {
  const nonces = new Map();
  const txs = [];
  for (let i = 0; i < count; i++) {
    const from = ctx.senders[(first + i) % SENDERS];
    const nonce = nonces.get(from) ?? nonceOf(chain, from.address);
    nonces.set(from, nonce + 1);
    txs.push(transfer(ctx.genesis, from, nonce, ctx.senders[(first + i + 1 + salt) % SENDERS], BigInt(1 + salt)));
  }
  const head = chain.head();
  const prepared = chain.prepareBlock(txs, miner.address, head.time + 1000 + salt);
  if (prepared.rejected.length > 0) throw new Error(`prepareBlock rejected: ${prepared.rejected[0].error.message}`);
  return encodeBlock({ header: decodeHeader(mineHeaderSync(prepared.header)), txs: prepared.txs });
}

function importOrThrow(chain, bytes, expected) {
  const result = chain.importBlock(bytes, NOW);
  if (result.status !== expected) throw new Error(`import gave ${result.status}, expected ${expected}`);
  return result;
}

// --- sections ----------------------------------------------------------------------------------

/**
 * (a) transactions imported per second, in blocks of 1,000 transfers from 100 senders (decode,
 * TX-4 signatures, state, commit with synchronous=FULL), against raw verifyFast verifications per
 * second of the same signatures: the ratio is the share of the signature-only rate a block import
 * keeps.
 */
function benchTxImport(ctx) {
  const builder = Chain.open(':memory:', ctx.genesis);
  const blocks = [];
  for (let b = 0; b < TX_BLOCKS; b++) {
    const bytes = nextBlock(ctx, builder, { count: TX_BLOCK, first: b });
    importOrThrow(builder, bytes, 'head');
    blocks.push(bytes);
  }
  builder.close();
  const txs = blocks.flatMap((bytes) => decodeBlock(bytes).txs);
  const signatures = txs.map((tx) => ({ sig: tx.sig, message: transactionSigningBytes(tx), key: addressBytes(tx.from) }));
  const times = { import: [], verify: [] };
  for (let r = 0; r <= REPS; r++) {
    const path = join(ctx.dir, `txs-${r}.db`);
    const chain = Chain.open(path, ctx.genesis);
    const t0 = now();
    for (const bytes of blocks) importOrThrow(chain, bytes, 'head');
    const importMs = now() - t0;
    chain.close();
    rmSync(path, { force: true });
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    let ok = 0;
    const t1 = now();
    for (const s of signatures) if (verifyFast(s.sig, s.message, s.key)) ok++;
    const verifyMs = now() - t1;
    if (ok !== signatures.length) throw new Error(`verifyFast accepted ${ok} of ${signatures.length} signatures`);
    if (r === 0) continue;
    times.import.push(importMs);
    times.verify.push(verifyMs);
  }
  const n = signatures.length;
  const imp = rates(n, times.import);
  const ver = rates(n, times.verify);
  const ratio = imp.best / ver.best;
  const ratioMedian = imp.median / ver.median;
  table(
    `(a) ${TX_BLOCKS} blocks of ${int(TX_BLOCK)} transfers from ${SENDERS} senders, imported into a fresh chain file; best of ${REPS}`,
    ['', 'tx/s best', 'tx/s median', 'us/tx', 'ms/block'],
    [
      [
        'block import (decode, signatures, state, commit)',
        int(imp.best),
        int(imp.median),
        fixed(1e6 / imp.best, 1),
        fixed((TX_BLOCK * 1000) / imp.best, 1),
      ],
      ['verifyFast alone, same signatures', int(ver.best), int(ver.median), fixed(1e6 / ver.best, 1), '-'],
    ],
  );
  note(
    `RATIO import / verifyFast: ${fixed(ratio, 2)} (median ${fixed(ratioMedian, 2)}); signatures are ${fixed(ratio * 100, 0)}% of a block's import time`,
  );
  return { txs: n, importPerSec: imp, verifyPerSec: ver, ratio, ratioMedian };
}

/**
 * (b) the cost of importing a 1-transfer block at 1k, 10k and the top length of chain, and (d) the
 * process RSS at each. The chain is built with synchronous=OFF (to build it fast); each measurement
 * is WINDOWS windows of WINDOW blocks with the node's own synchronous=FULL, interleaved with as
 * many windows with synchronous=OFF (the cost without the disk flush, steadier on a shared disk).
 * Only importBlock is timed; preparing and mining each block happens between imports.
 */
function benchLongChain(ctx) {
  const path = join(ctx.dir, 'long.db');
  const chain = Chain.open(path, ctx.genesis);
  const checkpoints = [...new Set([1_000, 10_000, 100_000, LONG_BLOCKS].filter((n) => n <= LONG_BLOCKS))].sort((a, b) => a - b);
  const results = [];
  let height = 0;
  let buildMs = 0;
  const step = () => {
    const bytes = nextBlock(ctx, chain, { count: 1, first: height });
    const t0 = now();
    importOrThrow(chain, bytes, 'head');
    height++;
    return now() - t0;
  };
  chain.db.pragma('synchronous = OFF');
  for (const target of checkpoints) {
    const t0 = now();
    while (height < target) step();
    buildMs += now() - t0;
    const rss = process.memoryUsage().rss;
    const at = height;
    const windows = { full: [], off: [] };
    for (let w = 0; w < WINDOWS; w++) {
      for (const mode of ['full', 'off']) {
        chain.db.pragma(`synchronous = ${mode.toUpperCase()}`);
        let ms = 0;
        for (let i = 0; i < WINDOW; i++) ms += step();
        windows[mode].push(ms / WINDOW);
      }
    }
    chain.db.pragma('synchronous = OFF');
    const size = statSync(path).size;
    results.push({
      blocks: at,
      rss,
      dbBytes: size,
      full: { best: best(windows.full), median: median(windows.full) },
      off: { best: best(windows.off), median: median(windows.off) },
    });
    note(
      `(b) at ${int(at)} blocks: ${fixed(best(windows.full), 3)} ms/block (FULL), ${fixed(best(windows.off), 3)} ms/block (OFF), RSS ${mib(rss)}, built in ${fixed(buildMs / 1000, 1)} s so far`,
    );
  }
  chain.close();
  const first = results[0];
  const last = results.at(-1);
  table(
    `(b, d) import of a 1-transfer block by chain length (${WINDOWS} windows of ${WINDOW} blocks per mode, best and median window); RSS of this process`,
    ['blocks', 'ms/block FULL best', 'median', 'ms/block OFF best', 'median', 'RSS', 'db file'],
    results.map((r) => [
      int(r.blocks),
      fixed(r.full.best, 3),
      fixed(r.full.median, 3),
      fixed(r.off.best, 3),
      fixed(r.off.median, 3),
      mib(r.rss),
      mib(r.dbBytes),
    ]),
  );
  const costRatio = last.full.best / first.full.best;
  const costRatioOff = last.off.best / first.off.best;
  const rssRatio = last.rss / first.rss;
  note(
    `RATIO cost@${int(last.blocks)} / cost@${int(first.blocks)}: ${fixed(costRatio, 2)} with synchronous=FULL (median ${fixed(last.full.median / first.full.median, 2)}), ${fixed(costRatioOff, 2)} with OFF (median ${fixed(last.off.median / first.off.median, 2)}); should stay near 1`,
  );
  note(`RATIO RSS@${int(last.blocks)} / RSS@${int(first.blocks)}: ${fixed(rssRatio, 2)} (${mib(first.rss)} -> ${mib(last.rss)})`);
  note(`building ${int(height)} blocks (prepare + mine + import, synchronous=OFF) took ${fixed(buildMs / 1000, 1)} s`);
  return { checkpoints: results, costRatio, costRatioOff, rssRatio, buildMs, blocks: height };
}

/**
 * (c) reorg cost by depth: a chain file M (synchronous=FULL, as a node) and a scratch chain S start
 * equal; M mines `depth` blocks of REORG_TXS transfers, S mines depth + 1 competing ones; S's blocks
 * go to M: `depth` side blocks, then the one that makes S heavier and switches M over (depth blocks
 * disconnected, depth + 1 connected, one transaction). Per block, against M's own imports of the
 * same kind of block measured in the same rounds.
 */
function benchReorg(ctx) {
  const main = Chain.open(join(ctx.dir, 'reorg.db'), ctx.genesis);
  const side = Chain.open(':memory:', ctx.genesis);
  const normal = [];
  const sideImports = [];
  const byDepth = new Map(DEPTHS.map((d) => [d, []]));
  let round = 0;
  for (let r = 0; r <= REORG_REPS; r++) {
    for (const depth of DEPTHS) {
      round++;
      for (let i = 0; i < depth; i++) {
        const bytes = nextBlock(ctx, main, { count: REORG_TXS, first: round * 7 + i });
        const t0 = now();
        importOrThrow(main, bytes, 'head');
        if (r > 0) normal.push(now() - t0);
      }
      const branch = [];
      for (let i = 0; i <= depth; i++) {
        const bytes = nextBlock(ctx, side, { count: REORG_TXS, first: round * 7 + i, salt: 1, miner: ctx.senders[1] });
        importOrThrow(side, bytes, 'head');
        branch.push(bytes);
      }
      for (const bytes of branch.slice(0, depth)) {
        const t0 = now();
        importOrThrow(main, bytes, 'side');
        if (r > 0) sideImports.push(now() - t0);
      }
      const t0 = now();
      const result = importOrThrow(main, branch[depth], 'head');
      const ms = now() - t0;
      if (result.reorgDepth !== depth) throw new Error(`reorg depth ${result.reorgDepth}, expected ${depth}`);
      if (main.head().id !== side.head().id) throw new Error('the chains did not meet after the reorg');
      if (r > 0) byDepth.get(depth).push(ms);
    }
  }
  main.close();
  side.close();
  const base = median(normal);
  const rows = DEPTHS.map((depth) => {
    const times = byDepth.get(depth);
    const moved = 2 * depth + 1;
    return { depth, moved, best: best(times), median: median(times), perBlock: best(times) / moved, perBlockMedian: median(times) / moved };
  });
  table(
    `(c) switching to a heavier branch, blocks of ${REORG_TXS} transfers, chain file with synchronous=FULL; best of ${REORG_REPS}`,
    ['depth', 'blocks moved', 'ms best', 'ms median', 'ms/block best', 'ms/block median', 'vs plain import'],
    rows.map((r) => [
      r.depth,
      r.moved,
      fixed(r.best, 2),
      fixed(r.median, 2),
      fixed(r.perBlock, 3),
      fixed(r.perBlockMedian, 3),
      fixed(r.perBlockMedian / base, 2),
    ]),
  );
  note(
    `plain import of such a block (head extension, its own commit): median ${fixed(base, 3)} ms; a side block (stored, not applied): median ${fixed(median(sideImports), 3)} ms`,
  );
  note(
    `RATIO reorg cost per block moved, depth ${DEPTHS.at(-1)} / depth ${DEPTHS[0]}: ${fixed(rows.at(-1).perBlockMedian / rows[0].perBlockMedian, 2)} (one commit for the whole switch, so deep reorgs are cheaper per block)`,
  );
  return { plainImportMs: base, sideImportMs: median(sideImports), depths: rows };
}

// --- main --------------------------------------------------------------------------------------

async function main() {
  const started = now();
  console.log(
    `Zi node bench: node ${process.version}, SQLite via better-sqlite3, ${availableParallelism()} cores, ${REPS} repetitions (+1 warm-up), chain up to ${int(LONG_BLOCKS)} blocks (ZI_BENCH_BLOCKS)`,
  );
  const senders = makeSenders();
  const genesis = devnetGenesis({ time: T0, alloc: senders.map((s) => ({ address: s.address, amount: 1_000_000n * LI_PER_ZI })) });
  const ctx = { senders, genesis, dir: mkdtempSync(join(tmpdir(), 'zi-bench-node-')) };
  const { results, errors, section } = sectionRunner(ctx);
  try {
    await section('txImport', benchTxImport);
    await section('reorg', benchReorg);
    await section('longChain', benchLongChain);
  } finally {
    rmSync(ctx.dir, { recursive: true, force: true });
  }
  const { txImport: a, longChain: b, reorg: c } = results;
  const summary = {
    bench: 'zi-node',
    node: process.version,
    reps: REPS,
    txImport: a && {
      txs: a.txs,
      importPerSec: Math.round(a.importPerSec.best),
      verifyPerSec: Math.round(a.verifyPerSec.best),
      ratio: round(a.ratio, 2),
      ratioMedian: round(a.ratioMedian, 2),
    },
    longChain: b && {
      blocks: b.blocks,
      buildSeconds: round(b.buildMs / 1000, 1),
      msPerBlock: b.checkpoints.map((r) => ({ blocks: r.blocks, full: round(r.full.best, 3), off: round(r.off.best, 3) })),
      costRatio: round(b.costRatio, 2),
      costRatioOff: round(b.costRatioOff, 2),
      rssMiB: b.checkpoints.map((r) => ({ blocks: r.blocks, rss: round(r.rss / 2 ** 20, 1) })),
      rssRatio: round(b.rssRatio, 2),
    },
    reorg: c && {
      plainImportMs: round(c.plainImportMs, 3),
      depths: c.depths.map((r) => ({ depth: r.depth, ms: round(r.median, 2), msPerBlock: round(r.perBlockMedian, 3) })),
    },
    errors,
    elapsedMs: Math.round(now() - started),
  };
  finish(summary, errors);
}

await main();
