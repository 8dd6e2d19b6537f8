import { addressOf, type BlockHeader, DIFFICULTY_ONE, decodeHeader, headerHash, meetsDifficulty, STAKE_ADDRESS } from '@zi/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeError } from '../src/errors.js';
import { Miner } from '../src/miner/miner.js';

const template = (difficulty: number, height = 1): Omit<BlockHeader, 'nonce'> => ({
  version: 1,
  chain: 'zi-testnet',
  parent: 'bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
  height,
  time: 1_700_000_000_000 + height,
  difficulty,
  miner: addressOf(new Uint8Array(32).fill(7)),
  txRoot: new Uint8Array(32),
  txCount: 0,
  stateRoot: new Uint8Array(32).fill(1),
});

const miners: Miner[] = [];
afterEach(async () => {
  await Promise.all(miners.splice(0).map((miner) => miner.close()));
});

describe('Miner', () => {
  it('finds a nonce at 12 bits on worker threads (POW-1)', async () => {
    const miner = new Miner({ threads: 2 });
    miners.push(miner);
    const header = template(12 * DIFFICULTY_ONE);
    const bytes = await miner.mineOnce(header);
    const mined = decodeHeader(bytes);
    expect(meetsDifficulty(headerHash(bytes), header.difficulty)).toBe(true);
    expect({ ...mined, nonce: undefined }).toEqual({ ...header, nonce: undefined });
    expect(miner.hashes).toBeGreaterThan(0);
    // Again, on the same threads: a second job reuses them.
    const next = await miner.mineOnce(template(12 * DIFFICULTY_ONE, 2));
    expect(meetsDifficulty(headerHash(next), 12 * DIFFICULTY_ONE)).toBe(true);
  });

  it('mines tiny difficulties in this thread', async () => {
    const miner = new Miner({ threads: 1 });
    miners.push(miner);
    const bytes = await miner.mineOnce({ ...template(1024), miner: STAKE_ADDRESS });
    expect(meetsDifficulty(headerHash(bytes), 1024)).toBe(true);
    expect(miner.hashes).toBe(0);
  });

  it('cancels a search that cannot finish', async () => {
    const miner = new Miner({ threads: 2 });
    miners.push(miner);
    // 200 bits: no thread will ever find it.
    const search = miner.mineOnce(template(200 * DIFFICULTY_ONE));
    const outcome = search.then(
      () => 'found',
      (error: unknown) => (error instanceof NodeError ? error.code : 'other'),
    );
    miner.cancel();
    expect(await outcome).toBe('NODE_MINING_CANCELLED');
    // A new job after the cancel still works, and a new job cancels the one before it.
    const first = miner.mineOnce(template(200 * DIFFICULTY_ONE));
    const replaced = first.catch((error: NodeError) => error.code);
    const second = await miner.mineOnce(template(10 * DIFFICULTY_ONE));
    expect(await replaced).toBe('NODE_MINING_CANCELLED');
    expect(meetsDifficulty(headerHash(second), 10 * DIFFICULTY_ONE)).toBe(true);
    await miner.close();
    await expect(miner.mineOnce(template(10 * DIFFICULTY_ONE))).rejects.toMatchObject({ code: 'NODE_MINER_CLOSED' });
  });
});
