import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTransaction, fromHex, genesisFromJson, SpecError } from '@zi/spec';
import { afterAll, describe, expect, it } from 'vitest';
import { Chain } from '../src/chain/chain.js';
import { signatureOk } from '../src/chain/signatures.js';

// The node implements the transaction and genesis rules, so it runs the spec's vectors through its
// own paths (the fast-path signature check, the chain's genesis), as spec/README.md asks.

interface TxVector {
  id: string;
  hex?: string;
  signatureValid?: boolean;
  error?: string;
}

const load = <T>(name: string): { valid: T[]; invalid: T[] } =>
  JSON.parse(readFileSync(new URL(`../../spec/vectors/${name}`, import.meta.url), 'utf8'));

const transactions = load<TxVector>('transactions.json');
const blocks = load<{ id: string; genesisJson?: unknown; blockId?: string; stateRoot?: string }>('blocks.json');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('spec/vectors/transactions.json through the node', () => {
  it.each(transactions.valid.map((v) => [v.id, v] as const))('%s: the node’s signature check gives signatureValid', (_, vector) => {
    const tx = decodeTransaction(fromHex(vector.hex as string));
    expect(signatureOk(tx)).toBe(vector.signatureValid);
  });

  it.each(transactions.invalid.filter((v) => v.hex !== undefined).map((v) => [v.id, v] as const))(
    '%s: rejected with its code',
    (_, vector) => {
      let error: unknown;
      try {
        decodeTransaction(fromHex(vector.hex as string));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SpecError);
      expect((error as SpecError).code).toBe(vector.error);
    },
  );
});

describe('spec/vectors/blocks.json through the node', () => {
  it.each(blocks.valid.filter((v) => v.genesisJson !== undefined).map((v) => [v.id, v] as const))(
    '%s: the chain derives the same genesis block and state root',
    (_, vector) => {
      const dir = mkdtempSync(join(tmpdir(), 'zi-vectors-'));
      dirs.push(dir);
      const chain = Chain.open(join(dir, 'chain.db'), genesisFromJson(vector.genesisJson));
      try {
        const head = chain.head();
        expect(head.id).toBe(vector.blockId);
        expect(head.height).toBe(0);
        expect(Buffer.from(head.header.stateRoot).toString('hex')).toBe(vector.stateRoot);
      } finally {
        chain.close();
      }
    },
  );
});
