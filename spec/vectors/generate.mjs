// Writes the conformance vectors of the Zi protocol to spec/vectors/*.json:
//
//   npx tsc -b spec && node spec/vectors/generate.mjs
//
// `buildVectors()` returns every file as an object; spec/test/vectors.test.ts checks each vector
// against the implementation and checks that this script still writes the committed files byte
// for byte, so any change to them is deliberate (regenerate, then review the diff).
//
// Deterministic: secret keys are bytes filled with 0x01, 0x02, …; times are fixed; Ed25519 is
// deterministic; the one mined nonce is searched from zero. Nothing random, nothing from the clock.
//
// Invalid vectors are built by mutating the decoded wire form of a valid object with
// @ipld/dag-cbor directly (bypassing the checks of @zi/spec), or by editing bytes by hand where
// the encoder cannot produce the fault (non-minimal integers, unsorted keys, bignum tags).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dagCbor from '@ipld/dag-cbor';
import { sha256 } from '@noble/hashes/sha2.js';
import { base58 } from '@scure/base';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import {
  accountKey,
  addressOf,
  batchSize,
  blockId,
  cidOfBytes,
  DIFFICULTY_ONE,
  decodeBlock,
  decodeCbor,
  decodeHeader,
  decodeServingAnnouncement,
  decodeSessionMessage,
  decodeTransaction,
  devnetGenesis,
  difficultyAt,
  encodeAccount,
  encodeBlock,
  encodeCbor,
  encodeGenesis,
  encodeHeader,
  encodeServingAnnouncement,
  encodeSessionMessage,
  encodeTransaction,
  formatAmount,
  genesisBlock,
  genesisCid,
  genesisToJson,
  headerHash,
  headerMeetsDifficulty,
  LI_PER_ZI,
  locateDigest,
  locateProof,
  log2Fixed,
  MAX_AMOUNT,
  MAX_DIFFICULTY,
  MAX_HEADER_BYTES,
  MAX_INLINE_BUNDLE_BYTES,
  MAX_TX_BYTES,
  meetsDifficulty,
  merkleRoot,
  nextStateRoot,
  parseAmount,
  parseJson,
  peerIdOf,
  publicKeyOf,
  SCHEMA_KINDS,
  SpecError,
  servingSigningBytes,
  sign,
  signServingAnnouncement,
  signSessionMessage,
  signTransaction,
  targetOf,
  testnetGenesis,
  toHex,
  transactionDigest,
  transactionId,
  transactionSigningBytes,
  transactionsRoot,
  transactionToJson,
  utf8Bytes,
  verifyServingAnnouncement,
  verifySessionMessage,
  workOf,
} from '../dist/index.js';

// --- helpers ----------------------------------------------------------------------------------------

/** The secret key whose 32 bytes are all `n`. */
const secretKey = (n) => new Uint8Array(32).fill(n);
const addressOfKey = (key) => addressOf(publicKeyOf(key));

const keys = { alice: secretKey(1), bob: secretKey(2), carol: secretKey(3), dave: secretKey(4), erin: secretKey(5) };
const alice = addressOfKey(keys.alice);
const bob = addressOfKey(keys.bob);
const carol = addressOfKey(keys.carol);
const dave = addressOfKey(keys.dave);

const fromHexString = (text) => new Uint8Array(Buffer.from(text, 'hex'));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** The SpecError code `f` throws, or `undefined` when it does not throw. Anything else is a generator bug. */
function codeOf(f) {
  try {
    f();
  } catch (error) {
    if (error instanceof SpecError) return error.code;
    throw error;
  }
  return undefined;
}

/** Like codeOf, but the vector must fail: a vector whose expected error never happens is a bug here. */
function mustFail(id, f) {
  const code = codeOf(f);
  if (code === undefined) throw new Error(`vector ${id}: expected an error, got none`);
  return code;
}

/**
 * Bytes as a vector field: `{ hex }`, or for big inputs `{ hexParts }` where runs of 64 or more
 * equal bytes are written `{ "repeat": "<byte hex>", "times": n }` and the rest as hex strings.
 */
function bytesField(bytes) {
  if (bytes.length <= 4096) return { hex: toHex(bytes) };
  const parts = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    let j = i;
    while (j < bytes.length && bytes[j] === bytes[i]) j++;
    if (j - i >= 64) {
      if (start < i) parts.push(toHex(bytes.subarray(start, i)));
      parts.push({ repeat: toHex(bytes.subarray(i, i + 1)), times: j - i });
      start = j;
    }
    i = j;
  }
  if (start < bytes.length) parts.push(toHex(bytes.subarray(start)));
  return { hexParts: parts };
}

/** Replaces the first occurrence (at a byte boundary) of `from` by `to` in a hex string. */
function patchHex(hex, from, to) {
  let at = hex.indexOf(from);
  while (at !== -1 && at % 2 !== 0) at = hex.indexOf(from, at + 1);
  if (at === -1) throw new Error(`patchHex: ${from} not found`);
  return hex.slice(0, at) + to + hex.slice(at + from.length);
}

/** The CBOR head of a major type and argument (the shortest form). */
function cborHead(major, n) {
  if (n < 24) return new Uint8Array([(major << 5) | n]);
  if (n < 256) return new Uint8Array([(major << 5) | 24, n]);
  if (n < 65536) return new Uint8Array([(major << 5) | 25, n >> 8, n & 255]);
  throw new Error('cborHead: too big for these vectors');
}

/** A map encoded with its entries in the given order (dag-cbor would sort them). */
function mapInOrder(entries) {
  return concat(cborHead(5, entries.length), ...entries.flatMap(([key, value]) => [dagCbor.encode(key), dagCbor.encode(value)]));
}

/** The wire form (decoded DAG-CBOR, a null-prototype object) of canonical bytes. */
const wireOf = (bytes) => dagCbor.decode(bytes);
/** A CID from its raw parts: codec and sha2-256 of some bytes. */
const cidOf = (codec, bytes) => CID.createV1(codec, Digest.create(0x12, sha256(bytes)));

// --- fixed content --------------------------------------------------------------------------------

const GENESIS_TIME = 1_700_000_000_000;
const bundleBytes = utf8Bytes('export default function mcu(index) {\n  return index * index;\n}\n');
const manifestBytes = utf8Bytes('{"format":"zi-manifest/1","name":"squares","meter":"zi-gas/1","entry":"mcu"}\n');
const resultBytes = utf8Bytes('[[0,0],[1,1],[2,4],[3,9],[10,100],[11,121]]\n');
const bundle = cidOfBytes(bundleBytes);
const manifest = cidOfBytes(manifestBytes);
const result = cidOfBytes(resultBytes);
const chain = 'zi-devnet';

/** Every transaction type; `name` becomes the vector id. */
function transactions() {
  const out = {};
  out.transfer = [
    keys.alice,
    { type: 'transfer', chain, from: alice, nonce: 0, fee: 10n, meta: 'rent for March', to: bob, amount: 5n * LI_PER_ZI },
    'alice sends 5 Zi to bob with a 10 Li fee',
  ];
  out['transfer/limits'] = [
    keys.bob,
    {
      type: 'transfer',
      chain,
      from: bob,
      nonce: 9_007_199_254_740_991,
      fee: 9_007_199_254_740_992n,
      meta: 'Zi ☕ café 🦊 '.padEnd(80, '.'),
      to: alice,
      amount: MAX_AMOUNT,
    },
    'boundaries: nonce 2^53-1 (the largest), fee 2^53 (the smallest amount that is a bigint on the wire), amount 2^64-1, multi-byte UTF-8 meta',
  ];
  out['transfer/meta-96-bytes'] = [
    keys.alice,
    { type: 'transfer', chain, from: alice, nonce: 1, fee: 0n, meta: 'm'.repeat(96), to: carol, amount: 1n },
    'meta of exactly 96 bytes (no zero padding left), fee 0, amount 1 Li',
  ];
  out.publish = [
    keys.alice,
    {
      type: 'publish',
      chain,
      from: alice,
      nonce: 2,
      fee: 100n,
      meta: '',
      bundle,
      manifest,
      name: 'squares',
      mcus: 1000,
      gasPerMcu: 100_000,
      price: 10n,
      budget: 10_000n,
    },
    'publish by CID only: no inline code, no delegated validation',
  ];
  out['publish/code-and-validation'] = [
    keys.alice,
    {
      type: 'publish',
      chain,
      from: alice,
      nonce: 3,
      fee: 100n,
      meta: 'validated squares',
      bundle,
      code: bundleBytes,
      manifest,
      name: 'squares-validated',
      mcus: 1_000_000,
      gasPerMcu: 50_000,
      price: 12n,
      budget: 12_000_000n,
      validation: { fee: 500n },
    },
    'publish with the bundle inline (PUB-2) and validation delegated for a fee (VAL-1)',
  ];
  const contract = transactionId(signTransaction(out.publish[1], keys.alice));
  out.payout = [
    keys.alice,
    {
      type: 'payout',
      chain,
      from: alice,
      fee: 5n,
      meta: '',
      contract,
      solver: bob,
      ranges: [
        { from: 0, count: 4 },
        { from: 10, count: 2 },
      ],
      result,
      amount: 60n,
    },
    'the bidder pays bob for MCUs 0-3 and 10-11 of the publish vector, fee taken from the amount',
  ];
  out['payout/single-index'] = [
    keys.alice,
    {
      type: 'payout',
      chain,
      from: alice,
      fee: 10n,
      meta: 'last one',
      contract,
      solver: bob,
      ranges: [{ from: 999, count: 1 }],
      result,
      amount: 10n,
    },
    'one range of one index; a fee equal to the amount is allowed (PAY-4)',
  ];
  out.close = [keys.alice, { type: 'close', chain, from: alice, nonce: 4, fee: 10n, meta: '', contract }, 'the bidder closes the contract'];
  out.stake = [
    keys.carol,
    { type: 'stake', chain, from: carol, nonce: 0, fee: 10n, meta: '', amount: 100n * LI_PER_ZI },
    'carol stakes 100 Zi',
  ];
  out.unstake = [
    keys.carol,
    { type: 'unstake', chain, from: carol, nonce: 1, fee: 10n, meta: '', amount: 40n * LI_PER_ZI },
    'carol releases 40 Zi',
  ];
  out['fund-vote'] = [
    keys.dave,
    { type: 'fund-vote', chain, from: dave, nonce: 0, fee: 1n, meta: '', candidate: bob },
    'dave votes for bob',
  ];
  const payoutId = transactionId(signTransaction(out.payout[1], keys.alice));
  out['audit-vote'] = [
    keys.dave,
    { type: 'audit-vote', chain, from: dave, nonce: 1, fee: 1n, meta: '', subject: payoutId, verdict: 'valid' },
    'dave judges the payout vector valid',
  ];
  out['audit-vote/invalid'] = [
    keys.dave,
    { type: 'audit-vote', chain, from: dave, nonce: 2, fee: 1n, meta: '', subject: payoutId, verdict: 'invalid' },
    'dave judges the payout vector invalid',
  ];
  out.appeal = [
    keys.carol,
    { type: 'appeal', chain, from: carol, nonce: 2, fee: 10n, meta: 'the audit was wrong', subject: payoutId, deposit: 100n * LI_PER_ZI },
    'carol appeals, depositing the price of a stake',
  ];
  return out;
}

// --- cbor.json ----------------------------------------------------------------------------------------

/** The typed JSON of a DAG-CBOR value: integers `{int}`, bytes `{bytes}`, CIDs `{cid}`, maps `{map}`. */
function typed(value) {
  if (typeof value === 'number' || typeof value === 'bigint') return { int: String(value) };
  if (value instanceof Uint8Array) return { bytes: toHex(value) };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(typed);
  const cid = CID.asCID(value);
  if (cid) return { cid: cid.toString() };
  return { map: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typed(v)])) };
}

function cborVectors() {
  const nest = (depth) => {
    let value = [];
    for (let i = 1; i < depth; i++) value = [value];
    return value;
  };
  const rawCid = cidOf(0x55, utf8Bytes('hello'));
  const dagCid = cidOf(0x71, utf8Bytes('hello'));
  const validValues = [
    ['int/0', 0, 'smallest integer, one byte'],
    ['int/23', 23, 'largest integer in the head byte'],
    ['int/24', 24, 'smallest integer with a 1-byte argument'],
    ['int/255', 255, 'largest 1-byte argument'],
    ['int/256', 256, 'smallest 2-byte argument'],
    ['int/65535', 65535, 'largest 2-byte argument'],
    ['int/65536', 65536, 'smallest 4-byte argument'],
    ['int/2^32-1', 4_294_967_295, 'largest 4-byte argument'],
    ['int/2^32', 4_294_967_296, 'smallest 8-byte argument'],
    ['int/2^53-1', Number.MAX_SAFE_INTEGER, 'largest integer decoded as a JavaScript number'],
    ['int/2^53', 2n ** 53n, 'smallest integer decoded as a bigint'],
    ['int/2^64-1', 2n ** 64n - 1n, 'largest unsigned integer'],
    ['int/-1', -1, 'negative integers: major type 1'],
    ['int/-24', -24, 'largest negative in the head byte'],
    ['int/-25', -25, 'negative with a 1-byte argument'],
    ['int/-2^64', -(2n ** 64n), 'smallest negative integer'],
    ['bytes/empty', new Uint8Array(0), 'empty byte string'],
    ['bytes/23', new Uint8Array(23).fill(0xab), '23 bytes: length in the head byte'],
    ['bytes/24', new Uint8Array(24).fill(0xcd), '24 bytes: 1-byte length'],
    ['bytes/256', Uint8Array.from({ length: 256 }, (_, i) => i), '256 bytes: 2-byte length'],
    ['text/empty', '', 'empty text'],
    ['text/ascii', 'IETF', 'ASCII text'],
    ['text/utf8', 'ü水𐅑', 'two-, three- and four-byte UTF-8'],
    ['text/24', 'abcdefghijklmnopqrstuvwx', '24 bytes of text: 1-byte length'],
    ['simple/true', true, 'true'],
    ['simple/false', false, 'false'],
    ['simple/null', null, 'null'],
    ['list/empty', [], 'empty list'],
    ['list/nested', [1, [2, 3], [[4]]], 'nested lists'],
    ['map/empty', {}, 'empty map'],
    ['map/sorted', { b: 1, a: 2 }, 'keys sorted bytewise: "a" before "b"'],
    ['map/length-first', { z: 1, ab: 2, aa: 3, abc: 4 }, 'keys sorted by length first, then bytewise (RFC 7049 canonical, DAG-CBOR)'],
    ['map/empty-key', { '': 0, a: 1 }, 'the empty text is a key like any other'],
    ['cid/raw', rawCid, 'CID tag 42: 0x00 then the binary CIDv1 (raw, sha2-256)'],
    ['cid/dag-cbor', dagCid, 'CID tag 42 of a dag-cbor CID'],
    [
      'nested/mixed',
      { tx: { to: new Uint8Array(32).fill(7), ranges: [[0, 4]], ok: true }, ids: [rawCid, dagCid], n: 2n ** 60n },
      'maps, lists, bytes, CIDs and a bigint together',
    ],
    ['depth/64', nest(64), `lists nested 64 deep: the most ENC-1 allows`],
  ];
  const valid = validValues.map(([id, value, comment]) => {
    const bytes = encodeCbor(value);
    decodeCbor(bytes, 1024);
    return { id, comment, maxBytes: 1024, hex: toHex(bytes), value: typed(value) };
  });

  const invalidHex = [
    ['map/unsorted-keys', 'a2616201616101', '{"b": 1, "a": 2} with "b" first'],
    ['map/length-order', 'a262616101617a02', '{"aa": 1, "z": 2}: longer key first'],
    ['map/duplicate-keys', 'a2616101616102', 'the key "a" twice'],
    ['map/int-key', 'a10102', 'a map key that is an integer'],
    ['map/bytes-key', 'a1416101', 'a map key that is a byte string'],
    ['int/non-minimal-1', '1817', '23 with a 1-byte argument'],
    ['int/non-minimal-2', '1900ff', '255 with a 2-byte argument'],
    ['int/non-minimal-4', '1a0000ffff', '65535 with a 4-byte argument'],
    ['int/non-minimal-8', '1b00000000ffffffff', '2^32-1 with an 8-byte argument'],
    ['int/non-minimal-zero', '1800', '0 with a 1-byte argument'],
    ['int/non-minimal-negative', '3800', '-1 with a 1-byte argument'],
    ['length/bytes-non-minimal', '5801aa', 'a 1-byte byte string with a 1-byte length argument'],
    ['length/text-non-minimal', '780161', 'a 1-byte text with a 1-byte length argument'],
    ['length/list-non-minimal', '980101', 'a list of one with a 1-byte length argument'],
    ['length/map-non-minimal', 'b801616101', 'a map of one with a 1-byte length argument'],
    ['float/1.0-double', 'fb3ff0000000000000', '1.0 as a 64-bit float: integers are never floats'],
    ['float/1.0-half', 'f93c00', '1.0 as a 16-bit float'],
    ['float/1.0-single', 'fa3f800000', '1.0 as a 32-bit float'],
    ['float/1.5', 'fb3ff8000000000000', '1.5: DAG-CBOR can carry it, ENC-1 forbids floats'],
    ['float/2^64', 'fb43f0000000000000', '2^64 as a float: no integer encoding exists'],
    ['float/nan', 'f97e00', 'NaN'],
    ['float/nan-double', 'fb7ff8000000000000', 'NaN as a 64-bit float'],
    ['float/infinity', 'f97c00', 'Infinity'],
    ['float/negative-zero', 'f98000', '-0.0 as a 16-bit float'],
    ['float/negative-zero-double', 'fb8000000000000000', '-0.0 as a 64-bit float'],
    ['indefinite/list', '9f0102ff', 'an indefinite-length list'],
    ['indefinite/map', 'bf616101ff', 'an indefinite-length map'],
    ['indefinite/text', '7f61616162ff', 'an indefinite-length (chunked) text'],
    ['indefinite/bytes', '5f41aa41bbff', 'an indefinite-length (chunked) byte string'],
    ['simple/undefined', 'f7', 'undefined'],
    ['simple/unassigned', 'f0', 'simple value 16'],
    ['simple/one-byte', 'f820', 'simple value 32 (two-byte form)'],
    ['simple/break', 'ff', 'a lone break code'],
    ['reserved/additional-info-28', '1c', 'additional information 28 is reserved'],
    ['tag/1', 'c11a6553f100', 'tag 1 (epoch time): only tag 42 exists in DAG-CBOR'],
    ['tag/2-bignum', 'c249010000000000000000', 'tag 2 (bignum 2^64): integers above 2^64-1 do not exist'],
    ['tag/42-no-prefix', `d82a5824${toHex(rawCid.bytes)}`, 'tag 42 without the leading 0x00'],
    ['tag/42-on-text', 'd82a6161', 'tag 42 on a text string'],
    ['tag/42-truncated-cid', `d82a5823${toHex(concat(new Uint8Array([0]), rawCid.bytes.subarray(0, 33)))}`, 'tag 42 on a CID cut short'],
    ['text/invalid-utf8', '62c328', 'text that is not UTF-8 (a lead byte then "(")'],
    ['text/surrogate', '63eda080', 'text holding an encoded UTF-16 surrogate'],
    ['text/overlong', '62c0af', 'text with an overlong encoding of "/"'],
    ['trailing-byte', '0000', 'a complete item then one more byte'],
    ['truncated/int', '1a0001', 'a 4-byte argument cut short'],
    ['truncated/text', '62aa', 'a text of 2 bytes with 1 present'],
    ['truncated/list', '8201', 'a list of 2 with 1 item'],
    ['empty', '', 'no bytes at all'],
    ['depth/65', `${'81'.repeat(64)}80`, 'lists nested 65 deep: more than ENC-1 allows'],
    ['depth/map-65', `${'a16161'.repeat(64)}a0`, 'maps nested 65 deep'],
  ];
  const invalid = invalidHex.map(([id, hex, reason]) => ({
    id,
    comment: reason,
    maxBytes: 1024,
    hex,
    error: mustFail(id, () => decodeCbor(fromHexString(hex), 1024)),
    reason,
  }));
  const big = encodeCbor(new Uint8Array(100).fill(1));
  invalid.push({
    id: 'too-large',
    comment: 'a valid 102-byte encoding read with a limit of 101 bytes',
    maxBytes: 101,
    hex: toHex(big),
    error: mustFail('too-large', () => decodeCbor(big, 101)),
    reason: 'the input is longer than the limit of the object it should hold (ENC-4), checked before decoding',
  });
  return {
    description:
      'Canonical DAG-CBOR (ENC-1, ENC-3): decodeCbor(hex, maxBytes) must accept exactly the valid vectors (whose re-encoding is the same hex and whose value, in typed JSON — {int}, {bytes}, {cid}, {map} — is `value`) and reject each invalid vector with `error`. Built by spec/vectors/generate.mjs.',
    rules: ['ENC-1', 'ENC-2', 'ENC-3', 'ENC-4'],
    valid,
    invalid,
  };
}

// --- transactions.json ----------------------------------------------------------------------------

function transactionVectors() {
  const valid = [];
  const signed = {};
  for (const [id, [key, unsigned, comment]] of Object.entries(transactions())) {
    const tx = signTransaction(unsigned, key);
    signed[id] = tx;
    const bytes = encodeTransaction(tx);
    valid.push({
      id,
      comment,
      secretKey: toHex(key),
      json: transactionToJson(tx),
      hex: toHex(bytes),
      txId: transactionId(tx),
      digest: toHex(transactionDigest(tx)),
      signingBytes: toHex(transactionSigningBytes(tx)),
      signatureValid: true,
    });
  }
  const transfer = signed.transfer;
  const badSignature = (id, tx, comment) => {
    valid.push({
      id,
      comment,
      json: transactionToJson(tx),
      hex: toHex(encodeTransaction(tx)),
      txId: transactionId(tx),
      digest: toHex(transactionDigest(tx)),
      signingBytes: toHex(transactionSigningBytes(tx)),
      signatureValid: false,
    });
  };
  const flipped = transfer.sig.slice();
  flipped[40] ^= 0x01;
  badSignature('bad-signature/flipped-bit', { ...transfer, sig: flipped }, 'the transfer vector with one bit of S flipped');
  badSignature(
    'bad-signature/other-key',
    { ...transfer, sig: sign(transactionSigningBytes(transfer), keys.erin) },
    'the transfer signed by a key that is not `from`',
  );
  const otherChain = signTransaction({ ...transfer, chain: 'zi-testnet', sig: undefined }, keys.alice);
  badSignature(
    'bad-signature/other-chain',
    { ...transfer, sig: otherChain.sig },
    'the signature of the same transfer on chain zi-testnet: the chain id is signed (TX-2)',
  );
  badSignature('bad-signature/zero', { ...transfer, sig: new Uint8Array(64) }, 'a signature of 64 zero bytes');
  const otherSolver = { ...signed.payout, sig: sign(transactionSigningBytes({ ...signed.payout, solver: alice }), keys.alice) };
  badSignature('bad-signature/payout-other-solver', otherSolver, 'a payout whose signature is for another solver: every field is signed');

  const invalid = [];
  /** Adds an invalid vector from bytes; the error is what decodeTransaction throws. */
  const add = (id, bytes, reason) => {
    invalid.push({ id, comment: reason, ...bytesField(bytes), error: mustFail(id, () => decodeTransaction(bytes)), reason });
  };
  const mutate = (name, change) => {
    const wire = { ...wireOf(encodeTransaction(signed[name])) };
    change(wire);
    return dagCbor.encode(wire);
  };
  const transferHex = toHex(encodeTransaction(transfer));
  const rawContract = cidOf(0x55, utf8Bytes('not a transaction')).toString();

  add(
    'field/unknown',
    mutate('transfer', (w) => (w.memo = 'hi')),
    'a field the transfer does not have (ENC-5)',
  );
  add(
    'field/unknown-prototype-name',
    mutate('transfer', (w) => (w.toString = 1)),
    'an extra field named like an Object.prototype member ("toString") is unknown too',
  );
  add(
    'field/unknown-proto',
    mutate('transfer', (w) => Object.defineProperty(w, '__proto__', { value: 1, enumerable: true })),
    'an extra field "__proto__" is unknown too',
  );
  add(
    'field/payout-with-nonce',
    mutate('payout', (w) => (w.nonce = 0)),
    'payouts carry no nonce (PAY-5)',
  );
  add(
    'field/missing',
    mutate('transfer', (w) => delete w.nonce),
    'a transfer without its nonce',
  );
  add(
    'field/missing-sig',
    mutate('transfer', (w) => delete w.sig),
    'a transaction without its signature',
  );
  add(
    'field/missing-type',
    mutate('transfer', (w) => delete w.type),
    'no type: the kind of transaction cannot be chosen',
  );
  add(
    'field/optional-null',
    mutate('publish', (w) => (w.code = null)),
    'an optional field written as null: absent is the only encoding of none',
  );
  add(
    'type/wrong-nonce',
    mutate('transfer', (w) => (w.nonce = '0')),
    'the nonce as text',
  );
  add(
    'type/wrong-amount',
    mutate('transfer', (w) => (w.amount = new Uint8Array([5]))),
    'the amount as a byte string',
  );
  add(
    'type/nonce-above-2^53',
    mutate('transfer', (w) => (w.nonce = 2n ** 53n)),
    'a nonce of 2^53: nonces and counts stop at 2^53-1',
  );
  add(
    'type/unknown',
    mutate('transfer', (w) => (w.type = 'mint')),
    'a transaction type that does not exist',
  );
  add(
    'chain/invalid',
    mutate('transfer', (w) => (w.chain = 'Zi_Devnet')),
    'a chain id with upper case and "_" (TX-2)',
  );
  add(
    'chain/too-long',
    mutate('transfer', (w) => (w.chain = 'z'.repeat(33))),
    'a chain id of 33 characters (TX-2)',
  );
  add(
    'amount/negative',
    mutate('transfer', (w) => (w.amount = -1)),
    'an amount of -1 (AMT-2)',
  );
  add(
    'amount/negative-fee',
    mutate('transfer', (w) => (w.fee = -(2n ** 64n))),
    'a fee of -2^64',
  );
  const placeholder = 0x1122334455667788n;
  const bigAmount = toHex(mutate('transfer', (w) => (w.amount = placeholder)));
  add(
    'amount/above-2^64-1',
    fromHexString(patchHex(bigAmount, '1b1122334455667788', 'c249010000000000000000')),
    'an amount of 2^64 as a tag-2 bignum: CBOR integers stop at 2^64-1 and tags other than 42 do not exist (AMT-2)',
  );
  add(
    'amount/float',
    mutate('transfer', (w) => (w.amount = 1.5)),
    'an amount of 1.5 as a float (ENC-1)',
  );
  add(
    'address/31-bytes',
    mutate('transfer', (w) => (w.to = new Uint8Array(31).fill(1))),
    'a recipient of 31 bytes (ADR-1)',
  );
  add(
    'address/33-bytes',
    mutate('transfer', (w) => (w.from = new Uint8Array(33).fill(1))),
    'a sender of 33 bytes (ADR-1)',
  );
  add(
    'address/text',
    mutate('transfer', (w) => (w.to = bob)),
    'the recipient as zi1… text: on the wire an address is 32 bytes',
  );
  add(
    'cid/wrong-codec',
    mutate('close', (w) => (w.contract = CID.parse(rawContract))),
    'a contract id with the raw codec where dag-cbor is required (ENC-2)',
  );
  add(
    'cid/bundle-dag-cbor',
    mutate('publish', (w) => (w.bundle = cidOf(0x71, bundleBytes))),
    'a bundle CID with the dag-cbor codec where raw is required (ENC-2)',
  );
  add(
    'cid/version-0',
    mutate('close', (w) => (w.contract = CID.createV0(Digest.create(0x12, sha256(bundleBytes))))),
    'a CIDv0 (ENC-2 names CIDv1 only)',
  );
  add(
    'cid/text',
    mutate('close', (w) => (w.contract = w.contract.toString())),
    'a contract id as text instead of tag 42',
  );
  add(
    'meta/95-bytes',
    mutate('transfer', (w) => (w.meta = w.meta.subarray(0, 95))),
    'meta of 95 bytes (TX-5: exactly 96)',
  );
  add(
    'meta/97-bytes',
    mutate('transfer', (w) => (w.meta = concat(w.meta, new Uint8Array(1)))),
    'meta of 97 bytes',
  );
  add(
    'meta/non-zero-padding',
    mutate('transfer', (w) => {
      const meta = w.meta.slice();
      meta[95] = 0x41;
      w.meta = meta;
    }),
    'a zero byte after the text, then a non-zero byte: the padding must be zeros only (TX-5)',
  );
  add(
    'meta/invalid-utf8',
    mutate('transfer', (w) => {
      const meta = new Uint8Array(96);
      meta.set([0x72, 0x65, 0xff, 0x74]);
      w.meta = meta;
    }),
    'meta text that is not UTF-8 (0xff)',
  );
  add(
    'meta/text',
    mutate('transfer', (w) => (w.meta = 'rent')),
    'meta as text: on the wire it is 96 bytes',
  );
  add(
    'payout/ranges-overlapping',
    mutate(
      'payout',
      (w) =>
        (w.ranges = [
          [0, 4],
          [2, 4],
        ]),
    ),
    'ranges [0,4) and [2,6) overlap (RNG-2)',
  );
  add(
    'payout/ranges-unsorted',
    mutate(
      'payout',
      (w) =>
        (w.ranges = [
          [10, 2],
          [0, 4],
        ]),
    ),
    'ranges not sorted by start (RNG-2)',
  );
  add(
    'payout/ranges-touching',
    mutate(
      'payout',
      (w) =>
        (w.ranges = [
          [0, 4],
          [4, 2],
        ]),
    ),
    'ranges [0,4) and [4,6) touch: they must be written as one [0,6) (RNG-2)',
  );
  add(
    'payout/range-count-0',
    mutate('payout', (w) => (w.ranges = [[0, 0]])),
    'a range of no indices (RNG-1)',
  );
  add(
    'payout/range-three-items',
    mutate('payout', (w) => (w.ranges = [[0, 4, 1]])),
    'a range is [from, count]: exactly two integers',
  );
  add(
    'payout/range-past-2^53',
    mutate('payout', (w) => (w.ranges = [[Number.MAX_SAFE_INTEGER - 1, 2]])),
    'a range ending past 2^53-1 (RNG-1)',
  );
  add(
    'payout/no-ranges',
    mutate('payout', (w) => (w.ranges = [])),
    'a payout of no ranges',
  );
  add(
    'payout/fee-above-amount',
    mutate('payout', (w) => (w.fee = 61)),
    'a fee of 61 Li on a payout of 60 Li (PAY-4)',
  );
  add(
    'transfer/zero',
    mutate('transfer', (w) => (w.amount = 0)),
    'a transfer of 0 Li (TX-8)',
  );
  add(
    'stake/zero',
    mutate('stake', (w) => (w.amount = 0)),
    'a stake of 0 Li (TX-8)',
  );
  add(
    'unstake/zero',
    mutate('unstake', (w) => (w.amount = 0)),
    'an unstake of 0 Li (TX-8)',
  );
  add(
    'publish/mcus-0',
    mutate('publish', (w) => (w.mcus = 0)),
    'a contract of 0 MCUs (PUB-3)',
  );
  add(
    'publish/gas-0',
    mutate('publish', (w) => (w.gasPerMcu = 0)),
    'a contract with 0 gas per MCU (PUB-3)',
  );
  add(
    'publish/price-0',
    mutate('publish', (w) => (w.price = 0)),
    'a contract with a price of 0 (PUB-3)',
  );
  add(
    'publish/name-65-bytes',
    mutate('publish', (w) => (w.name = 'n'.repeat(65))),
    'a name of 65 bytes (at most 64)',
  );
  add(
    'audit-vote/verdict',
    mutate('audit-vote', (w) => (w.verdict = 'maybe')),
    'a verdict that is neither valid nor invalid',
  );
  add(
    'publish/code-too-long',
    mutate('publish/code-and-validation', (w) => (w.code = new Uint8Array(MAX_INLINE_BUNDLE_BYTES + 1))),
    'inline code of 1 MiB + 1 byte (PUB-2); the transaction itself is under MAX_TX_BYTES',
  );
  add(
    'too-large',
    mutate('publish/code-and-validation', (w) => (w.code = new Uint8Array(MAX_TX_BYTES))),
    `a transaction over MAX_TX_BYTES (${MAX_TX_BYTES}) bytes, rejected before decoding (TX-6)`,
  );
  add(
    'noncanonical/integer',
    fromHexString(patchHex(transferHex, '656e6f6e636500', '656e6f6e63651800')),
    'the transfer vector with its nonce 0 written 0x18 0x00 instead of 0x00 (ENC-3)',
  );
  add(
    'noncanonical/key-order',
    mapInOrder(Object.entries(wireOf(encodeTransaction(transfer))).reverse()),
    'the transfer vector with its map keys in reverse order (ENC-3)',
  );
  add(
    'noncanonical/float-nonce',
    fromHexString(patchHex(transferHex, '656e6f6e636500', '656e6f6e6365fb0000000000000000')),
    'the nonce 0 as a float',
  );
  add('trailing-byte', concat(encodeTransaction(transfer), new Uint8Array([0])), 'the transfer vector and one more byte');
  add('truncated', encodeTransaction(transfer).subarray(0, 100), 'the first 100 bytes of the transfer vector');
  add('not-a-map', encodeCbor([1, 2, 3]), 'a list where a transaction map is expected');

  // JSON forms that parseJson('transaction', json) must reject; transactionFromJson rejects them too.
  const transferJson = transactionToJson(transfer);
  const payoutJson = transactionToJson(signed.payout);
  const addJson = (id, json, reason) => {
    invalid.push({ id, comment: reason, json, error: mustFail(id, () => parseJson('transaction', json)), reason });
  };
  addJson('json/amount-above-2^64-1', { ...transferJson, amount: '18446744073709551616' }, 'an amount of 2^64 Li (AMT-2)');
  addJson('json/amount-number', { ...transferJson, amount: 5 }, 'an amount as a JSON number: amounts are decimal strings');
  addJson('json/amount-leading-zero', { ...transferJson, amount: '05' }, 'an amount with a leading zero: one spelling per amount');
  addJson('json/unknown-field', { ...transferJson, memo: 'hi' }, 'a field the transfer does not have');
  addJson('json/address-upper-case', { ...transferJson, to: bob.toUpperCase() }, 'an address in upper case (ADR-2)');
  addJson(
    'json/address-checksum',
    { ...transferJson, to: `${bob.slice(0, -1)}${bob.endsWith('q') ? 'p' : 'q'}` },
    'an address with a bad checksum',
  );
  addJson('json/sig-upper-case', { ...transferJson, sig: transferJson.sig.toUpperCase() }, 'a signature in upper-case hex');
  addJson('json/meta-too-long', { ...transferJson, meta: 'é'.repeat(49) }, 'meta of 49 characters but 98 UTF-8 bytes (TX-5)');
  addJson(
    'json/meta-lone-surrogate',
    { ...transferJson, meta: 'a\ud800b' },
    'meta with a lone UTF-16 surrogate: not Unicode, so UTF-8 cannot carry it',
  );
  addJson('json/transfer-zero', { ...transferJson, amount: '0' }, 'a transfer of 0 Li (TX-8), as for bytes');
  addJson(
    'json/ranges-touching',
    {
      ...payoutJson,
      ranges: [
        { from: 0, count: 4 },
        { from: 4, count: 2 },
      ],
    },
    'touching payout ranges (RNG-2), as for bytes',
  );
  addJson('json/fee-above-amount', { ...payoutJson, fee: '61' }, 'a payout fee above its amount (PAY-4), as for bytes');
  addJson(
    'json/cid-base58',
    { ...transactionToJson(signed.close), contract: 'QmNLei78zWmzUdbeRB3CiUfAizWUrbeeZh5K1rhAQKCh51' },
    'a CIDv0 in base58',
  );

  return {
    description:
      'Transactions (TX-1 … TX-8). valid: `hex` decodes with decodeTransaction, re-encodes to the same hex, has id `txId` (CIDv1 dag-cbor sha2-256 of the bytes), sha2-256 `digest` (the Merkle leaf input), JSON form `json` (transactionToJson; parseJson("transaction", json) encodes to `hex`) and signing bytes `signingBytes` ("zi-tx/1", 0x00, the canonical DAG-CBOR without `sig`); `signatureValid` is what verifyTransaction (KEY-4) answers: a node accepts a transaction only when it decodes and its signature is valid. Keys are 32 bytes filled with 0x01 (alice), 0x02 (bob), 0x03 (carol), 0x04 (dave), 0x05 (erin); `secretKey` signs the vector, and Ed25519 being deterministic, signing again gives the same `sig`. invalid: `hex` (or `hexParts`: hex strings and runs {repeat, times}) that decodeTransaction rejects with SpecError code `error`, or `json` that parseJson("transaction", …) rejects with `error`. Built by spec/vectors/generate.mjs.',
    rules: [
      'TX-1',
      'TX-2',
      'TX-3',
      'TX-5',
      'TX-6',
      'TX-7',
      'TX-8',
      'KEY-4',
      'KEY-6',
      'ENC-1',
      'ENC-2',
      'ENC-3',
      'ENC-5',
      'AMT-2',
      'ADR-1',
      'ADR-2',
      'RNG-1',
      'RNG-2',
      'PAY-4',
      'PAY-5',
      'PUB-2',
      'PUB-3',
    ],
    valid,
    invalid,
  };
}

// --- blocks.json ----------------------------------------------------------------------------------

const ALLOC = [
  { address: alice, amount: 1_000_000n * LI_PER_ZI },
  { address: bob, amount: 500n * LI_PER_ZI },
];
const devnet = devnetGenesis({ time: GENESIS_TIME, alloc: ALLOC });
const testnet = testnetGenesis({ time: GENESIS_TIME, alloc: ALLOC });

const headerToJson = (header) => SCHEMA_KINDS['block-header'].toJson(header);
const blockToJson = (block) => SCHEMA_KINDS.block.toJson(block);

/** Searches the nonce (u64 big-endian from 0) that makes a header meet its difficulty, in place (BLK-2). */
function mine(header) {
  const bytes = encodeHeader({ ...header, nonce: new Uint8Array(8) });
  const key = toHex(concat(dagCbor.encode('nonce'), cborHead(2, 8)));
  const at = toHex(bytes).indexOf(key) / 2 + key.length / 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
  for (let n = 0n; ; n++) {
    view.setBigUint64(0, n);
    if (meetsDifficulty(sha256(bytes), header.difficulty)) return { ...header, nonce: bytes.slice(at, at + 8) };
  }
}

function blockFields(block) {
  return {
    headerJson: headerToJson(block.header),
    headerHex: toHex(encodeHeader(block.header)),
    blockJson: blockToJson(block),
    blockHex: toHex(encodeBlock(block)),
    blockId: blockId(block.header),
    headerHash: toHex(headerHash(block.header)),
    meetsDifficulty: headerMeetsDifficulty(block.header),
    txRoot: toHex(block.header.txRoot),
    stateRoot: toHex(block.header.stateRoot),
  };
}

function blockVectors() {
  const valid = [];
  for (const [id, config] of [
    ['genesis/devnet', devnet],
    ['genesis/testnet', testnet],
  ]) {
    const block = genesisBlock(config);
    valid.push({
      id,
      comment: `the genesis block (GEN-4) of the ${config.chain} preset at time ${GENESIS_TIME} with two allocations`,
      genesisJson: genesisToJson(config),
      genesisHex: toHex(encodeGenesis(config)),
      genesisCid: genesisCid(config),
      ...blockFields(block),
    });
  }
  const devnetGenesisBlock = genesisBlock(devnet);
  const t = transactions();
  const txs = [
    signTransaction(t.transfer[1], keys.alice),
    signTransaction(t.publish[1], keys.alice),
    signTransaction({ type: 'transfer', chain, from: bob, nonce: 0, fee: 10n, meta: 'thanks', to: alice, amount: LI_PER_ZI }, keys.bob),
  ];
  // An illustrative state change list: decodeBlock does not check stateRoot (the node does).
  const stateRoot = nextStateRoot(devnetGenesisBlock.header.stateRoot, [
    { key: accountKey(alice), value: encodeAccount(999_994n * LI_PER_ZI, 2) },
    { key: accountKey(bob), value: encodeAccount(504n * LI_PER_ZI - 10n, 1) },
  ]);
  const height1 = {
    header: {
      version: 1,
      chain,
      parent: blockId(devnetGenesisBlock.header),
      height: 1,
      time: GENESIS_TIME + 1000,
      difficulty: difficultyAt(devnet, 1, 0),
      nonce: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
      miner: dave,
      txRoot: transactionsRoot(txs),
      txCount: txs.length,
      stateRoot,
    },
    txs,
  };
  valid.push({
    id: 'block/devnet-height-1',
    comment: 'a devnet block at height 1 with three transactions (transfer, publish, transfer); stateRoot is illustrative',
    txIds: txs.map((tx) => transactionId(tx)),
    ...blockFields(height1),
  });
  const testnetGenesisBlock = genesisBlock(testnet);
  const mined = {
    header: mine({
      version: 1,
      chain: 'zi-testnet',
      parent: blockId(testnetGenesisBlock.header),
      height: 1,
      time: GENESIS_TIME + 10_000,
      difficulty: difficultyAt(testnet, 1, 0),
      nonce: new Uint8Array(8),
      miner: dave,
      txRoot: transactionsRoot([]),
      txCount: 0,
      stateRoot: nextStateRoot(testnetGenesisBlock.header.stateRoot, []),
    }),
    txs: [],
  };
  valid.push({
    id: 'block/testnet-height-1-mined',
    comment: `an empty testnet block at height 1, difficulty ${difficultyAt(testnet, 1, 0)} (12 bits, the floor), nonce found by counting from 0 (u64 big-endian)`,
    txIds: [],
    ...blockFields(mined),
  });

  const invalid = [];
  const add = (id, decoder, bytes, reason) => {
    const decode = decoder === 'header' ? decodeHeader : decodeBlock;
    invalid.push({ id, comment: reason, decoder, ...bytesField(bytes), error: mustFail(id, () => decode(bytes)), reason });
  };
  const blockWire = () => {
    const wire = { ...wireOf(encodeBlock(height1)) };
    wire.header = { ...wire.header };
    return wire;
  };
  const mutateBlock = (change) => {
    const wire = blockWire();
    change(wire);
    return dagCbor.encode(wire);
  };
  const mutateHeader = (change) => {
    const wire = { ...wireOf(encodeHeader(height1.header)) };
    change(wire);
    return dagCbor.encode(wire);
  };
  add(
    'block/tx-root-mismatch',
    'block',
    mutateBlock((w) => (w.header.txRoot = merkleRoot([]))),
    'txRoot is the root of no transactions (BLK-4)',
  );
  add(
    'block/tx-order',
    'block',
    mutateBlock((w) => (w.txs = [w.txs[1], w.txs[0], w.txs[2]])),
    'two transactions swapped: the root covers the order (BLK-4)',
  );
  add(
    'block/tx-count-mismatch',
    'block',
    mutateBlock((w) => (w.header.txCount = 4)),
    'txCount 4 with 3 transactions (BLK-4)',
  );
  add(
    'block/unknown-header-field',
    'block',
    mutateBlock((w) => (w.header.extra = 1)),
    'a header field that does not exist (ENC-5)',
  );
  add(
    'block/unknown-field',
    'block',
    mutateBlock((w) => (w.receipts = [])),
    'a block field that does not exist (ENC-5)',
  );
  add(
    'block/tx-breaks-standalone-rule',
    'block',
    (() => {
      const zero = signTransaction({ ...t.transfer[1] }, keys.alice);
      const wireTx = { ...wireOf(encodeTransaction(zero)), amount: 0 };
      const bytes = dagCbor.encode(wireTx);
      const wire = blockWire();
      wire.txs = [wireTx];
      wire.header.txCount = 1;
      wire.header.txRoot = merkleRoot([sha256(bytes)]);
      return dagCbor.encode(wire);
    })(),
    'a block whose one transaction is a transfer of 0 Li (TX-8): the standalone rules hold inside blocks too',
  );
  add('block/truncated', 'block', encodeBlock(height1).subarray(0, 200), 'the first 200 bytes of the height-1 block');
  add(
    'header/unknown-field',
    'header',
    mutateHeader((w) => (w.extra = 1)),
    'a header field that does not exist (ENC-5)',
  );
  add(
    'header/too-large',
    'header',
    mutateHeader((w) => (w.extra = new Uint8Array(MAX_HEADER_BYTES))),
    `a header over MAX_HEADER_BYTES (${MAX_HEADER_BYTES}), rejected before decoding; a header of known fields is always far smaller`,
  );
  add(
    'header/version-256',
    'header',
    mutateHeader((w) => (w.version = 256)),
    'a version above 255 (BLK-1)',
  );
  add(
    'header/difficulty-above-max',
    'header',
    mutateHeader((w) => (w.difficulty = MAX_DIFFICULTY + 1)),
    'a difficulty above 255 bits (POW-2)',
  );
  add(
    'header/nonce-7-bytes',
    'header',
    mutateHeader((w) => (w.nonce = new Uint8Array(7))),
    'a nonce of 7 bytes (BLK-2: exactly 8)',
  );
  add(
    'header/parent-raw-cid',
    'header',
    mutateHeader((w) => (w.parent = cidOf(0x55, utf8Bytes('x')))),
    'a parent id with the raw codec',
  );
  add('header/truncated', 'header', encodeHeader(height1.header).subarray(0, 50), 'the first 50 bytes of a header');

  return {
    description:
      'Genesis configurations and blocks (GEN-1, GEN-4, BLK-1 … BLK-5). valid: genesis blocks of the devnet and testnet presets (genesis JSON and canonical bytes, genesis CID) and blocks at height 1; for each, the header JSON and hex, the block JSON and hex (decodeBlock accepts it and re-encodes it to the same hex), the block id (CIDv1 of the header bytes), the proof-of-work hash (sha256 of the header bytes), whether it meets the header difficulty, txRoot and stateRoot. invalid: bytes that decodeBlock (decoder "block") or decodeHeader (decoder "header") rejects with SpecError code `error`. Built by spec/vectors/generate.mjs.',
    rules: ['GEN-1', 'GEN-2', 'GEN-4', 'GEN-5', 'STATE-4', 'BLK-1', 'BLK-2', 'BLK-3', 'BLK-4', 'BLK-5', 'POW-1', 'TX-7', 'ENC-3', 'ENC-5'],
    valid,
    invalid,
  };
}

// --- pow.json --------------------------------------------------------------------------------------

function powVectors() {
  const valid = [];
  const hex256 = (n) => n.toString(16).padStart(64, '0');
  for (const [name, d] of [
    ['0', 0],
    ['1', 1],
    ['65535', 65535],
    ['65536', 65536],
    ['65537', 65537],
    ['8x65536', 8 * 65536],
    ['20.5x65536', 20.5 * 65536],
    ['12345678', 12_345_678],
    ['MAX_DIFFICULTY-1', MAX_DIFFICULTY - 1],
    ['MAX_DIFFICULTY', MAX_DIFFICULTY],
  ]) {
    valid.push({
      id: `targetOf/${name}`,
      comment: `target of difficulty ${d} (${d / DIFFICULTY_ONE} bits), hex, 2^256 has 65 digits`,
      fn: 'targetOf',
      difficulty: d,
      target: targetOf(d).toString(16),
    });
  }
  for (const [name, n] of [
    ['1', 1n],
    ['2', 2n],
    ['3', 3n],
    ['1000', 1000n],
    ['1024', 1024n],
    ['2^53-1', 2n ** 53n - 1n],
    ['10^30', 10n ** 30n],
    ['2^64+1', 2n ** 64n + 1n],
  ]) {
    valid.push({
      id: `log2Fixed/${name}`,
      comment: `floor(log2(${name}) · 65536)`,
      fn: 'log2Fixed',
      n: n.toString(),
      result: log2Fixed(n),
    });
  }
  for (const d of [0, 65536, 65537, 20 * 65536, MAX_DIFFICULTY]) {
    valid.push({
      id: `workOf/${d}`,
      comment: 'floor(2^256 / target), decimal (POW-4)',
      fn: 'workOf',
      difficulty: d,
      work: workOf(d).toString(),
    });
  }
  const meets = (id, hash, d, comment) => {
    valid.push({
      id: `meetsDifficulty/${id}`,
      comment,
      fn: 'meetsDifficulty',
      hash: hex256(hash),
      difficulty: d,
      result: meetsDifficulty(fromHexString(hex256(hash)), d),
    });
  };
  meets('d0-max-hash', 2n ** 256n - 1n, 0, 'difficulty 0: the target is 2^256, every hash meets it');
  for (const d of [65536, 20.5 * 65536, 8 * 65536 + 1]) {
    const target = targetOf(d);
    meets(`${d}-target-minus-1`, target - 1n, d, 'a hash of target - 1 is below the target: valid');
    meets(`${d}-target`, target, d, 'a hash equal to the target is not below it: invalid');
  }
  meets('max-difficulty-zero-hash', 0n, MAX_DIFFICULTY, 'the zero hash meets the hardest difficulty (target 2)');
  meets('max-difficulty-hash-2', 2n, MAX_DIFFICULTY, 'a hash of 2 does not meet the hardest difficulty (target 2)');
  for (const [name, config] of [
    ['devnet', devnet],
    ['testnet', testnet],
  ]) {
    for (const height of [1, 2, 1000, 2 ** 20, 2 ** 40]) {
      for (const open of [0, 50, 100, 200, 1_000_000]) {
        valid.push({
          id: `difficultyAt/${name}/${height}/${open}`,
          comment: `DIF-1 for the ${name} preset at height ${height} with ${open} open contracts`,
          fn: 'difficultyAt',
          preset: name,
          height,
          openContracts: open,
          result: difficultyAt(config, height, open),
        });
      }
    }
  }
  for (const count of [0, 1, 2, 3, 4, 5, 7, 8]) {
    const leaves = Array.from({ length: count }, (_, i) => sha256(new Uint8Array([i])));
    valid.push({
      id: `merkleRoot/${count}`,
      comment: `Merkle root (BLK-4) of ${count} leaves, leaf i = sha256 of the one byte [i]`,
      fn: 'merkleRoot',
      leaves: leaves.map(toHex),
      root: toHex(merkleRoot(leaves)),
    });
  }
  const changes = [
    { key: accountKey(bob), value: encodeAccount(500n * LI_PER_ZI, 0) },
    { key: concat(new Uint8Array([0x02]), new Uint8Array(32).fill(9)), value: null },
    { key: accountKey(alice), value: encodeAccount(MAX_AMOUNT, 7) },
    { key: new Uint8Array([0x05]), value: encodeCbor([1, 2, 3]) },
  ];
  const parent = sha256(utf8Bytes('parent'));
  const change = (c) => ({ key: toHex(c.key), value: c.value === null ? null : toHex(c.value) });
  valid.push({
    id: 'nextStateRoot/mixed',
    comment: 'STATE-1: changes given unsorted (they are sorted by key bytes), one deletion (value null); parent = sha256("parent")',
    fn: 'nextStateRoot',
    parent: toHex(parent),
    changes: changes.map(change),
    root: toHex(nextStateRoot(parent, changes)),
  });
  valid.push({
    id: 'nextStateRoot/empty',
    comment: 'STATE-1 with no changes: still a new root (the hash chain moves every block)',
    fn: 'nextStateRoot',
    parent: toHex(new Uint8Array(32)),
    changes: [],
    root: toHex(nextStateRoot(new Uint8Array(32), [])),
  });
  for (const [seq, maxBatch] of [...Array.from({ length: 13 }, (_, i) => [i, 256]), [53, 256], [1000, 256], [0, 1], [5, 20]]) {
    valid.push({
      id: `batchSize/${seq}/${maxBatch}`,
      comment: 'SES-3: 2^seq MCUs, at most maxBatch',
      fn: 'batchSize',
      seq,
      maxBatch,
      result: batchSize(seq, maxBatch),
    });
  }
  const invalid = [];
  const range = (id, fn, args, reason, f) => {
    let error;
    try {
      f();
    } catch (e) {
      error = e.name;
    }
    if (error !== 'RangeError') throw new Error(`vector ${id}: expected a RangeError`);
    invalid.push({ id, comment: reason, fn, ...args, error, reason });
  };
  range('targetOf/negative', 'targetOf', { difficulty: -1 }, 'a difficulty below 0', () => targetOf(-1));
  range('targetOf/above-max', 'targetOf', { difficulty: MAX_DIFFICULTY + 1 }, 'a difficulty above 255 bits', () =>
    targetOf(MAX_DIFFICULTY + 1),
  );
  range('targetOf/fraction', 'targetOf', { difficulty: 1.5 }, 'a difficulty that is not an integer', () => targetOf(1.5));
  range('log2Fixed/0', 'log2Fixed', { n: '0' }, 'log2 of 0', () => log2Fixed(0n));
  range(
    'difficultyAt/height-0',
    'difficultyAt',
    { preset: 'devnet', height: 0, openContracts: 0 },
    'height 0 is the genesis block, which has difficulty 0 by GEN-4',
    () => difficultyAt(devnet, 0, 0),
  );
  range('batchSize/max-0', 'batchSize', { seq: 0, maxBatch: 0 }, 'a maximum batch of 0', () => batchSize(0, 0));
  return {
    description:
      'Proof-of-work arithmetic and hashes (POW-1 … POW-5, DIF-1, BLK-4, STATE-1, SES-3). Each vector names its function in `fn`: targetOf (target as hex), log2Fixed (n decimal), workOf (decimal), meetsDifficulty (hash hex), difficultyAt (for the devnet/testnet presets of blocks.json), merkleRoot, nextStateRoot, batchSize. invalid: arguments outside the domain of the function, which throws a RangeError (a programming error, not a SpecError). Built by spec/vectors/generate.mjs.',
    rules: ['POW-1', 'POW-2', 'POW-3', 'POW-4', 'POW-5', 'DIF-1', 'BLK-4', 'STATE-1', 'STATE-3', 'SES-3'],
    valid,
    invalid,
  };
}

// --- amounts.json ------------------------------------------------------------------------------------

function amountVectors() {
  const valid = [];
  for (const [input, comment] of [
    ['0', 'zero'],
    ['10', 'a plain integer is Li'],
    ['10 Li', 'Li, with the unit'],
    ['1.5 Zi', 'Zi with a fraction'],
    ['1 zi', 'units are case-insensitive'],
    ['10LI', 'no space before the unit, any case'],
    ['0.000000001 Zi', '1 Li, the smallest amount, in Zi'],
    ['18446744073709551615', 'the largest amount, 2^64-1 Li'],
    ['18446744073.709551615 Zi', 'the largest amount in Zi'],
    [' 7 li ', 'space around is ignored'],
    ['1.0 Li', 'a zero fraction of a Li is not a fraction'],
    ['1.5000000000 Zi', 'more than 9 decimals of Zi when the extra ones are zeros'],
    ['007', 'leading zeros are accepted (AMT-3 does not forbid them)'],
  ]) {
    valid.push({ id: `parse/${input.trim() || 'empty'}`, comment, fn: 'parseAmount', input, li: parseAmount(input).toString() });
  }
  for (const li of [0n, 1n, 999n, 999_999_999n, LI_PER_ZI, 1_500_000_000n, 1_000_000_001n, 123n * LI_PER_ZI + 450_000_000n, MAX_AMOUNT]) {
    valid.push({
      id: `format/${li}`,
      comment: 'formatAmount: Zi with up to 9 decimals from 1 Zi, else Li',
      fn: 'formatAmount',
      li: li.toString(),
      text: formatAmount(li),
    });
  }
  const invalid = [];
  for (const [input, reason] of [
    ['-1', 'negative'],
    ['-0', 'a minus sign, even on zero'],
    [' -5 Zi', 'negative Zi'],
    ['1.5 Li', 'a fraction of a Li'],
    ['0.0000000001 Zi', '10 decimals of Zi: below 1 Li'],
    ['18446744073709551616', '2^64 Li: above the maximum'],
    ['18446744073.709551616 Zi', '2^64 Li in Zi'],
    ['1e9', 'exponent notation'],
    ['', 'empty'],
    ['   ', 'only spaces'],
    ['abc', 'not a number'],
    ['Zi', 'a unit without a number'],
    ['1,5 Zi', 'a decimal comma'],
    ['0x10', 'hexadecimal'],
    ['+5', 'a plus sign'],
    ['1.', 'a point without decimals'],
    ['.5 Zi', 'decimals without a whole part'],
    ['5 Zi Li', 'two units'],
    ['1 5', 'two numbers'],
    ['5 mZi', 'an unknown unit'],
    ['٣', 'a digit that is not ASCII'],
  ]) {
    invalid.push({
      id: `parse/${input.trim() || (input === '' ? 'empty' : 'spaces')}`,
      comment: reason,
      fn: 'parseAmount',
      input,
      error: mustFail(input, () => parseAmount(input)),
      reason,
    });
  }
  return {
    description:
      'Amounts (AMT-1 … AMT-3): parseAmount(input) gives `li` (decimal string) for valid parse vectors and throws SpecError code `error` for invalid ones; formatAmount(li) gives `text`. Built by spec/vectors/generate.mjs.',
    rules: ['AMT-1', 'AMT-2', 'AMT-3'],
    valid,
    invalid,
  };
}

// --- session.json ----------------------------------------------------------------------------------

function sessionVectors() {
  const t = transactions();
  const contract = transactionId(signTransaction(t.publish[1], keys.alice));
  const peer = '12D3KooWGzBfVMYT7ZkLw7cxmWi1dtyv6xzZcGJq2kwfJ8ZLQj6W';
  const time = GENESIS_TIME + 60_000;
  const locate = signSessionMessage(
    {
      type: 'locate',
      chain,
      contract,
      solver: bob,
      peer,
      addrs: ['/ip4/192.0.2.7/tcp/4001', '/ip6/2001:db8::7/udp/4001/quic-v1'],
      time,
      proof: locateProof(bob, time, peer, contract),
    },
    keys.bob,
  );
  const ack = signSessionMessage(
    {
      type: 'ack',
      chain,
      contract,
      solver: bob,
      locate: locateDigest(locate),
      signer: alice,
      time: time + 500,
      maxBatch: 256,
      skip: [{ from: 4, count: 6 }],
    },
    keys.alice,
  );
  const { sig: _sig, ...unsignedPayout } = signTransaction(t.payout[1], keys.alice);
  const batch = { type: 'batch', contract, seq: 0, results: resultBytes, payout: unsignedPayout };
  const paid = { type: 'paid', contract, seq: 0, payout: signTransaction(t.payout[1], keys.alice) };
  const refuse = { type: 'refuse', contract, seq: 1, reason: 'wrong-ranges', message: 'batch 1 must start at index 12' };
  const refuseSession = { type: 'refuse', contract, reason: 'busy', message: '' };
  const toJson = (m) => SCHEMA_KINDS['session-message'].toJson(m);
  const valid = [];
  for (const [id, message, comment, key] of [
    [
      'locate',
      locate,
      'bob locates the contract (SES-1), proof = sha256(key || u64be(time) || peer || contract CID bytes), signed by bob',
      keys.bob,
    ],
    ['ack', ack, 'alice opens the session (SES-2), naming the locate by its sha256, signed by alice', keys.alice],
    ['batch', batch, 'batch 0 with its results and the unsigned payout for them (SES-4)'],
    ['paid', paid, 'the signed payout for batch 0 (SES-5)'],
    ['refuse', refuse, 'a refusal of batch 1 (SES-5)'],
    ['refuse/session', refuseSession, 'a refusal of the whole session: no seq'],
  ]) {
    valid.push({
      id,
      comment,
      ...(key ? { secretKey: toHex(key) } : {}),
      json: toJson(message),
      hex: toHex(encodeSessionMessage(message)),
      ...(message.type === 'locate' || message.type === 'ack' ? { verified: true } : {}),
      ...(message.type === 'locate' ? { digest: toHex(locateDigest(message)) } : {}),
    });
  }
  const invalid = [];
  const add = (id, check, bytes, reason) => {
    const f = check === 'verify' ? () => verifySessionMessage(decodeSessionMessage(bytes)) : () => decodeSessionMessage(bytes);
    if (check === 'verify') decodeSessionMessage(bytes); // decodes fine: only the check fails
    invalid.push({ id, comment: reason, check, hex: toHex(bytes), error: mustFail(id, f), reason });
  };
  const mutate = (message, change) => {
    const wire = { ...wireOf(encodeSessionMessage(message)) };
    change(wire);
    return dagCbor.encode(wire);
  };
  const wrongProof = signSessionMessage({ ...locate, sig: undefined, proof: locateProof(bob, time + 1, peer, contract) }, keys.bob);
  add('locate/wrong-proof', 'verify', encodeSessionMessage(wrongProof), 'a locate, signed, whose proof is for another time (SES-1)');
  add(
    'locate/tampered-time',
    'verify',
    mutate(locate, (w) => (w.time = time + 1)),
    'the locate vector with its time changed after signing',
  );
  const forged = { ...ack, sig: sign(new Uint8Array([1, 2, 3]), keys.erin) };
  add('ack/wrong-key', 'verify', encodeSessionMessage(forged), 'an ack whose signature is not by its signer (SES-2)');
  const byOther = signSessionMessage({ ...ack, signer: addressOfKey(keys.erin), sig: undefined }, keys.erin);
  add(
    'ack/signer-swapped',
    'verify',
    mutate(byOther, (w) => (w.signer = fromHexString(toHex(publicKeyOf(keys.alice))))),
    'an ack signed by erin with the signer field changed to alice',
  );
  add(
    'type/unknown',
    'decode',
    mutate(refuse, (w) => (w.type = 'hello')),
    'a message type that does not exist',
  );
  add(
    'refuse/unknown-reason',
    'decode',
    mutate(refuse, (w) => (w.reason = 'tired')),
    'a refusal reason not in REFUSAL_REASONS (SES-5)',
  );
  add(
    'refuse/seq-null',
    'decode',
    mutate(refuse, (w) => (w.seq = null)),
    'an optional seq written as null',
  );
  add(
    'batch/payout-with-sig',
    'decode',
    mutate(batch, (w) => (w.payout = { ...w.payout, sig: new Uint8Array(64) })),
    'the payout of a batch is unsigned (SES-4)',
  );
  add(
    'batch/payout-ranges-unsorted',
    'decode',
    mutate(
      batch,
      (w) =>
        (w.payout = {
          ...w.payout,
          ranges: [
            [10, 2],
            [0, 4],
          ],
        }),
    ),
    'a batch payout with unsorted ranges (RNG-2)',
  );
  add(
    'paid/payout-fee-above-amount',
    'decode',
    mutate(paid, (w) => (w.payout = { ...w.payout, fee: 61 })),
    'a paid payout with its fee above its amount (PAY-4)',
  );
  add(
    'ack/missing-skip',
    'decode',
    mutate(ack, (w) => delete w.skip),
    'an ack without skip',
  );
  add(
    'locate/too-many-addrs',
    'decode',
    mutate(locate, (w) => (w.addrs = Array.from({ length: 17 }, () => '/ip4/192.0.2.7/tcp/1'))),
    'a locate with 17 addresses (at most 16)',
  );
  return {
    description:
      'Solver-session messages (SES-1 … SES-6): valid messages as JSON (the session-message schema) and canonical hex; for locate and ack, verifySessionMessage accepts them (`verified`). invalid: `check` "decode" means decodeSessionMessage rejects the hex with SpecError code `error`; "verify" means the hex decodes but verifySessionMessage throws `error`. Keys as in transactions.json. Built by spec/vectors/generate.mjs.',
    rules: ['SES-1', 'SES-2', 'SES-4', 'SES-5', 'SES-6', 'KEY-6', 'RNG-2', 'PAY-4'],
    valid,
    invalid,
  };
}

// --- serving.json ----------------------------------------------------------------------------------

function servingVectors() {
  // The node's libp2p identity: an Ed25519 key, its peer id inlining the public key (NET-8).
  const peerKey = secretKey(9);
  const peer = peerIdOf(publicKeyOf(peerKey));
  const otherPeerKey = secretKey(10);
  const otherPeer = peerIdOf(publicKeyOf(otherPeerKey));
  const time = GENESIS_TIME + 120_000;
  const base = {
    chain,
    bidder: alice,
    peer,
    addrs: [`/ip4/192.0.2.7/tcp/4001/p2p/${peer}`, `/ip6/2001:db8::7/tcp/4001/p2p/${peer}`],
    time,
  };
  const announcement = signServingAnnouncement(base, keys.alice, peerKey);
  // The largest an announcement gets: 16 addresses of 256 bytes each still fit MAX_SERVING_BYTES.
  const longAddr = (i) => {
    const tail = `/tcp/4001/p2p/${peer}`;
    const host = `n${String(i).padStart(2, '0')}.`;
    return `/dns4/${host.padEnd(256 - '/dns4/'.length - tail.length - '.example'.length, 'a')}.example${tail}`;
  };
  const largest = signServingAnnouncement({ ...base, addrs: Array.from({ length: 16 }, (_, i) => longAddr(i)) }, keys.alice, peerKey);
  const toJson = (a) => SCHEMA_KINDS['serving-announcement'].toJson(a);
  const valid = [
    [
      'announcement',
      announcement,
      'alice’s sessions are served by the node of peer key 0x09…: signed by alice (sig) and by that peer key (peerSig) over the same bytes (NET-8, KEY-6)',
    ],
    ['announcement/largest', largest, '16 addresses of 256 bytes, the most an announcement may hold (NET-8)'],
  ].map(([id, a, comment]) => ({
    id,
    comment,
    secretKey: toHex(keys.alice),
    peerSecretKey: toHex(peerKey),
    json: toJson(a),
    hex: toHex(encodeServingAnnouncement(a)),
    signing: toHex(servingSigningBytes(a)),
    verified: true,
  }));
  const invalid = [];
  const add = (id, check, bytes, reason) => {
    const f =
      check === 'verify' ? () => verifyServingAnnouncement(decodeServingAnnouncement(bytes)) : () => decodeServingAnnouncement(bytes);
    if (check === 'verify') decodeServingAnnouncement(bytes); // decodes fine: only the check fails
    invalid.push({ id, comment: reason, check, ...bytesField(bytes), error: mustFail(id, f), reason });
  };
  const mutate = (change) => {
    const wire = { ...wireOf(encodeServingAnnouncement(announcement)) };
    change(wire);
    return dagCbor.encode(wire);
  };
  add(
    'addrs/other-peer',
    'decode',
    mutate((w) => (w.addrs = [`/ip4/192.0.2.7/tcp/4001/p2p/${otherPeer}`])),
    'an address of another peer: every address must end in /p2p/<peer> (NET-8)',
  );
  add(
    'addrs/no-peer',
    'decode',
    mutate((w) => (w.addrs = ['/ip4/192.0.2.7/tcp/4001'])),
    'an address without /p2p/<peer> (NET-8)',
  );
  add(
    'addrs/empty',
    'decode',
    mutate((w) => (w.addrs = [])),
    'no address at all',
  );
  add(
    'addrs/too-many',
    'decode',
    mutate((w) => (w.addrs = Array.from({ length: 17 }, () => `/ip4/192.0.2.7/tcp/1/p2p/${peer}`))),
    '17 addresses (at most 16)',
  );
  add(
    'peer/not-ed25519',
    'decode',
    mutate((w) => {
      w.peer = 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N';
      w.addrs = [`/ip4/192.0.2.7/tcp/4001/p2p/${w.peer}`];
    }),
    'a peer id that hashes its key instead of inlining an Ed25519 key: no key to check peerSig with (NET-8)',
  );
  add(
    'peer/bad-prefix',
    'decode',
    mutate((w) => {
      w.peer = base58.encode(concat(new Uint8Array([0x00, 0x24, 0x08, 0x02, 0x12, 0x20]), publicKeyOf(peerKey)));
      w.addrs = [`/ip4/192.0.2.7/tcp/4001/p2p/${w.peer}`];
    }),
    'an identity peer id whose key type is not Ed25519',
  );
  add(
    'field/unknown',
    'decode',
    mutate((w) => (w.note = 'hi')),
    'a field the announcement does not have (ENC-5)',
  );
  add(
    'field/missing-peer-sig',
    'decode',
    mutate((w) => delete w.peerSig),
    'an announcement signed by the bidder only',
  );
  add(
    'size/too-large',
    'decode',
    mutate((w) => (w.addrs = [`/dns4/${'a'.repeat(7000)}/p2p/${peer}`])),
    'more than MAX_SERVING_BYTES (6 KiB), refused before decoding (ENC-4)',
  );
  const wire = wireOf(encodeServingAnnouncement(announcement));
  add(
    'cbor/unsorted-keys',
    'decode',
    mapInOrder(
      Object.keys(wire)
        .reverse()
        .map((key) => [key, wire[key]]),
    ),
    'the valid announcement with its map keys in reverse order (ENC-3)',
  );
  add(
    'sig/wrong-key',
    'verify',
    mutate((w) => (w.sig = sign(servingSigningBytes(announcement), keys.erin))),
    'sig made by erin, not by the bidder alice (NET-8)',
  );
  add(
    'sig/bidder-swapped',
    'verify',
    encodeServingAnnouncement({
      ...signServingAnnouncement({ ...base, bidder: addressOfKey(keys.erin) }, keys.erin, peerKey),
      bidder: alice,
    }),
    'an announcement signed by erin (and the peer) with its bidder then changed to alice',
  );
  add(
    'time/tampered',
    'verify',
    mutate((w) => (w.time = time + 1)),
    'the valid announcement with its time changed after signing',
  );
  const claimed = { ...base, peer: otherPeer, addrs: [`/ip4/192.0.2.7/tcp/4001/p2p/${otherPeer}`] };
  add(
    'peerSig/not-the-peer',
    'verify',
    encodeServingAnnouncement({
      ...claimed,
      sig: sign(servingSigningBytes(claimed), keys.alice),
      peerSig: sign(servingSigningBytes(claimed), peerKey),
    }),
    'alice names another node as hers, but only her own node’s key signed peerSig: the named peer never agreed (NET-8)',
  );
  return {
    description:
      'Serving announcements (NET-8): valid ones as JSON (the serving-announcement schema), canonical hex and the bytes both keys sign (`signing`); verifyServingAnnouncement accepts them. `secretKey` is the bidder’s, `peerSecretKey` the 32-byte Ed25519 seed of the node’s libp2p key. invalid: `check` "decode" means decodeServingAnnouncement rejects the hex with SpecError code `error`; "verify" means the hex decodes but verifyServingAnnouncement throws `error`. Freshness and replacement depend on the receiver’s clock and are not here. Keys as in transactions.json. Built by spec/vectors/generate.mjs.',
    rules: ['NET-8', 'KEY-6', 'ENC-3', 'ENC-4', 'ENC-5'],
    valid,
    invalid,
  };
}

// --- entry ---------------------------------------------------------------------------------------------

/** Every vector file by name. */
export function buildVectors() {
  return {
    'cbor.json': cborVectors(),
    'transactions.json': transactionVectors(),
    'blocks.json': blockVectors(),
    'pow.json': powVectors(),
    'amounts.json': amountVectors(),
    'session.json': sessionVectors(),
    'serving.json': servingVectors(),
  };
}

/** The text a vector file holds: JSON as Biome formats it here (see formatJson) and a final newline. */
export function vectorFileText(content) {
  return formatJson(content);
}

const LINE_WIDTH = 140;

/**
 * JSON laid out the way Biome formats JSON with this repository's settings (2 spaces, 140
 * columns), so that the committed files pass `biome check` unchanged: objects one member per line,
 * arrays on one line when they fit and hold no non-empty object, else one item per line.
 */
export function formatJson(value) {
  return `${printJson(JSON.parse(JSON.stringify(value)), 0, 0, 0)}\n`;
}

/** The one-line form of a JSON value, or null when it cannot be on one line. */
function flatJson(value) {
  if (Array.isArray(value)) {
    const items = value.map(flatJson);
    return items.includes(null) ? null : `[${items.join(', ')}]`;
  }
  if (value !== null && typeof value === 'object') return Object.keys(value).length === 0 ? '{}' : null;
  return JSON.stringify(value);
}

/** `column`: where the value starts on its line; `trailing`: characters after it on the line (a comma). */
function printJson(value, indent, column, trailing) {
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(value)) {
    const flat = flatJson(value);
    if (flat !== null && column + flat.length + trailing <= LINE_WIDTH) return flat;
    const items = value.map((item, i) => pad + printJson(item, indent + 2, indent + 2, i < value.length - 1 ? 1 : 0));
    return `[\n${items.join(',\n')}\n${' '.repeat(indent)}]`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return '{}';
    const members = keys.map((key, i) => {
      const head = `${JSON.stringify(key)}: `;
      return pad + head + printJson(value[key], indent + 2, indent + 2 + head.length, i < keys.length - 1 ? 1 : 0);
    });
    return `{\n${members.join(',\n')}\n${' '.repeat(indent)}}`;
  }
  return JSON.stringify(value);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [name, content] of Object.entries(buildVectors())) {
    const text = vectorFileText(content);
    writeFileSync(new URL(`./${name}`, import.meta.url), text);
    console.log(`${name}: ${content.valid.length} valid, ${content.invalid.length} invalid, ${text.length} bytes`);
  }
}
