import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { IndexRange } from '@zi/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultStore, type StoredBatch } from '../src/market/result-store.js';
import { openDatabase, type Sqlite } from '../src/store/database.js';

// The bidder's result store on real SQLite files in a temp dir: batches written and read back in
// index order, pages, a reopened file, a version-1 file migrated, and a writer process killed
// while it writes, which must leave whole batches only.

let dir: string;
const open: Sqlite[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zi-result-store-'));
});

afterAll(async () => {
  for (const db of open) if (db.open) db.close();
  await rm(dir, { recursive: true, force: true });
});

function database(name: string): Sqlite {
  const db = openDatabase(join(dir, name));
  open.push(db);
  return db;
}

/** The results an MCU `i` gives in these tests: its square, so any mix-up shows. */
const pairs = (from: number, count: number): string => JSON.stringify(Array.from({ length: count }, (_, k) => [from + k, (from + k) ** 2]));

function batch(contract: string, seq: number, ranges: IndexRange[], overrides: Partial<StoredBatch> = {}): StoredBatch {
  return {
    contract,
    solver: 'zi1solver',
    seq,
    payout: `payout-${contract}-${seq}`,
    ranges,
    perRange: ranges.map((r) => pairs(r.from, r.count)),
    validated: true,
    ...overrides,
  };
}

const indices = (entries: string) => (JSON.parse(entries) as [number, number][]).map(([index]) => index);

describe('ResultStore', () => {
  it('reads batches back as one index-ordered result set, whatever order and shape they came in', () => {
    const store = new ResultStore(database('order.db'));
    // Two sessions' leases interleave: batch ranges with holes that the other batch fills.
    store.put(batch('c1', 0, [{ from: 10, count: 2 }]));
    store.put(
      batch('c1', 1, [
        { from: 0, count: 3 },
        { from: 20, count: 2 },
      ]),
    );
    store.put(
      batch('c1', 2, [
        { from: 3, count: 7 },
        { from: 12, count: 8 },
      ]),
    );
    // Another contract's rows never show.
    store.put(batch('c2', 0, [{ from: 0, count: 5 }]));
    const page = store.page('c1');
    expect(page.next).toBeUndefined();
    expect(page.mcus).toBe(22);
    expect(JSON.parse(page.entries)).toEqual(JSON.parse(pairs(0, 22)));
    expect(store.summary('c1')).toEqual({ mcus: 22, batches: 3 });
    expect(store.summary('c3')).toEqual({ mcus: 0, batches: 0 });
    expect(store.page('c3')).toEqual({ entries: '[]', mcus: 0 });
  });

  it('pages whole ranges up to the limit; the pages joined are the whole set', () => {
    const store = new ResultStore(database('pages.db'));
    for (let seq = 0; seq < 10; seq++) store.put(batch('c', seq, [{ from: seq * 5, count: 5 }]));
    const seen: number[] = [];
    const pages: { mcus: number; next?: number }[] = [];
    let after: number | undefined;
    do {
      const page = store.page('c', { limit: 12, ...(after === undefined ? {} : { after }) });
      seen.push(...indices(page.entries));
      pages.push({ mcus: page.mcus, ...(page.next === undefined ? {} : { next: page.next }) });
      after = page.next;
    } while (after !== undefined);
    // 12 MCUs a page in ranges of 5: three ranges (15) a page, the last range alone.
    expect(pages).toEqual([{ mcus: 15, next: 10 }, { mcus: 15, next: 25 }, { mcus: 15, next: 40 }, { mcus: 5 }]);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    // A range bigger than the limit still comes, alone.
    expect(store.page('c', { limit: 1 })).toMatchObject({ mcus: 5, next: 0 });
    expect(() => store.page('c', { limit: 0 })).toThrow(RangeError);
  });

  it('keeps MCUs without an output as solved, and results with whitespace as valid JSON', () => {
    const store = new ResultStore(database('sparse.db'));
    store.put(batch('c', 0, [{ from: 0, count: 4 }], { perRange: [' [ [1, "one"] ,[3,{"x":[3]}] ] \n'] }));
    store.put(batch('c', 1, [{ from: 4, count: 2 }], { perRange: ['[ ]'] }));
    store.put(batch('c', 2, [{ from: 6, count: 1 }], { perRange: ['[[6,null]]'] }));
    const page = store.page('c');
    expect(JSON.parse(page.entries)).toEqual([
      [1, 'one'],
      [3, { x: [3] }],
      [6, null],
    ]);
    expect(page.mcus).toBe(7);
  });

  it('cuts an older batch back where a newer one signs the same indices again (a payout never included, then re-signed)', () => {
    const store = new ResultStore(database('cut.db'));
    store.put(batch('c', 0, [{ from: 0, count: 10 }], { payout: 'old' }));
    store.put(batch('c', 0, [{ from: 4, count: 3 }], { payout: 'new', perRange: ['[[4,-1],[5,-1],[6,-1]]'] }));
    const entries = JSON.parse(store.page('c').entries) as [number, number][];
    expect(entries.map(([index]) => index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(entries.filter(([, output]) => output === -1).map(([index]) => index)).toEqual([4, 5, 6]);
    expect(store.summary('c')).toEqual({ mcus: 10, batches: 2 });
  });

  it('refuses a batch whose result sets do not match its ranges, and writes none of it', () => {
    const store = new ResultStore(database('bad.db'));
    expect(() => store.put(batch('c', 0, [{ from: 0, count: 2 }], { perRange: [] }))).toThrow(RangeError);
    expect(() =>
      store.put(
        batch(
          'c',
          0,
          [
            { from: 0, count: 2 },
            { from: 5, count: 1 },
          ],
          { perRange: ['[[0,0]]', '{"no":1}'] },
        ),
      ),
    ).toThrow(RangeError);
    expect(store.summary('c')).toEqual({ mcus: 0, batches: 0 });
  });

  it('finds the results again after the database file is closed and reopened', () => {
    const path = 'reopen.db';
    const first = database(path);
    new ResultStore(first).put(batch('c', 0, [{ from: 0, count: 3 }]));
    first.close();
    const again = new ResultStore(database(path));
    expect(JSON.parse(again.page('c').entries)).toEqual(JSON.parse(pairs(0, 3)));
  });

  it('adds the results table to a database file of schema version 1', () => {
    const path = 'v1.db';
    const old = database(path);
    // What a version-1 node left: the chain tables, no results table, schema 1.
    old.exec('DROP TABLE results');
    old.prepare("UPDATE meta SET value = '1' WHERE key = 'schema'").run();
    old.close();
    const migrated = database(path);
    expect(migrated.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get()).toBe('2');
    const store = new ResultStore(migrated);
    store.put(batch('c', 0, [{ from: 0, count: 1 }]));
    expect(store.summary('c')).toEqual({ mcus: 1, batches: 1 });
  });

  it('a writer killed while it writes leaves whole batches only', async () => {
    const path = join(dir, 'crash.db');
    const RANGES = 40;
    // The writer puts batches of RANGES ranges of 2,000 MCUs each (a few MB) and reports each
    // commit; most of its time is spent inside a transaction, where the kill lands.
    const script = `
      import { openDatabase } from ${JSON.stringify(new URL('../dist/store/database.js', import.meta.url).href)};
      import { ResultStore } from ${JSON.stringify(new URL('../dist/market/result-store.js', import.meta.url).href)};
      const store = new ResultStore(openDatabase(${JSON.stringify(path)}));
      const text = (from) => JSON.stringify(Array.from({ length: 2000 }, (_, k) => [from + k, from + k]));
      for (let seq = 0; ; seq++) {
        const ranges = Array.from({ length: ${RANGES} }, (_, r) => ({ from: (seq * ${RANGES} + r) * 2000, count: 2000 }));
        store.put({ contract: 'c', solver: 's', seq, payout: 'p' + seq, ranges, perRange: ranges.map((r) => text(r.from)), validated: true });
        process.stdout.write('committed ' + seq + '\\n');
      }
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let committed = -1;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        committed = Number(line.split(' ')[1]);
        // After a few commits, kill it at once: the next batch is being written.
        if (committed === 3) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`the writer exited before committing 4 batches: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const db = database('crash.db');
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    const rows = db.prepare('SELECT seq, COUNT(*) AS ranges FROM results GROUP BY seq ORDER BY seq').all() as {
      seq: number;
      ranges: number;
    }[];
    // Every batch the writer reported is there (more may have committed before the kill), each one whole.
    expect(rows.length).toBeGreaterThanOrEqual(committed + 1);
    for (const row of rows) expect(row.ranges).toBe(RANGES);
    const store = new ResultStore(db);
    expect(store.summary('c').mcus).toBe(rows.length * RANGES * 2000);
  }, 60_000);
});
