import Database from 'better-sqlite3';

export type Sqlite = Database.Database;

/**
 * 1: the chain (meta, blocks, main, state, undo, txs). 2: the bidder's `results`. Every table is
 * created with `IF NOT EXISTS`, so opening a file of an older version adds what it lacks.
 */
const SCHEMA_VERSION = 2;

/**
 * Opens (or creates) a node database: WAL journal, `synchronous=FULL` so a committed block is on
 * disk before the import returns, and the schema. One SQLite transaction per block import (or
 * per reorg) is what makes a crash leave either the old chain or the new one, never half a block.
 */
export function openDatabase(path: string): Sqlite {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = OFF');
  // `blocks` keeps a rowid: its rows carry whole blocks, and a WITHOUT ROWID table stores each
  // such row on a mostly empty overflow page (measured: 3.2 times the file size).
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS blocks (
      id TEXT PRIMARY KEY,
      parent TEXT,
      height INTEGER NOT NULL,
      time INTEGER NOT NULL,
      work TEXT NOT NULL,
      status INTEGER NOT NULL,
      header BLOB NOT NULL,
      block BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS blocks_parent ON blocks(parent);
    CREATE TABLE IF NOT EXISTS main (height INTEGER PRIMARY KEY, id TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS state (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS undo (block TEXT NOT NULL, seq INTEGER NOT NULL, key BLOB NOT NULL, value BLOB, PRIMARY KEY (block, seq)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS txs (id TEXT PRIMARY KEY, block TEXT NOT NULL, idx INTEGER NOT NULL, type TEXT NOT NULL, sender TEXT NOT NULL, contract TEXT) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS txs_contract ON txs(contract);
    CREATE INDEX IF NOT EXISTS txs_sender ON txs(sender);
  `);
  // Version 2: the results of the batches a bidder signed payouts for (market/result-store.ts),
  // one row per range. A rowid table for the same reason as blocks: rows carry result bytes.
  db.exec(`
    CREATE TABLE IF NOT EXISTS results (
      contract TEXT NOT NULL,
      first INTEGER NOT NULL,
      count INTEGER NOT NULL,
      payout TEXT NOT NULL,
      solver TEXT NOT NULL,
      seq INTEGER NOT NULL,
      validated INTEGER NOT NULL,
      stored INTEGER NOT NULL,
      results BLOB NOT NULL,
      PRIMARY KEY (contract, first)
    );
  `);
  const version = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'schema'").get();
  if (Number(version?.value ?? 0) < SCHEMA_VERSION)
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
  return db;
}
