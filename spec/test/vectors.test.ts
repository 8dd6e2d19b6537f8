import { readdirSync, readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { buildSchemas, schemaFileText } from '../schemas/generate.mjs';
import {
  type Block,
  batchSize,
  blockId,
  decodeBlock,
  decodeCbor,
  decodeGenesis,
  decodeHeader,
  decodeServingAnnouncement,
  decodeSessionMessage,
  decodeTransaction,
  devnetGenesis,
  difficultyAt,
  encodeBlock,
  encodeCbor,
  encodeGenesis,
  encodeHeader,
  encodeServingAnnouncement,
  encodeSessionMessage,
  encodeTransaction,
  formatAmount,
  fromHex,
  type GenesisConfig,
  genesisBlock,
  genesisCid,
  genesisFromJson,
  genesisToJson,
  headerHash,
  headerMeetsDifficulty,
  type LocateMessage,
  locateDigest,
  locateProof,
  log2Fixed,
  meetsDifficulty,
  merkleRoot,
  nextStateRoot,
  parseAmount,
  parseJson,
  SCHEMA_KINDS,
  type ServingAnnouncement,
  type SessionMessage,
  SpecError,
  servingSigningBytes,
  signServingAnnouncement,
  signTransaction,
  type Transaction,
  targetOf,
  testnetGenesis,
  toHex,
  transactionDigest,
  transactionFromJson,
  transactionId,
  transactionSigningBytes,
  transactionsRoot,
  transactionToJson,
  verifyServingAnnouncement,
  verifySessionMessage,
  verifyTransaction,
  workOf,
} from '../src/index.js';
import { buildVectors, vectorFileText } from '../vectors/generate.mjs';

// biome-ignore lint/suspicious/noExplicitAny: vectors are untyped JSON, each test reads the fields it knows
type Vector = Record<string, any>;
interface VectorFile {
  description: string;
  rules: string[];
  valid: Vector[];
  invalid: Vector[];
}

const FILES = ['cbor.json', 'transactions.json', 'blocks.json', 'pow.json', 'amounts.json', 'session.json', 'serving.json'] as const;

function load(name: (typeof FILES)[number]): VectorFile {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8')) as VectorFile;
}

/** The bytes of a vector: `hex`, or `hexParts` (hex strings and `{ repeat, times }` runs). */
function bytesOf(vector: Vector, field = 'hex'): Uint8Array {
  if (vector.hexParts === undefined || field !== 'hex') return fromHex(vector[field] as string);
  const parts = (vector.hexParts as (string | { repeat: string; times: number })[]).map((part) =>
    typeof part === 'string' ? fromHex(part) : new Uint8Array(part.times).fill(fromHex(part.repeat)[0] as number),
  );
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The SpecError code `f` throws; anything else (no error, another error type) is a distinct answer. */
function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    return error instanceof SpecError ? error.code : `not a SpecError: ${String(error)}`;
  }
  return 'no error';
}

/** Typed JSON of a decoded DAG-CBOR value, as cbor.json writes it. */
function typed(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'bigint') return { int: String(value) };
  if (value instanceof Uint8Array) return { bytes: toHex(value) };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(typed);
  const cid = CID.asCID(value);
  if (cid) return { cid: cid.toString() };
  return { map: Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, typed(v)])) };
}

/** The value a typed JSON names (integers in the safe range as numbers, like the decoder). */
function untyped(json: unknown): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(untyped);
  const record = json as Record<string, unknown>;
  if ('int' in record) {
    const n = BigInt(record.int as string);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ('bytes' in record) return fromHex(record.bytes as string);
  if ('cid' in record) return CID.parse(record.cid as string);
  return Object.fromEntries(Object.entries(record.map as Record<string, unknown>).map(([k, v]) => [k, untyped(v)]));
}

const headerJson = (header: Block['header']) => SCHEMA_KINDS['block-header'].toJson(header);
const blockJson = (block: Block) => SCHEMA_KINDS.block.toJson(block);
const messageJson = (message: SessionMessage) => SCHEMA_KINDS['session-message'].toJson(message);
const MESSAGE_SCHEMA = {
  locate: 'locate-message',
  ack: 'ack-message',
  batch: 'batch-message',
  paid: 'paid-message',
  refuse: 'refusal-message',
} as const;

describe('vector files', () => {
  it.each(FILES)('%s has the common shape, unique ids, a comment on every vector and an error on every invalid one', (name) => {
    const file = load(name);
    expect(typeof file.description).toBe('string');
    expect(file.rules.length).toBeGreaterThan(0);
    expect(file.valid.length).toBeGreaterThan(0);
    const ids = [...file.valid, ...file.invalid].map((v) => v.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const v of [...file.valid, ...file.invalid]) {
      expect(typeof v.id, JSON.stringify(v).slice(0, 80)).toBe('string');
      expect(typeof v.comment, v.id).toBe('string');
    }
    for (const v of file.invalid) {
      expect(typeof v.error, v.id).toBe('string');
      expect(typeof v.reason, v.id).toBe('string');
    }
  });

  it('buildVectors() reproduces the committed files byte for byte', () => {
    for (const [name, content] of Object.entries(buildVectors())) {
      const committed = readFileSync(new URL(`../vectors/${name}`, import.meta.url), 'utf8');
      expect(
        vectorFileText(content) === committed,
        `spec/vectors/${name} differs from what the generator writes: run \`npx tsc -b spec && node spec/vectors/generate.mjs\` and review the diff`,
      ).toBe(true);
    }
  });

  it('the committed JSON Schemas are the generated ones, and there is no other', () => {
    const built = buildSchemas();
    const dir = new URL('../schemas/', import.meta.url);
    const committed = readdirSync(dir).filter((file) => file.endsWith('.json'));
    expect(committed.sort()).toEqual(Object.keys(built).sort());
    for (const [file, schema] of Object.entries(built)) {
      expect(
        schemaFileText(schema) === readFileSync(new URL(file, dir), 'utf8'),
        `spec/schemas/${file} differs from jsonSchemaOf: run \`npx tsc -b spec && node spec/schemas/generate.mjs\` and review the diff`,
      ).toBe(true);
    }
  });
});

describe('cbor.json (ENC-1, ENC-3)', () => {
  const file = load('cbor.json');
  it.each(file.valid.map((v) => [v.id, v]))('valid %s', (_, v) => {
    const bytes = bytesOf(v);
    const value = decodeCbor(bytes, v.maxBytes);
    expect(typed(value)).toEqual(v.value);
    expect(toHex(encodeCbor(value))).toBe(v.hex);
    expect(toHex(encodeCbor(untyped(v.value)))).toBe(v.hex);
  });
  it.each(file.invalid.map((v) => [v.id, v]))('invalid %s', (_, v) => {
    expect(codeOf(() => decodeCbor(bytesOf(v), v.maxBytes))).toBe(v.error);
  });
});

describe('transactions.json (TX-1 … TX-8)', () => {
  const file = load('transactions.json');
  it.each(file.valid.map((v) => [v.id, v]))('valid %s', (_, v) => {
    const tx = decodeTransaction(bytesOf(v));
    expect(toHex(encodeTransaction(tx))).toBe(v.hex);
    expect(transactionId(tx)).toBe(v.txId);
    expect(transactionId(bytesOf(v))).toBe(v.txId);
    expect(toHex(transactionDigest(tx))).toBe(v.digest);
    expect(transactionToJson(tx)).toEqual(v.json);
    expect(toHex(transactionSigningBytes(tx))).toBe(v.signingBytes);
    expect(verifyTransaction(tx)).toBe(v.signatureValid);
    expect(toHex(encodeTransaction(parseJson('transaction', v.json) as Transaction))).toBe(v.hex);
    expect(toHex(encodeTransaction(transactionFromJson(v.json)))).toBe(v.hex);
    if (v.secretKey !== undefined) {
      const { sig, ...unsigned } = tx;
      expect(toHex(signTransaction(unsigned, fromHex(v.secretKey)).sig)).toBe(toHex(sig));
    }
  });
  it.each(file.invalid.map((v) => [v.id, v]))('invalid %s', (_, v) => {
    if (v.json !== undefined) {
      expect(codeOf(() => parseJson('transaction', v.json))).toBe(v.error);
      expect(codeOf(() => transactionFromJson(v.json))).toMatch(/^SPEC_/);
    } else {
      expect(codeOf(() => decodeTransaction(bytesOf(v)))).toBe(v.error);
    }
  });
  it('covers every transaction type, with and without the optional publish fields', () => {
    const types = new Set(file.valid.map((v) => v.json.type));
    expect(types).toEqual(new Set(['transfer', 'publish', 'payout', 'close', 'stake', 'unstake', 'fund-vote', 'audit-vote', 'appeal']));
    const publishes = file.valid.filter((v) => v.json.type === 'publish');
    expect(publishes.some((v) => v.json.code !== undefined && v.json.validation !== undefined)).toBe(true);
    expect(publishes.some((v) => v.json.code === undefined && v.json.validation === undefined)).toBe(true);
  });
});

describe('blocks.json (GEN-4, BLK-1 … BLK-5)', () => {
  const file = load('blocks.json');
  const presets: Record<string, (options: { time: number; alloc: { address: string; amount: bigint }[] }) => GenesisConfig> = {
    'zi-devnet': devnetGenesis,
    'zi-testnet': testnetGenesis,
  };
  it.each(file.valid.map((v) => [v.id, v]))('valid %s', (_, v) => {
    if (v.genesisJson !== undefined) {
      const config = genesisFromJson(v.genesisJson);
      expect(toHex(encodeGenesis(config))).toBe(v.genesisHex);
      expect(genesisToJson(decodeGenesis(fromHex(v.genesisHex)))).toEqual(v.genesisJson);
      expect(genesisToJson(parseJson('genesis', v.genesisJson) as GenesisConfig)).toEqual(v.genesisJson);
      expect(genesisCid(config)).toBe(v.genesisCid);
      // the preset still has the constants the vector was built with
      const preset = presets[config.chain] as (typeof presets)[string];
      expect(genesisToJson(preset({ time: config.time, alloc: config.alloc }))).toEqual(v.genesisJson);
      const block = genesisBlock(config);
      expect(toHex(encodeHeader(block.header))).toBe(v.headerHex);
      expect(toHex(encodeBlock(block))).toBe(v.blockHex);
    }
    const header = decodeHeader(fromHex(v.headerHex));
    expect(toHex(encodeHeader(header))).toBe(v.headerHex);
    expect(headerJson(header)).toEqual(v.headerJson);
    const block = decodeBlock(fromHex(v.blockHex));
    expect(toHex(encodeBlock(block))).toBe(v.blockHex);
    expect(toHex(encodeHeader(block.header))).toBe(v.headerHex);
    expect(blockJson(block)).toEqual(v.blockJson);
    expect(toHex(encodeBlock(parseJson('block', v.blockJson) as Block))).toBe(v.blockHex);
    expect(toHex(encodeHeader(parseJson('block-header', v.headerJson) as Block['header']))).toBe(v.headerHex);
    expect(blockId(block.header)).toBe(v.blockId);
    expect(blockId(fromHex(v.headerHex))).toBe(v.blockId);
    expect(toHex(headerHash(block.header))).toBe(v.headerHash);
    expect(headerMeetsDifficulty(block.header)).toBe(v.meetsDifficulty);
    expect(toHex(transactionsRoot(block.txs))).toBe(v.txRoot);
    expect(toHex(block.header.stateRoot)).toBe(v.stateRoot);
    if (v.txIds !== undefined) {
      expect(block.txs.map((tx) => transactionId(tx))).toEqual(v.txIds);
      for (const tx of block.txs) expect(verifyTransaction(tx)).toBe(true);
    }
  });
  it('height-1 blocks name their genesis block as parent', () => {
    const ids = new Map(file.valid.filter((v) => v.headerJson.height === 0).map((v) => [v.headerJson.chain, v.blockId]));
    for (const v of file.valid.filter((x) => x.headerJson.height === 1)) {
      expect(v.headerJson.parent).toBe(ids.get(v.headerJson.chain));
    }
  });
  it.each(file.invalid.map((v) => [v.id, v]))('invalid %s', (_, v) => {
    const decode = v.decoder === 'header' ? decodeHeader : decodeBlock;
    expect(codeOf(() => decode(bytesOf(v)))).toBe(v.error);
  });
});

describe('pow.json (POW-1 … POW-5, DIF-1, BLK-4, STATE-1, SES-3)', () => {
  const file = load('pow.json');
  const blocks = load('blocks.json');
  const configs = Object.fromEntries(
    blocks.valid
      .filter((v) => v.genesisJson !== undefined)
      .map((v) => [v.genesisJson.chain.replace('zi-', ''), genesisFromJson(v.genesisJson)]),
  ) as Record<string, GenesisConfig>;
  it.each(file.valid.map((v) => [v.id, v]))('valid %s', (_, v) => {
    switch (v.fn) {
      case 'targetOf':
        expect(targetOf(v.difficulty).toString(16)).toBe(v.target);
        break;
      case 'log2Fixed':
        expect(log2Fixed(BigInt(v.n))).toBe(v.result);
        break;
      case 'workOf':
        expect(workOf(v.difficulty).toString()).toBe(v.work);
        break;
      case 'meetsDifficulty':
        expect(meetsDifficulty(fromHex(v.hash), v.difficulty)).toBe(v.result);
        break;
      case 'difficultyAt':
        expect(difficultyAt(configs[v.preset] as GenesisConfig, v.height, v.openContracts)).toBe(v.result);
        break;
      case 'merkleRoot': {
        const leaves = (v.leaves as string[]).map((leaf) => fromHex(leaf));
        leaves.forEach((leaf, i) => {
          expect(toHex(leaf)).toBe(toHex(sha256(new Uint8Array([i]))));
        });
        expect(toHex(merkleRoot(leaves))).toBe(v.root);
        break;
      }
      case 'nextStateRoot': {
        const changes = (v.changes as { key: string; value: string | null }[]).map((c) => ({
          key: fromHex(c.key),
          value: c.value === null ? null : fromHex(c.value),
        }));
        expect(toHex(nextStateRoot(fromHex(v.parent), changes))).toBe(v.root);
        break;
      }
      case 'batchSize':
        expect(batchSize(v.seq, v.maxBatch)).toBe(v.result);
        break;
      default:
        throw new Error(`unknown fn ${v.fn}`);
    }
  });
  it.each(file.invalid.map((v) => [v.id, v]))('invalid %s', (_, v) => {
    const call = {
      targetOf: () => targetOf(v.difficulty),
      log2Fixed: () => log2Fixed(BigInt(v.n)),
      difficultyAt: () => difficultyAt(configs[v.preset] as GenesisConfig, v.height, v.openContracts),
      batchSize: () => batchSize(v.seq, v.maxBatch),
    }[v.fn as string] as () => unknown;
    expect(call).toThrow(RangeError);
    expect(v.error).toBe('RangeError');
  });
});

describe('amounts.json (AMT-1 … AMT-3)', () => {
  const file = load('amounts.json');
  it.each(file.valid.map((v) => [v.id, v]))('valid %s', (_, v) => {
    if (v.fn === 'parseAmount') expect(parseAmount(v.input).toString()).toBe(v.li);
    else expect(formatAmount(BigInt(v.li))).toBe(v.text);
  });
  it.each(file.invalid.map((v) => [v.id, v]))('invalid %s', (_, v) => {
    expect(codeOf(() => parseAmount(v.input))).toBe(v.error);
  });
});

describe('session.json (SES-1 … SES-6)', () => {
  const file = load('session.json');
  it.each(file.valid.map((v) => [v.id, v]))('valid %s', (_, v) => {
    const message = decodeSessionMessage(fromHex(v.hex));
    expect(toHex(encodeSessionMessage(message))).toBe(v.hex);
    expect(messageJson(message)).toEqual(v.json);
    expect(toHex(encodeSessionMessage(parseJson('session-message', v.json) as SessionMessage))).toBe(v.hex);
    const specific = MESSAGE_SCHEMA[message.type];
    expect(toHex(encodeSessionMessage(parseJson(specific, v.json) as SessionMessage))).toBe(v.hex);
    if (message.type === 'locate' || message.type === 'ack') {
      expect(v.verified).toBe(true);
      expect(() => verifySessionMessage(message)).not.toThrow();
    }
    if (message.type === 'locate') {
      const locate = message as LocateMessage;
      expect(toHex(locateDigest(locate))).toBe(v.digest);
      expect(toHex(locateProof(locate.solver, locate.time, locate.peer, locate.contract))).toBe(toHex(locate.proof));
    }
  });
  it('the ack names the locate by its digest', () => {
    const locate = file.valid.find((v) => v.id === 'locate') as Vector;
    const ack = file.valid.find((v) => v.id === 'ack') as Vector;
    expect(ack.json.locate).toBe(locate.digest);
  });
  it.each(file.invalid.map((v) => [v.id, v]))('invalid %s', (_, v) => {
    if (v.check === 'verify') {
      const message = decodeSessionMessage(fromHex(v.hex));
      expect(message.type === 'locate' || message.type === 'ack').toBe(true);
      expect(codeOf(() => verifySessionMessage(message as LocateMessage))).toBe(v.error);
    } else {
      expect(codeOf(() => decodeSessionMessage(fromHex(v.hex)))).toBe(v.error);
    }
  });
});

describe('serving.json (NET-8)', () => {
  const file = load('serving.json');
  it.each(file.valid.map((v) => [v.id, v]))('valid %s', (_, v) => {
    const announcement = decodeServingAnnouncement(fromHex(v.hex));
    expect(toHex(encodeServingAnnouncement(announcement))).toBe(v.hex);
    expect(SCHEMA_KINDS['serving-announcement'].toJson(announcement)).toEqual(v.json);
    const parsed = parseJson('serving-announcement', v.json) as ServingAnnouncement;
    expect(toHex(encodeServingAnnouncement(parsed))).toBe(v.hex);
    expect(toHex(servingSigningBytes(announcement))).toBe(v.signing);
    expect(v.verified).toBe(true);
    expect(() => verifyServingAnnouncement(announcement)).not.toThrow();
    // Ed25519 is deterministic (KEY-1): the same keys sign the same bytes again.
    const { sig: _sig, peerSig: _peerSig, ...unsigned } = announcement;
    const again = signServingAnnouncement(unsigned, fromHex(v.secretKey), fromHex(v.peerSecretKey));
    expect(toHex(encodeServingAnnouncement(again))).toBe(v.hex);
  });
  it.each(file.invalid.map((v) => [v.id, v]))('invalid %s', (_, v) => {
    const bytes = bytesOf(v);
    if (v.check === 'verify') {
      const announcement = decodeServingAnnouncement(bytes);
      expect(codeOf(() => verifyServingAnnouncement(announcement))).toBe(v.error);
    } else {
      expect(codeOf(() => decodeServingAnnouncement(bytes))).toBe(v.error);
    }
  });
});
