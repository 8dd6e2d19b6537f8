import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressOf, decodeBlock, decodeHeader, encodeBlock, encodeHeader, fromHex, publicKeyOf, testnetGenesis } from '@zi/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { Chain } from '../src/chain/chain.js';
import { mineHeaderSync } from '../src/chain/pow-search.js';
import { RuleError } from '../src/state/rule-error.js';

// Held blocks (BLK-8, BLK-13): what a peer can make a node keep in memory.

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const miner = addressOf(publicKeyOf(fromHex('33'.repeat(32))));
const genesis = { ...testnetGenesis({ time: 1_700_000_000_000, alloc: [] }), minInterval: 0 };

function openChain(): Chain {
  const dir = mkdtempSync(join(tmpdir(), 'zi-held-'));
  dirs.push(dir);
  return Chain.open(join(dir, 'chain.db'), genesis);
}

/** Mines `count` blocks on a scratch chain and returns their bytes, parent first. */
function branch(count: number): Uint8Array[] {
  const scratch = openChain();
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const prepared = scratch.prepareBlock([], miner, scratch.head().time + 1000);
    const bytes = encodeBlock({ header: decodeHeader(mineHeaderSync(prepared.header)), txs: [] });
    scratch.importBlock(bytes, Number.MAX_SAFE_INTEGER);
    out.push(bytes);
  }
  scratch.close();
  return out;
}

describe('held blocks', () => {
  it('an orphan must meet its proof of work before it is held', () => {
    const chain = openChain();
    const [, second] = branch(2) as [Uint8Array, Uint8Array];
    const block = decodeHeader(encodeHeader(decodeBlock(second).header));
    // Search for a nonce that fails the 12-bit target: the header no longer meets its difficulty.
    for (let n = 0; ; n++) {
      const nonce = new Uint8Array(8);
      new DataView(nonce.buffer).setUint32(4, n);
      const bad = encodeBlock({ header: { ...block, nonce }, txs: [] });
      try {
        chain.importBlock(bad, Number.MAX_SAFE_INTEGER);
      } catch (error) {
        expect(error).toBeInstanceOf(RuleError);
        expect((error as RuleError).rule).toBe('BLK-11');
        break;
      }
    }
    expect(chain.heldCount).toBe(0);
    chain.close();
  });

  it('the same orphan is held once, and is connected when its parent arrives', () => {
    const chain = openChain();
    const [first, second] = branch(2) as [Uint8Array, Uint8Array];
    expect(chain.importBlock(second, Number.MAX_SAFE_INTEGER).status).toBe('orphan');
    expect(chain.importBlock(second, Number.MAX_SAFE_INTEGER).status).toBe('orphan');
    expect(chain.heldCount).toBe(1);
    expect(chain.importBlock(first, Number.MAX_SAFE_INTEGER).status).toBe('head');
    expect(chain.head().height).toBe(2);
    expect(chain.heldCount).toBe(0);
    chain.close();
  });

  it('a future block is held and imported by retryHeld once the clock reaches it', () => {
    const chain = openChain();
    const [first] = branch(1) as [Uint8Array];
    const time = decodeBlock(first).header.time;
    const early = time - genesis.maxFuture - 1;
    expect(chain.importBlock(first, early).status).toBe('future');
    expect(chain.heldCount).toBe(1);
    chain.retryHeld(early);
    expect(chain.head().height).toBe(0);
    chain.retryHeld(early + 1);
    expect(chain.head().height).toBe(1);
    expect(chain.heldCount).toBe(0);
    chain.close();
  });
});
