import { sha256 } from '@noble/hashes/sha2.js';
import { addressBytes, addressOf } from './address.js';
import { concatBytes, utf8Bytes } from './bytes.js';
import { cidOfCbor, decodeCbor, encodeCbor } from './codec/cbor.js';
import { address, byteString, bytes, cid, type Infer, list, literal, oneOf, optional, struct, tagged, text, uint } from './codec/kinds.js';
import { SpecError } from './errors.js';
import { publicKeyOf, SIGNATURE_BYTES, sign, verify } from './keys.js';
import { domainSigningBytes } from './signing.js';
import { CHAIN_ID_PATTERN, checkStandalone, indexRange, payoutTx, unsignedPayout } from './tx.js';

/** SES-6: the largest session message (a batch with its results). */
export const MAX_SESSION_MESSAGE_BYTES = 4 * 1024 * 1024;
/** SES-6: the largest result bytes in one batch. */
export const MAX_BATCH_RESULT_BYTES = 4 * 1024 * 1024 - 64 * 1024;
/** Domain separation of session signatures (KEY-6). */
export const SESSION_SIGNING_DOMAIN = 'zi-session/1';

const chain = text(32, CHAIN_ID_PATTERN);
const sig = bytes(SIGNATURE_BYTES);

/**
 * SES-1: the solver's first message. `proof` is the paper's hash of public key + timestamp +
 * address + contract: `sha256(publicKey || u64be(time) || utf8(peer) || contract CID bytes)`;
 * `sig` (by `solver`) over the message shows the solver holds the key.
 */
export const locateMessage = struct({
  type: literal('locate'),
  chain,
  contract: cid('dag-cbor'),
  /** the solver's address: its payouts go here and it signs this message */
  solver: address(),
  /** the solver's libp2p peer id and listen addresses */
  peer: text(128),
  addrs: list(text(256), 16),
  time: uint(),
  proof: bytes(32),
  sig,
});

/**
 * SES-2: the bidder's (or its validator's) signed answer: the session is open. `maxBatch` caps
 * the batch growth (SES-3); `skip` are ranges the solver should not work on (solved or taken).
 */
export const ackMessage = struct({
  type: literal('ack'),
  chain,
  contract: cid('dag-cbor'),
  solver: address(),
  /** sha256 of the locate message's canonical bytes */
  locate: bytes(32),
  signer: address(),
  time: uint(),
  maxBatch: uint(),
  skip: list(indexRange, 1024),
  sig,
});

/**
 * SES-4: a batch of results and the unsigned payout for it. `results` are the result bytes the
 * payout's `result` CID names; `seq` numbers batches from 0.
 */
export const batchMessage = struct({
  type: literal('batch'),
  contract: cid('dag-cbor'),
  seq: uint(),
  results: byteString(MAX_BATCH_RESULT_BYTES),
  payout: unsignedPayout,
});

/** SES-5: the signed payout for batch `seq`; the solver submits it to the chain. */
export const paidMessage = struct({ type: literal('paid'), contract: cid('dag-cbor'), seq: uint(), payout: payoutTx });

/** SES-5: why a batch or a session is refused. */
export const REFUSAL_REASONS = [
  'invalid-results',
  'wrong-ranges',
  'wrong-amount',
  'batch-too-large',
  'unpaid-batch',
  'unknown-contract',
  'contract-closed',
  'escrow-exhausted',
  'bad-signature',
  'busy',
  'malformed',
] as const;
export const refusalMessage = struct({
  type: literal('refuse'),
  contract: cid('dag-cbor'),
  seq: optional(uint()),
  reason: oneOf(REFUSAL_REASONS),
  message: text(512),
});

/** Every solver-session message, chosen by `type`. */
export const sessionMessage = tagged({
  locate: locateMessage,
  ack: ackMessage,
  batch: batchMessage,
  paid: paidMessage,
  refuse: refusalMessage,
});

export type SessionMessage = Infer<typeof sessionMessage>;
export type LocateMessage = Infer<typeof locateMessage>;
export type AckMessage = Infer<typeof ackMessage>;
export type BatchMessage = Infer<typeof batchMessage>;
export type PaidMessage = Infer<typeof paidMessage>;
export type RefusalMessage = Infer<typeof refusalMessage>;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** The canonical bytes of a session message. */
export function encodeSessionMessage(message: SessionMessage): Uint8Array {
  return encodeCbor(sessionMessage.toWire(message));
}

/**
 * Reads a session message from bytes (canonical, size-capped, exact fields; the payout of a
 * batch or paid message meets the standalone payout rules, TX-7).
 */
export function decodeSessionMessage(data: Uint8Array): SessionMessage {
  const message = sessionMessage.fromWire(decodeCbor(data, MAX_SESSION_MESSAGE_BYTES), 'message');
  if (message.type === 'batch' || message.type === 'paid') checkStandalone(message.payout, 'message.payout');
  return message;
}

/** SES-1: the locate proof, sha256(publicKey || u64be(time) || utf8(peer) || contract CID bytes). */
export function locateProof(solver: string, time: number, peer: string, contract: string): Uint8Array {
  const timeBytes = new Uint8Array(8);
  new DataView(timeBytes.buffer).setBigUint64(0, BigInt(time));
  const contractBytes = cid('dag-cbor').toWire(contract) as { bytes: Uint8Array };
  return sha256(concatBytes(addressBytes(solver), timeBytes, utf8Bytes(peer), contractBytes.bytes));
}

function signingBytes(message: LocateMessage | AckMessage): Uint8Array {
  const wire = sessionMessage.toWire({ ...message, sig: new Uint8Array(SIGNATURE_BYTES) }) as Record<string, unknown>;
  return domainSigningBytes(SESSION_SIGNING_DOMAIN, wire);
}

/** Signs a locate message (by the solver) or an ack (by the signer). */
export function signSessionMessage<T extends LocateMessage | AckMessage>(message: Omit<T, 'sig'>, secretKey: Uint8Array): T {
  const unsigned = { ...message, sig: new Uint8Array(SIGNATURE_BYTES) } as unknown as LocateMessage | AckMessage;
  const signer = unsigned.type === 'locate' ? unsigned.solver : unsigned.signer;
  if (addressOf(publicKeyOf(secretKey)) !== signer) throw new TypeError('signSessionMessage: the secret key is not the signer’s');
  return { ...unsigned, sig: sign(signingBytes(unsigned), secretKey) } as T;
}

/**
 * Checks a locate (SES-1) or ack (SES-2) message: the signature, and for locate the proof.
 *
 * @throws SpecError SPEC_SESSION_SIGNATURE, SPEC_SESSION_PROOF
 */
export function verifySessionMessage(message: LocateMessage | AckMessage): void {
  const signer = message.type === 'locate' ? message.solver : message.signer;
  if (!verify(message.sig, signingBytes(message), addressBytes(signer))) {
    throw new SpecError(
      'SPEC_SESSION_SIGNATURE',
      `the ${message.type} message is not signed by ${signer}`,
      'sign it with that address’s key (SES-1, SES-2)',
    );
  }
  if (message.type === 'locate') {
    const expected = locateProof(message.solver, message.time, message.peer, message.contract);
    if (!expected.every((byte, i) => byte === message.proof[i])) {
      throw new SpecError(
        'SPEC_SESSION_PROOF',
        'the locate proof is not the hash of key, time, peer and contract',
        'compute it as SES-1 says',
      );
    }
  }
}

/** sha256 of a locate message's canonical bytes: what an ack names. */
export function locateDigest(message: LocateMessage): Uint8Array {
  return sha256(encodeSessionMessage(message));
}

/**
 * SES-3: the number of MCUs in batch `seq`: one MCU first, then doubling (the number of batches
 * grows with the logarithm of the work done), never above `maxBatch`.
 *
 * @example
 * [0, 1, 2, 3, 10].map((seq) => batchSize(seq, 256)); // [1, 2, 4, 8, 256]
 */
export function batchSize(seq: number, maxBatch: number): number {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError('batchSize: seq must be a non-negative integer');
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError('batchSize: maxBatch must be a positive integer');
  return seq >= 53 ? maxBatch : Math.min(maxBatch, 2 ** seq);
}

/** The CID that names a batch's result bytes (the payout's `result`). */
export { cidOfBytes as resultCid } from './cid.js';
export { cidOfCbor };
