// Zi protocol benchmark: `npx tsc -b && node bench/spec.js`.
//
// As in bench/run.js, every figure that matters is a RATIO measured in this same run (the same
// inputs, interleaved repetitions, best and median), so it survives a shared, noisy machine;
// absolute rates are printed for context only. One function per section; main() runs them in
// order, and further sections are added the same way.
import { createHash, createPublicKey, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as dagCbor from '@ipld/dag-cbor';
import { verifyFast } from '../node/dist/index.js';
import {
  addressOf,
  cidOfBytes,
  decodeTransaction,
  encodeTransaction,
  fromHex,
  publicKeyOf,
  sign,
  signTransaction,
  transactionId,
  verify,
} from '../spec/dist/index.js';
import { finish, fixed, int, note, now, privateKeyOfSeed, rates, round, sectionRunner, table } from './lib.js';

/** Interleaved repetitions per measurement (after one warm-up); best and median are reported. */
const REPS = 7;
/** Signatures per pass: each by its own key, over its own message. */
const SIGNATURES = 200;
const MESSAGE_BYTES = 200;

// --- small helpers -----------------------------------------------------------------------------

/** Deterministic bytes: SHA-256 in counter mode over a label. */
function bytesOf(label, length) {
  const out = new Uint8Array(length);
  for (let at = 0, i = 0; at < length; at += 32, i++)
    out.set(
      createHash('sha256')
        .update(`${label}/${i}`)
        .digest()
        .subarray(0, length - at),
      at,
    );
  return out;
}

// --- inputs ------------------------------------------------------------------------------------

/** SIGNATURES key pairs from fixed seeds, each signing its own 200-byte message with noble. */
function makeSignedSet(label) {
  const set = [];
  for (let i = 0; i < SIGNATURES; i++) {
    const secretKey = bytesOf(`${label}/key/${i}`, 32);
    const message = bytesOf(`${label}/message/${i}`, MESSAGE_BYTES);
    set.push({ secretKey, publicKey: publicKeyOf(secretKey), message, signature: sign(message, secretKey) });
  }
  return set;
}

/**
 * A set of signatures by keys no earlier pass has seen, signed by node:crypto (fast to make; the
 * same RFC 8032 signatures noble would give): verifyFast must build each key object afresh.
 */
function makeColdSet(label) {
  const set = [];
  for (let i = 0; i < SIGNATURES; i++) {
    const seed = bytesOf(`${label}/${i}`, 32);
    const privateKey = privateKeyOfSeed(seed);
    const publicKey = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12));
    const message = bytesOf(`${label}/message/${i}`, MESSAGE_BYTES);
    set.push({ publicKey, message, signature: new Uint8Array(nodeSign(null, message, privateKey)) });
  }
  return set;
}

/** Runs `check` over a set and returns the elapsed ms and the number of `true` verdicts. */
function timeVerify(check, set) {
  let ok = 0;
  const t0 = now();
  for (const s of set) if (check(s.signature, s.message, s.publicKey)) ok++;
  return { ms: now() - t0, ok };
}

// --- sections ----------------------------------------------------------------------------------

/** (k1) signing with noble (spec `sign`), 200 keys, 200-byte messages. */
function benchSign(ctx) {
  const times = [];
  for (let r = 0; r <= REPS; r++) {
    const t0 = now();
    for (const s of ctx.signed) sign(s.message, s.secretKey);
    if (r > 0) times.push(now() - t0);
  }
  const signRate = rates(SIGNATURES, times);
  table(
    `(k1) Ed25519 sign (noble, spec sign), ${SIGNATURES} keys, ${MESSAGE_BYTES}-byte messages; best of ${REPS}`,
    ['', 'ops/s best', 'ops/s median'],
    [['sign', int(signRate.best), int(signRate.median)]],
  );
  return { signPerSec: signRate };
}

/**
 * (k2) verification: spec `verify` (noble, the strict KEY-4 rule in JS) vs `verifyFast` (node:crypto
 * with the KEY-3 pre-checks) on the same signatures, interleaved; plus verifyFast on keys it has
 * never seen (cold key-object cache), measured in the same repetitions.
 */
function benchVerify(ctx) {
  const coldSets = Array.from({ length: REPS + 1 }, (_, r) => makeColdSet(`bench/cold/${r}`));
  const times = { noble: [], fast: [], cold: [] };
  for (let r = 0; r <= REPS; r++) {
    const noble = timeVerify(verify, ctx.signed);
    const fast = timeVerify(verifyFast, ctx.signed);
    const cold = timeVerify(verifyFast, coldSets[r]);
    for (const [name, run] of [
      ['noble', noble],
      ['fast', fast],
      ['cold', cold],
    ]) {
      if (run.ok !== SIGNATURES) throw new Error(`${name}: ${run.ok} of ${SIGNATURES} valid signatures verified`);
    }
    if (r === 0) continue;
    times.noble.push(noble.ms);
    times.fast.push(fast.ms);
    times.cold.push(cold.ms);
  }
  const noble = rates(SIGNATURES, times.noble);
  const fast = rates(SIGNATURES, times.fast);
  const cold = rates(SIGNATURES, times.cold);
  const ratio = fast.best / noble.best;
  const ratioMedian = fast.median / noble.median;
  const coldRatio = cold.best / noble.best;
  table(
    `(k2) Ed25519 verify, the same ${SIGNATURES} signatures (${SIGNATURES} keys, ${MESSAGE_BYTES}-byte messages), interleaved; best of ${REPS}`,
    ['', 'ops/s best', 'ops/s median', 'us/op', 'vs noble'],
    [
      ['spec verify (noble, strict KEY-4)', int(noble.best), int(noble.median), fixed(1e6 / noble.best, 1), '1.00'],
      ['verifyFast (node:crypto + pre-checks)', int(fast.best), int(fast.median), fixed(1e6 / fast.best, 1), fixed(ratio, 2)],
      ['verifyFast, keys never seen (cold cache)', int(cold.best), int(cold.median), fixed(1e6 / cold.best, 1), fixed(coldRatio, 2)],
    ],
  );
  note(
    `RATIO verifyFast / spec verify: ${fixed(ratio, 2)}x (median ${fixed(ratioMedian, 2)}x); first use of a key: ${fixed(coldRatio, 2)}x`,
  );
  return { noblePerSec: noble, fastPerSec: fast, coldPerSec: cold, ratio, ratioMedian, coldRatio };
}

/** (k3) both verifiers give the same verdict: on the bench set, on it mutated, and on the vectors. */
function checkVerdicts(ctx) {
  const cases = [];
  for (const [i, s] of ctx.signed.entries()) {
    cases.push(s);
    const signature = s.signature.slice();
    signature[i % 64] ^= 1 << (i % 8);
    cases.push({ ...s, signature });
  }
  const vectors = JSON.parse(readFileSync(new URL('../spec/vectors/ed25519.json', import.meta.url), 'utf8')).vectors;
  for (const v of vectors) cases.push({ signature: fromHex(v.signature), message: fromHex(v.message), publicKey: fromHex(v.publicKey) });
  let same = 0;
  let valid = 0;
  for (const c of cases) {
    const a = verify(c.signature, c.message, c.publicKey);
    if (a === verifyFast(c.signature, c.message, c.publicKey)) same++;
    if (a) valid++;
  }
  const identical = same === cases.length;
  note(
    `verdicts: ${same} of ${cases.length} identical (${SIGNATURES} valid, ${SIGNATURES} with one bit flipped, ${vectors.length} vectors; ${valid} valid in all) -> ${identical ? 'identical' : 'DIFFERENT'}`,
  );
  if (!identical) throw new Error('verifyFast and spec verify disagree');
  return { identical, cases: cases.length };
}

// --- encoding (ENC-1, ENC-3) ---------------------------------------------------------------------

/** Transactions per pass: transfers and payouts from 100 senders. */
const CODEC_TXS = 2_000;

function makeTransactions() {
  const keys = Array.from({ length: 100 }, (_, i) => bytesOf(`bench/codec-key/${i}`, 32));
  const addresses = keys.map((k) => addressOf(publicKeyOf(k)));
  const txs = [];
  for (let i = 0; i < CODEC_TXS; i++) {
    const k = i % keys.length;
    const base = {
      chain: 'zi-devnet',
      from: addresses[k],
      fee: 1_000n,
      meta: i % 3 === 0 ? `ipfs://${cidOfBytes(bytesOf(`m${i}`, 8))}` : '',
    };
    const unsigned =
      i % 2 === 0
        ? { type: 'transfer', ...base, nonce: i, to: addresses[(k + 1) % keys.length], amount: 5_000_000_000n + BigInt(i) }
        : {
            type: 'payout',
            ...base,
            contract: 'bafyreibq65k4ked66c2g7jzlxzrhjyaxpxuq6jg6wnvdxswfe73d5bkxgm',
            solver: addresses[(k + 7) % keys.length],
            ranges: [{ from: i * 64, count: 64 }],
            result: cidOfBytes(bytesOf(`r${i}`, 16)),
            amount: 64_000n,
          };
    txs.push(signTransaction(unsigned, keys[k]));
  }
  return txs;
}

/**
 * Encode, decode and id throughput of transactions: the spec's codec (canonical encoding, then on
 * decode the size limit, the round-trip canonicality check and every field's kind) against the
 * bare DAG-CBOR library on the same values — the ratio is what canonical checking and validation
 * cost.
 */
function benchCodec() {
  const txs = makeTransactions();
  const wires = txs.map((tx) => dagCbor.decode(encodeTransaction(tx)));
  const bytes = txs.map((tx) => encodeTransaction(tx));
  const totalBytes = bytes.reduce((n, b) => n + b.length, 0);
  const measure = (fn) => {
    fn();
    const times = [];
    for (let r = 0; r < REPS; r++) {
      const t0 = now();
      fn();
      times.push(now() - t0);
    }
    return rates(CODEC_TXS, times);
  };
  const plainEncode = measure(() => {
    for (const w of wires) dagCbor.encode(w);
  });
  const specEncode = measure(() => {
    for (const tx of txs) encodeTransaction(tx);
  });
  const plainDecode = measure(() => {
    for (const b of bytes) dagCbor.decode(b);
  });
  const specDecode = measure(() => {
    for (const b of bytes) decodeTransaction(b);
  });
  const ids = measure(() => {
    for (const b of bytes) transactionId(b);
  });
  table(
    `Encoding: ${int(CODEC_TXS)} signed transactions (transfers and payouts, ${int(totalBytes / CODEC_TXS)} bytes each on average)`,
    ['operation', 'spec tx/s', 'bare dag-cbor tx/s', 'spec / bare'],
    [
      ['encode', int(specEncode.best), int(plainEncode.best), fixed(specEncode.best / plainEncode.best)],
      ['decode (canonical + fields)', int(specDecode.best), int(plainDecode.best), fixed(specDecode.best / plainDecode.best)],
      ['id (sha2-256 CID of bytes)', int(ids.best), '-', '-'],
    ],
  );
  return {
    txBytes: Math.round(totalBytes / CODEC_TXS),
    encodePerSec: specEncode.best,
    decodePerSec: specDecode.best,
    idPerSec: ids.best,
    encodeRatio: specEncode.best / plainEncode.best,
    decodeRatio: specDecode.best / plainDecode.best,
  };
}

// --- main --------------------------------------------------------------------------------------

async function main() {
  const started = now();
  console.log(
    `Zi spec bench: node ${process.version}, OpenSSL ${process.versions.openssl}, ${availableParallelism()} cores, ${REPS} repetitions (+1 warm-up)`,
  );
  const ctx = { signed: makeSignedSet('bench/keys') };
  const { results, errors, section } = sectionRunner(ctx);

  // Section: keys (Ed25519, KEY-4 and its fast path)
  await section('sign', benchSign);
  await section('verify', benchVerify);
  await section('verdicts', checkVerdicts);

  // Section: encoding (ENC-1, ENC-3)
  await section('codec', benchCodec);

  const { sign: s, verify: v, verdicts: d, codec: c } = results;
  const summary = {
    bench: 'zi-spec',
    node: process.version,
    openssl: process.versions.openssl,
    reps: REPS,
    keys: (s || v || d) && {
      signatures: SIGNATURES,
      messageBytes: MESSAGE_BYTES,
      signPerSec: s && Math.round(s.signPerSec.best),
      verifyNoblePerSec: v && Math.round(v.noblePerSec.best),
      verifyFastPerSec: v && Math.round(v.fastPerSec.best),
      verifyFastColdPerSec: v && Math.round(v.coldPerSec.best),
      ratio: v && round(v.ratio, 2),
      ratioMedian: v && round(v.ratioMedian, 2),
      coldRatio: v && round(v.coldRatio, 2),
      verdictsIdentical: d?.identical ?? null,
    },
    codec: c && {
      txBytes: c.txBytes,
      encodePerSec: Math.round(c.encodePerSec),
      decodePerSec: Math.round(c.decodePerSec),
      idPerSec: Math.round(c.idPerSec),
      encodeVsBare: round(c.encodeRatio, 2),
      decodeVsBare: round(c.decodeRatio, 2),
    },
    errors,
    elapsedMs: Math.round(now() - started),
  };
  finish(summary, errors);
}

await main();
