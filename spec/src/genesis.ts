import { addressBytes, STAKE_ADDRESS } from './address.js';
import { LI_PER_ZI } from './amount.js';
import { cidOfCbor, decodeCbor, encodeCbor } from './codec/cbor.js';
import { address, amount, type Infer, type Kind, list, literal, mapped, struct, text, uint, wireError } from './codec/kinds.js';
import { SpecError } from './errors.js';
import { DIFFICULTY_ONE, log2Fixed, MAX_DIFFICULTY } from './pow.js';
import { CHAIN_ID_PATTERN } from './tx.js';

/** A positive rational constant `[numerator, denominator]` (GEN-3): exact, unlike a float. */
export interface Ratio {
  num: number;
  den: number;
}

const ratio: Kind<Ratio> = mapped(
  list(uint(), 2, 2),
  ([num, den], path) => {
    if (den === 0) throw wireError(path, 'a ratio [numerator, denominator] with a denominator above 0', [num, den]);
    return { num: num as number, den: den as number };
  },
  (r) => [r.num, r.den],
  {
    toJson: (r) => [r.num, r.den],
    fromJson(value, path) {
      if (!Array.isArray(value) || value.length !== 2) throw wireError(path, '[numerator, denominator]', value);
      const num = uint().fromJson(value[0], `${path}[0]`);
      const den = uint().fromJson(value[1], `${path}[1]`);
      if (den === 0) throw wireError(path, 'a denominator above 0', value);
      return { num, den };
    },
    jsonSchema: () => ({
      type: 'array',
      items: [
        { type: 'integer', minimum: 0 },
        { type: 'integer', minimum: 1 },
      ],
      minItems: 2,
      maxItems: 2,
    }),
  },
);

/** MAX_BLOCK_BYTES caps every genesis's block size limit (BLK-6). */
export const MAX_BLOCK_BYTES = 8 * 1024 * 1024;

/** The genesis configuration: the chain's name, constants and first balances (GEN-1). */
export const genesisConfig = struct({
  format: literal('zi-genesis/1'),
  chain: text(32, CHAIN_ID_PATTERN),
  /** milliseconds since 1970, UTC: the genesis block's timestamp */
  time: uint(),
  /** Li minted to the miner of every block, empty blocks included (BLK-9) */
  reward: amount(),
  /** T: a block earlier than this many milliseconds after its parent is invalid (BLK-7) */
  minInterval: uint(),
  /** a block more than this many milliseconds ahead of a node's clock is not accepted yet (BLK-8) */
  maxFuture: uint(),
  /** constants of the difficulty rule (DIF-1) */
  difficulty: struct({ c1: ratio, c2: ratio, c3: ratio, ct: ratio, floor: uint(MAX_DIFFICULTY) }),
  limits: struct({ blockBytes: uint(MAX_BLOCK_BYTES), blockTxs: uint(100_000) }),
  /** constants of the market rules */
  market: struct({
    /** PUB-4: escrow must cover at least this many MCUs at the contract's price */
    minEscrowMcus: uint(),
    /** VAL-2: M, the stake required per contract with delegation opened in the window */
    stakeUnit: amount(),
    /** VAL-2: the window of that count, in milliseconds (30 days) */
    stakeWindow: uint(),
    /** AUD-1: votes from different miners that settle an audit */
    auditVotes: uint(),
    /** APL-1: votes that settle an appeal, and the window to appeal in milliseconds */
    appealVotes: uint(),
    appealWindow: uint(),
    /** FND-1: transactions in the window that make a node active */
    activeTxs: uint(),
    activeWindow: uint(),
    /** FND-2: Li distributed per active node */
    fundUnit: amount(),
    /** SES-7: the bootstrapping solver policy */
    bootstrapMinPrice: amount(),
    bootstrapWaitBlocks: uint(),
    bootstrapHandshakeBlocks: uint(),
  }),
  alloc: list(struct({ address: address(), amount: amount() }), 10_000),
});

export type GenesisConfig = Infer<typeof genesisConfig>;

const DAY = 86_400_000;

/** The rules of a genesis configuration beyond its field shapes (GEN-2, DIF-1). */
export function checkGenesis(config: GenesisConfig): GenesisConfig {
  const { c1, c3 } = config.difficulty;
  if (c1.num === 0 || c3.num === 0) {
    throw new SpecError(
      'SPEC_GENESIS_INVALID',
      'genesis: difficulty constants c1 and c3 must be above zero',
      'the difficulty rule divides by them (DIF-1)',
    );
  }
  const seen = new Set<string>();
  let total = 0n;
  for (const entry of config.alloc) {
    if (seen.has(entry.address)) {
      throw new SpecError('SPEC_GENESIS_INVALID', `genesis: ${entry.address} is allocated twice`, 'list each address once (GEN-2)');
    }
    if (entry.address === STAKE_ADDRESS)
      throw new SpecError('SPEC_GENESIS_INVALID', 'genesis: the stake address 000 cannot hold a balance', 'allocate to key addresses');
    seen.add(entry.address);
    total += entry.amount;
  }
  if (total >= 1n << 64n)
    throw new SpecError('SPEC_GENESIS_INVALID', 'genesis: allocations add up to more than 2^64 - 1 Li', 'allocate less (AMT-2)');
  return config;
}

/** Reads a genesis configuration from its JSON form (the file `zi node start --genesis` takes). */
export function genesisFromJson(json: unknown): GenesisConfig {
  return checkGenesis(genesisConfig.fromJson(json, 'genesis'));
}

/** The JSON form of a genesis configuration. */
export function genesisToJson(config: GenesisConfig): Record<string, unknown> {
  return genesisConfig.toJson(config) as Record<string, unknown>;
}

/** The canonical bytes of a genesis configuration; the genesis block header names them by CID. */
export function encodeGenesis(config: GenesisConfig): Uint8Array {
  return encodeCbor(genesisConfig.toWire(checkGenesis(config)));
}

/** Reads a genesis configuration from canonical bytes. */
export function decodeGenesis(bytes: Uint8Array): GenesisConfig {
  return checkGenesis(genesisConfig.fromWire(decodeCbor(bytes, 4 * 1024 * 1024), 'genesis'));
}

/** The CID of a genesis configuration (GEN-4). */
export function genesisCid(config: GenesisConfig): string {
  return cidOfCbor(encodeGenesis(config)).toString();
}

const BASE_MARKET = {
  minEscrowMcus: 1000,
  stakeUnit: 100n * LI_PER_ZI,
  stakeWindow: 30 * DAY,
  auditVotes: 3,
  appealVotes: 9,
  appealWindow: 30 * DAY,
  activeTxs: 10,
  activeWindow: 30 * DAY,
  fundUnit: LI_PER_ZI,
  bootstrapMinPrice: 10n,
  bootstrapWaitBlocks: 1,
  bootstrapHandshakeBlocks: 3,
};

/**
 * The `devnet` preset (GEN-5): instant blocks (no minimum interval, difficulty near zero),
 * 100 Zi per block, and the given prefunded accounts.
 *
 * @example
 * const config = devnetGenesis({ time: Date.now(), alloc: [{ address, amount: 10_000n * LI_PER_ZI }] });
 */
export function devnetGenesis(options: { time: number; alloc: { address: string; amount: bigint }[]; chain?: string }): GenesisConfig {
  return checkGenesis({
    format: 'zi-genesis/1',
    chain: options.chain ?? 'zi-devnet',
    time: options.time,
    reward: 100n * LI_PER_ZI,
    minInterval: 0,
    maxFuture: 120_000,
    difficulty: { c1: { num: 1, den: 1 }, c2: { num: 1, den: 1 }, c3: { num: 64, den: 1 }, ct: { num: 0, den: 1 }, floor: 0 },
    limits: { blockBytes: 4 * 1024 * 1024, blockTxs: 10_000 },
    market: BASE_MARKET,
    alloc: options.alloc.map((entry) => ({ address: entry.address, amount: entry.amount })),
  });
}

/**
 * The `testnet` preset (GEN-5): a block at most every 10 s; difficulty log2(height) bits, halved
 * while more than 100 contracts are open, minus 1/8 bit for each second of T, never below 12 bits.
 */
export function testnetGenesis(options: { time: number; alloc: { address: string; amount: bigint }[]; chain?: string }): GenesisConfig {
  return checkGenesis({
    format: 'zi-genesis/1',
    chain: options.chain ?? 'zi-testnet',
    time: options.time,
    reward: 50n * LI_PER_ZI,
    minInterval: 10_000,
    maxFuture: 120_000,
    difficulty: {
      c1: { num: 100, den: 1 },
      c2: { num: 1, den: 1 },
      c3: { num: 1, den: 1 },
      ct: { num: 1, den: 8 },
      floor: 12 * DIFFICULTY_ONE,
    },
    limits: { blockBytes: 4 * 1024 * 1024, blockTxs: 10_000 },
    market: BASE_MARKET,
    alloc: options.alloc.map((entry) => ({ address: entry.address, amount: entry.amount })),
  });
}

/**
 * The paper's difficulty rule (DIF-1) for the block at `height`, with `openContracts` contracts
 * open in its parent's state:
 *
 *   D = log2(height) / max(openContracts / c1 · c2, c3) − ct · T
 *
 * in units of 2^-16 bits: `L = log2Fixed(height)`; the divisor `max(P·c2/c1, c3)` compared and
 * divided exactly as fractions; `D = floor(L / divisor) − floor(ct · T · 65536 / 1000)` (T in
 * milliseconds, ct in bits per second); then clamped to `[floor, 255 bits]`.
 *
 * @example
 * difficultyAt(testnet, 1024, 0); // 10 bits minus 1.25 bits of T, floored at 12 bits → 786432
 */
export function difficultyAt(config: GenesisConfig, height: number, openContracts: number): number {
  if (!Number.isSafeInteger(height) || height < 1) throw new RangeError('difficultyAt: height must be a positive integer');
  if (!Number.isSafeInteger(openContracts) || openContracts < 0)
    throw new RangeError('difficultyAt: openContracts must be a non-negative integer');
  const { c1, c2, c3, ct, floor } = config.difficulty;
  const log = BigInt(log2Fixed(BigInt(height)));
  // divisor A = P·c2.num / (c1.num... ) as a fraction a/b: P·c2/c1 = (P·c2.num·c1.den) / (c2.den·c1.num)
  const aNum = BigInt(openContracts) * BigInt(c2.num) * BigInt(c1.den);
  const aDen = BigInt(c2.den) * BigInt(c1.num);
  const bNum = BigInt(c3.num);
  const bDen = BigInt(c3.den);
  const useA = aNum * bDen > bNum * aDen;
  const [divNum, divDen] = useA ? [aNum, aDen] : [bNum, bDen];
  const raw = (log * divDen) / divNum;
  const penalty = (BigInt(ct.num) * BigInt(config.minInterval) * BigInt(DIFFICULTY_ONE)) / (BigInt(ct.den) * 1000n);
  let difficulty = raw - penalty;
  if (difficulty < BigInt(floor)) difficulty = BigInt(floor);
  if (difficulty > BigInt(MAX_DIFFICULTY)) difficulty = BigInt(MAX_DIFFICULTY);
  return Number(difficulty);
}

/** The allocation of an address in a genesis, or 0. */
export function genesisBalance(config: GenesisConfig, address: string): bigint {
  addressBytes(address);
  return config.alloc.find((entry) => entry.address === address)?.amount ?? 0n;
}
