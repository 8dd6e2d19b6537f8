import { sha256 } from '@noble/hashes/sha2.js';
import { STAKE_ADDRESS } from './address.js';
import { bytesEqual } from './bytes.js';
import { cidOfCbor, decodeCbor, encodeCbor } from './codec/cbor.js';
import { address, bytes, cid, type Infer, list, optional, struct, text, uint } from './codec/kinds.js';
import { SpecError } from './errors.js';
import { type GenesisConfig, genesisCid, MAX_BLOCK_BYTES } from './genesis.js';
import { merkleRoot } from './merkle.js';
import { MAX_DIFFICULTY, meetsDifficulty } from './pow.js';
import { genesisStateRoot } from './state.js';
import { CHAIN_ID_PATTERN, checkStandalone, type Transaction, transaction, transactionDigest } from './tx.js';

/** The header format version this spec defines (BLK-1). */
export const BLOCK_VERSION = 1;
/** Bytes of the proof-of-work nonce: fixed, so a miner rewrites it in place (BLK-2). */
export const NONCE_BYTES = 8;
/** The largest encoded header. */
export const MAX_HEADER_BYTES = 1024;

/** A block header (BLK-1); its canonical bytes are what proof of work and the block id hash. */
export const blockHeader = struct({
  version: uint(255),
  chain: text(32, CHAIN_ID_PATTERN),
  /** id of the parent block; absent only in the genesis block */
  parent: optional(cid('dag-cbor')),
  height: uint(),
  /** milliseconds since 1970, UTC */
  time: uint(),
  /** D in units of 2^-16 leading zero bits (POW-2) */
  difficulty: uint(MAX_DIFFICULTY),
  nonce: bytes(NONCE_BYTES),
  /** receives the reward and the fees (BLK-9) */
  miner: address(),
  /** Merkle root of the transaction digests, in block order (BLK-4) */
  txRoot: bytes(32),
  txCount: uint(),
  /** the state commitment after this block (STATE-1) */
  stateRoot: bytes(32),
  /** only in the genesis block: the CID of the genesis configuration (GEN-4) */
  genesis: optional(cid('dag-cbor')),
});

/** A block: its header and its transactions (BLK-3). */
export const block = struct({ header: blockHeader, txs: list(transaction, 100_000) });

export type BlockHeader = Infer<typeof blockHeader>;
export type Block = { header: BlockHeader; txs: Transaction[] };

/** The canonical bytes of a header. */
export function encodeHeader(header: BlockHeader): Uint8Array {
  return encodeCbor(blockHeader.toWire(header));
}

/** Reads a header from canonical bytes. */
export function decodeHeader(data: Uint8Array): BlockHeader {
  return blockHeader.fromWire(decodeCbor(data, MAX_HEADER_BYTES), 'header');
}

/** The proof-of-work hash of a header (POW-1): sha256 of its canonical bytes. */
export function headerHash(header: BlockHeader | Uint8Array): Uint8Array {
  return sha256(header instanceof Uint8Array ? header : encodeHeader(header));
}

/** The block id (BLK-5): the CIDv1 (dag-cbor, sha2-256) of the header's canonical bytes. */
export function blockId(header: BlockHeader | Uint8Array): string {
  return cidOfCbor(header instanceof Uint8Array ? header : encodeHeader(header)).toString();
}

/** The canonical bytes of a block. */
export function encodeBlock(value: Block): Uint8Array {
  return encodeCbor(block.toWire(value));
}

/**
 * Reads a block from bytes and checks what needs no chain (BLK-3, BLK-4): canonical encoding,
 * size, exact fields, the standalone transaction rules (TX-7), `txCount` and `txRoot` matching
 * the transactions. Signatures, proof of work and chain rules are the node's to check.
 *
 * @throws SpecError SPEC_CBOR_*, SPEC_FIELD_*, a TX-7 rule code, SPEC_BLOCK_TX_ROOT, SPEC_BLOCK_TX_COUNT
 */
export function decodeBlock(data: Uint8Array): Block {
  const value = block.fromWire(decodeCbor(data, MAX_BLOCK_BYTES), 'block') as Block;
  checkBlockBody(value);
  return value;
}

/** The Merkle root of a block's transactions (BLK-4). */
export function transactionsRoot(txs: readonly Transaction[]): Uint8Array {
  return merkleRoot(txs.map((tx) => transactionDigest(tx)));
}

/** The checks of a block body that need no chain (TX-7, BLK-4); {@link decodeBlock} applies them. */
export function checkBlockBody(value: Block): void {
  // TX-7 holds for a transaction inside a block as much as for one on its own.
  for (const [i, tx] of value.txs.entries()) checkStandalone(tx, `block.txs[${i}]`);
  if (value.header.txCount !== value.txs.length) {
    throw new SpecError(
      'SPEC_BLOCK_TX_COUNT',
      `block: the header counts ${value.header.txCount} transactions, the body has ${value.txs.length}`,
      'txCount must equal the number of transactions (BLK-4)',
    );
  }
  if (!bytesEqual(value.header.txRoot, transactionsRoot(value.txs))) {
    throw new SpecError('SPEC_BLOCK_TX_ROOT', 'block: txRoot is not the Merkle root of the transactions', 'recompute txRoot (BLK-4)');
  }
}

/** POW-1 for a header: its hash is below the target of its difficulty. */
export function headerMeetsDifficulty(header: BlockHeader | Uint8Array): boolean {
  const value = header instanceof Uint8Array ? decodeHeader(header) : header;
  return meetsDifficulty(headerHash(header), value.difficulty);
}

/**
 * The genesis block of a configuration (GEN-4): height 0, no parent, no transactions, difficulty
 * 0, a zero nonce, the stake address as miner, the configuration's CID, and the state root of the
 * allocations. Every node derives the same block, so its id names the chain.
 */
export function genesisBlock(config: GenesisConfig): Block {
  const header: BlockHeader = {
    version: BLOCK_VERSION,
    chain: config.chain,
    height: 0,
    time: config.time,
    difficulty: 0,
    nonce: new Uint8Array(NONCE_BYTES),
    miner: STAKE_ADDRESS,
    txRoot: merkleRoot([]),
    txCount: 0,
    stateRoot: genesisStateRoot(config),
    genesis: genesisCid(config),
  };
  return { header, txs: [] };
}
