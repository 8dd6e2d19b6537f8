import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { MAX_CBOR_DEPTH } from '../src/codec/cbor.js';
import {
  addressOf,
  cidOfBytes,
  cidOfCbor,
  DIFFICULTY_ONE,
  decodeCbor,
  decodeTransaction,
  devnetGenesis,
  difficultyAt,
  encodeCbor,
  encodeTransaction,
  formatAmount,
  type GenesisConfig,
  jsonSchemaOf,
  log2Fixed,
  MAX_AMOUNT,
  MAX_DIFFICULTY,
  matchesSchema,
  merkleRoot,
  parseAmount,
  parseJson,
  publicKeyOf,
  SCHEMA_KINDS,
  type SchemaName,
  SpecError,
  signTransaction,
  type Transaction,
  targetOf,
  transactionFromJson,
  transactionId,
  transactionToJson,
  type UnsignedTransaction,
  utf8Bytes,
  verifyTransaction,
} from '../src/index.js';

/** Every property runs from a fixed seed, so a failure reproduces and the suite is deterministic. */
const RUNS = { numRuns: 200, seed: 20_240_601 } as const;
const FEW = { numRuns: 60, seed: 20_240_601 } as const;

// --- DAG-CBOR values ---------------------------------------------------------------------------------

/** Integers the way the decoder gives them: numbers in the safe range, bigints outside it. */
const cborInt = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -30, max: 300 }),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: -(2n ** 64n), max: -(2n ** 53n) }),
);
const cborLeaf = fc.oneof(
  cborInt,
  fc.uint8Array({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => CID.parse(cidOfBytes(bytes))),
);
const { value: cborValue } = fc.letrec<{ value: unknown; list: unknown[]; map: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 5 }, cborLeaf, tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 5 }),
  map: fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 6 }), tie('value'), { maxKeys: 5, noNullPrototype: true }),
}));

/** One byte replaced, removed or inserted. */
const mutation = fc.record({ kind: fc.constantFrom('replace', 'delete', 'insert'), at: fc.nat(), byte: fc.integer({ min: 1, max: 255 }) });
function mutate(bytes: Uint8Array, m: { kind: string; at: number; byte: number }): Uint8Array {
  const i = bytes.length === 0 ? 0 : m.at % bytes.length;
  if (m.kind === 'insert' || bytes.length === 0) return Uint8Array.from([...bytes.subarray(0, i), m.byte, ...bytes.subarray(i)]);
  if (m.kind === 'delete') return Uint8Array.from([...bytes.subarray(0, i), ...bytes.subarray(i + 1)]);
  const out = bytes.slice();
  out[i] = ((out[i] as number) + m.byte) & 255;
  return out;
}

function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
}

describe('DAG-CBOR (ENC-1, ENC-3)', () => {
  it('encodeCbor then decodeCbor gives the value back, and the bytes are the only encoding (property)', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        const bytes = encodeCbor(value);
        const back = decodeCbor(bytes, bytes.length);
        expect(back).toEqual(value);
        expect(encodeCbor(back)).toEqual(bytes);
      }),
      RUNS,
    );
  });

  it('text that is not Unicode (a lone surrogate) is refused, any other text round-trips (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (text) => {
        const lone = /\p{Cs}/u.test(text);
        let bytes: Uint8Array;
        try {
          bytes = encodeCbor({ text });
        } catch (error) {
          expect(error).toBeInstanceOf(SpecError);
          expect((error as SpecError).code).toBe('SPEC_CBOR_UNENCODABLE');
          expect(lone).toBe(true);
          return;
        }
        expect(lone).toBe(false);
        expect(decodeCbor(bytes, bytes.length)).toEqual({ text });
      }),
      RUNS,
    );
  });

  it('decodeCbor on any bytes returns a value whose encoding is exactly those bytes, or throws a SpecError (property)', () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 48 }),
      fc.tuple(cborValue, mutation).map(([value, m]) => mutate(encodeCbor(value), m)),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        let value: unknown;
        try {
          value = decodeCbor(bytes, 4096);
        } catch (error) {
          expect(error).toBeInstanceOf(SpecError);
          expect((error as SpecError).code).toMatch(/^SPEC_CBOR_(MALFORMED|NONCANONICAL|TOO_DEEP)$/);
          return;
        }
        expect(encodeCbor(value)).toEqual(bytes);
      }),
      { ...RUNS, numRuns: 1000 },
    );
  });

  it('floats are refused both ways, integral or not (ENC-1)', () => {
    for (const value of [1.5, -0.25, 2 ** 60, Number.MAX_SAFE_INTEGER + 1, { a: [1, 2.5] }]) {
      expect(() => encodeCbor(value)).toThrow(SpecError);
    }
    expect(encodeCbor(-0)).toEqual(encodeCbor(0));
  });

  it(`nesting is limited to ${MAX_CBOR_DEPTH} the same way by the encoder and the decoder, whatever the stack`, () => {
    for (const depth of [1, 2, MAX_CBOR_DEPTH - 1, MAX_CBOR_DEPTH, MAX_CBOR_DEPTH + 1, 1000, 100_000]) {
      const bytes = Uint8Array.from([...new Array(depth - 1).fill(0x81), 0x80]);
      const code = (f: () => unknown) => {
        try {
          f();
          return 'ok';
        } catch (error) {
          return (error as SpecError).code;
        }
      };
      const deep = depth > MAX_CBOR_DEPTH;
      expect(
        code(() => decodeCbor(bytes, bytes.length)),
        `depth ${depth}`,
      ).toBe(deep ? 'SPEC_CBOR_TOO_DEEP' : 'ok');
      if (depth <= 1000)
        expect(
          code(() => encodeCbor(nested(depth))),
          `depth ${depth}`,
        ).toBe(deep ? 'SPEC_CBOR_UNENCODABLE' : 'ok');
    }
  });
});

// --- transactions ------------------------------------------------------------------------------------

/** Signing keys from fixed seeds: bytes filled with 0x11 … 0x16. */
const KEYS = [0x11, 0x12, 0x13, 0x14, 0x15, 0x16].map((n) => {
  const secretKey = new Uint8Array(32).fill(n);
  return { secretKey, address: addressOf(publicKeyOf(secretKey)) };
});
const signer = fc.constantFrom(...KEYS);
const anyAddress = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => addressOf(bytes));
const amount = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: MAX_AMOUNT }));
const positive = fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: MAX_AMOUNT }));
const count = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.maxSafeNat());
const chain = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/);
const text = (maxBytes: number) =>
  fc.string({ unit: 'grapheme', maxLength: maxBytes }).filter((s) => !s.includes('\0') && utf8Bytes(s).length <= maxBytes);
const rawCid = fc.uint8Array({ maxLength: 16 }).map((bytes) => cidOfBytes(bytes));
const dagCid = fc.uint8Array({ maxLength: 16 }).map((bytes) => cidOfCbor(bytes).toString());
/** Canonical ranges (RNG-2): sorted, each starting after a gap of at least one index. */
const ranges = fc
  .array(fc.tuple(fc.oneof(fc.nat(10), fc.nat(2 ** 40)), fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 2 ** 30 }))), {
    minLength: 1,
    maxLength: 8,
  })
  .map((list) => {
    let next = 0;
    return list.map(([gap, n]) => {
      const from = next + gap;
      next = from + n + 1;
      return { from, count: n };
    });
  });
const common = fc.record({ key: signer, chain, nonce: count, fee: amount, meta: text(96) });
type Signable = [Uint8Array, UnsignedTransaction];
const base = (c: { key: { secretKey: Uint8Array; address: string }; chain: string; nonce: number; fee: bigint; meta: string }) => ({
  chain: c.chain,
  from: c.key.address,
  nonce: c.nonce,
  fee: c.fee,
  meta: c.meta,
});

/** An arbitrary valid unsigned transaction of every type, with the key of its sender. */
const anyTransaction: fc.Arbitrary<Signable> = fc.oneof(
  fc
    .tuple(common, anyAddress, positive)
    .map(([c, to, value]): Signable => [c.key.secretKey, { type: 'transfer', ...base(c), to, amount: value }]),
  fc
    .record({
      c: common,
      bundle: rawCid,
      code: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
      manifest: rawCid,
      name: text(64),
      mcus: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      gasPerMcu: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      price: positive,
      budget: amount,
      validation: fc.option(amount, { nil: undefined }),
    })
    .map(
      ({ c, code, validation, ...rest }): Signable => [
        c.key.secretKey,
        {
          type: 'publish',
          ...base(c),
          ...rest,
          ...(code === undefined ? {} : { code }),
          ...(validation === undefined ? {} : { validation: { fee: validation } }),
        },
      ],
    ),
  fc
    .record({
      key: signer,
      chain,
      pay: amount.chain((total) => fc.tuple(fc.constant(total), fc.bigInt({ min: 0n, max: total }))),
      meta: text(96),
      contract: dagCid,
      solver: anyAddress,
      ranges,
      result: rawCid,
    })
    .map(
      ({ key, pay: [total, fee], ...rest }): Signable => [
        key.secretKey,
        { type: 'payout', from: key.address, fee, amount: total, ...rest },
      ],
    ),
  fc.tuple(common, dagCid).map(([c, contract]): Signable => [c.key.secretKey, { type: 'close', ...base(c), contract }]),
  fc.tuple(common, positive).map(([c, value]): Signable => [c.key.secretKey, { type: 'stake', ...base(c), amount: value }]),
  fc.tuple(common, positive).map(([c, value]): Signable => [c.key.secretKey, { type: 'unstake', ...base(c), amount: value }]),
  fc.tuple(common, anyAddress).map(([c, candidate]): Signable => [c.key.secretKey, { type: 'fund-vote', ...base(c), candidate }]),
  fc
    .tuple(common, dagCid, fc.constantFrom('valid' as const, 'invalid' as const))
    .map(([c, subject, verdict]): Signable => [c.key.secretKey, { type: 'audit-vote', ...base(c), subject, verdict }]),
  fc
    .tuple(common, dagCid, amount)
    .map(([c, subject, deposit]): Signable => [c.key.secretKey, { type: 'appeal', ...base(c), subject, deposit }]),
);

describe('transactions (TX-1 … TX-8, KEY-6)', () => {
  it('any valid transaction signs, encodes, decodes to itself, verifies, and round-trips through JSON (property)', () => {
    fc.assert(
      fc.property(anyTransaction, ([secretKey, unsigned]) => {
        const tx = signTransaction(unsigned, secretKey) as Transaction;
        const bytes = encodeTransaction(tx);
        const back = decodeTransaction(bytes);
        expect(back).toEqual(tx);
        expect(encodeTransaction(back)).toEqual(bytes);
        expect(transactionId(back)).toBe(transactionId(bytes));
        expect(verifyTransaction(back)).toBe(true);
        const json = JSON.parse(JSON.stringify(transactionToJson(tx)));
        expect(matchesSchema('transaction', json)).toBe(true);
        expect(encodeTransaction(parseJson('transaction', json) as Transaction)).toEqual(bytes);
        expect(encodeTransaction(transactionFromJson(json))).toEqual(bytes);
      }),
      RUNS,
    );
  });

  it('no single-byte change of a signed transaction gives a transaction that still verifies (property)', () => {
    fc.assert(
      fc.property(anyTransaction, mutation, ([secretKey, unsigned], m) => {
        const tx = signTransaction(unsigned, secretKey) as Transaction;
        const mutated = mutate(encodeTransaction(tx), m);
        let decoded: Transaction;
        try {
          decoded = decodeTransaction(mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(SpecError);
          return;
        }
        // it decoded: then it is canonical, has another id, and its signature fails
        expect(encodeTransaction(decoded)).toEqual(mutated);
        expect(transactionId(decoded)).not.toBe(transactionId(tx));
        expect(verifyTransaction(decoded)).toBe(false);
      }),
      { ...RUNS, numRuns: 400 },
    );
  });
});

// --- Merkle roots, proof of work, difficulty ----------------------------------------------------------

describe('Merkle roots (BLK-4)', () => {
  const leaf = (i: number) => sha256(new Uint8Array([i]));
  it('different leaf lists (order, length, duplicated last leaf) have different roots (property)', () => {
    const list = fc.array(fc.nat(3), { maxLength: 9 });
    fc.assert(
      fc.property(list, list, (a, b) => {
        fc.pre(a.join() !== b.join() || a.length !== b.length);
        expect(merkleRoot(a.map(leaf))).not.toEqual(merkleRoot(b.map(leaf)));
      }),
      RUNS,
    );
    expect(merkleRoot([0, 1, 2].map(leaf))).not.toEqual(merkleRoot([0, 1, 2, 2].map(leaf)));
  });
});

describe('proof of work (POW-2 … POW-5)', () => {
  it('targetOf never increases with difficulty, and strictly decreases while the target is large (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DIFFICULTY }), fc.integer({ min: 0, max: MAX_DIFFICULTY }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(targetOf(low) >= targetOf(high)).toBe(true);
        if (low < high && high <= 200 * DIFFICULTY_ONE) expect(targetOf(low) > targetOf(high)).toBe(true);
      }),
      RUNS,
    );
    expect(targetOf(0)).toBe(2n ** 256n);
    expect(targetOf(MAX_DIFFICULTY)).toBe(2n);
  });

  it('one more bit of difficulty halves the target, within 1 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DIFFICULTY - DIFFICULTY_ONE }), (d) => {
        const diff = targetOf(d + DIFFICULTY_ONE) - (targetOf(d) >> 1n);
        expect(diff >= -1n && diff <= 1n).toBe(true);
      }),
      RUNS,
    );
    for (let bits = 0; bits <= 255; bits++) expect(targetOf(bits * DIFFICULTY_ONE)).toBe(2n ** BigInt(256 - bits));
  });

  it('log2Fixed is exact on powers of two, monotonic, and within 1 of floor(log2(n) · 65536) (property)', () => {
    for (let k = 0; k <= 400; k++) expect(log2Fixed(2n ** BigInt(k))).toBe(k * DIFFICULTY_ONE);
    const big = fc.bigInt({ min: 1n, max: 2n ** 300n });
    fc.assert(
      fc.property(big, big, (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(log2Fixed(low) <= log2Fixed(high)).toBe(true);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const expected = Math.floor(Math.log2(n) * DIFFICULTY_ONE);
        expect(Math.abs(log2Fixed(BigInt(n)) - expected)).toBeLessThanOrEqual(1);
      }),
      RUNS,
    );
  });
});

describe('difficulty (DIF-1)', () => {
  const ratio = (minNum: number) => fc.record({ num: fc.integer({ min: minNum, max: 1000 }), den: fc.integer({ min: 1, max: 1000 }) });
  const config: fc.Arbitrary<GenesisConfig> = fc
    .record({
      c1: ratio(1),
      c2: ratio(0),
      c3: ratio(1),
      ct: ratio(0),
      floor: fc.integer({ min: 0, max: MAX_DIFFICULTY }),
      minInterval: fc.integer({ min: 0, max: 100_000 }),
    })
    .map(({ minInterval, ...difficulty }) => ({ ...devnetGenesis({ time: 0, alloc: [] }), minInterval, difficulty }));
  const height = fc.oneof(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
  const open = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 10_000_000 }));

  it('stays in [floor, MAX_DIFFICULTY], never rises with open contracts, never falls with height (property)', () => {
    fc.assert(
      fc.property(config, height, height, open, open, (c, h1, h2, p1, p2) => {
        const d = difficultyAt(c, h1, p1);
        expect(d).toBeGreaterThanOrEqual(c.difficulty.floor);
        expect(d).toBeLessThanOrEqual(MAX_DIFFICULTY);
        expect(Number.isSafeInteger(d)).toBe(true);
        const [pLow, pHigh] = p1 <= p2 ? [p1, p2] : [p2, p1];
        expect(difficultyAt(c, h1, pLow)).toBeGreaterThanOrEqual(difficultyAt(c, h1, pHigh));
        const [hLow, hHigh] = h1 <= h2 ? [h1, h2] : [h2, h1];
        expect(difficultyAt(c, hHigh, p1)).toBeGreaterThanOrEqual(difficultyAt(c, hLow, p1));
      }),
      RUNS,
    );
  });
});

describe('amounts (AMT-3)', () => {
  it('parseAmount(formatAmount(x)) is x for every amount (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 10n }), fc.bigInt({ min: 0n, max: MAX_AMOUNT })), (li) => {
        expect(parseAmount(formatAmount(li))).toBe(li);
      }),
      RUNS,
    );
    expect(parseAmount(formatAmount(MAX_AMOUNT))).toBe(MAX_AMOUNT);
  });
});

// --- JSON Schemas ---------------------------------------------------------------------------------------

describe('JSON Schemas (SCH-1, SCH-2)', () => {
  const names = Object.keys(SCHEMA_KINDS) as SchemaName[];
  // biome-ignore lint/suspicious/noExplicitAny: vectors are untyped JSON
  const load = (file: string): { valid: any[]; invalid: any[] } =>
    JSON.parse(readFileSync(new URL(`../vectors/${file}`, import.meta.url), 'utf8'));

  it.each(names)('the schema of %s compiles in strict mode on its own', (name) => {
    const ajv = new Ajv({ strict: true, strictTuples: false, discriminator: true });
    expect(() => ajv.compile(jsonSchemaOf(name))).not.toThrow();
    expect(jsonSchemaOf(name).$id).toBe(`https://zi.invalid/schemas/${name}.json`);
  });

  it('every valid vector JSON matches its schema', () => {
    const checks: [SchemaName, unknown][] = [];
    const txs = load('transactions.json');
    for (const v of txs.valid) checks.push(['transaction', v.json]);
    const blocks = load('blocks.json');
    for (const v of blocks.valid) {
      checks.push(['block-header', v.headerJson], ['block', v.blockJson]);
      if (v.genesisJson) checks.push(['genesis', v.genesisJson]);
    }
    const kinds = {
      locate: 'locate-message',
      ack: 'ack-message',
      batch: 'batch-message',
      paid: 'paid-message',
      refuse: 'refusal-message',
    } as const;
    for (const v of load('session.json').valid) {
      checks.push(['session-message', v.json], [kinds[v.json.type as keyof typeof kinds], v.json]);
      if (v.json.type === 'batch') checks.push(['unsigned-payout', v.json.payout]);
      if (v.json.type === 'paid') checks.push(['transaction', v.json.payout]);
    }
    for (const v of load('serving.json').valid) checks.push(['serving-announcement', v.json]);
    expect(new Set(checks.map(([name]) => name))).toEqual(new Set(names));
    for (const [name, json] of checks) expect(matchesSchema(name, json), `${name}: ${JSON.stringify(json).slice(0, 80)}`).toBe(true);
  });

  it('invalid JSON vectors fail the schema exactly when their error is SPEC_SCHEMA_INVALID', () => {
    for (const v of load('transactions.json').invalid.filter((x) => x.json !== undefined)) {
      expect(matchesSchema('transaction', v.json), v.id).toBe(v.error !== 'SPEC_SCHEMA_INVALID');
    }
  });

  it('the JSON of any valid transaction matches the schema (property)', () => {
    fc.assert(
      fc.property(anyTransaction, ([secretKey, unsigned]) => {
        const tx = signTransaction(unsigned, secretKey) as Transaction;
        expect(matchesSchema('transaction', transactionToJson(tx))).toBe(true);
      }),
      FEW,
    );
  });
});
