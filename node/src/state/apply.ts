import {
  addressBytes,
  type CloseTx,
  cidOfBytes,
  countIndices,
  type GenesisConfig,
  type IndexRange,
  isCidOfBytes,
  minimumEscrow,
  type PayoutTx,
  type PublishTx,
  STAKE_ADDRESS,
  type StakeTx,
  type Transaction,
  type TransferTx,
  transactionId,
  type UnstakeTx,
} from '@zi/spec';
import { NodeError } from '../errors.js';
import {
  accountKey,
  COUNTERS_KEY,
  type ContractEntry,
  contractKey,
  decodeAccount,
  decodeContract,
  decodeCounters,
  decodeSolved,
  decodeStake,
  encodeAccount,
  encodeContract,
  encodeCounters,
  encodeSolved,
  encodeStake,
  solvedKey,
  validatorKey,
} from './entries.js';
import type { StateOverlay } from './overlay.js';
import { RuleError } from './rule-error.js';

const MAX = (1n << 64n) - 1n;

/** What a block gives the transactions in it. */
export interface BlockContext {
  genesis: GenesisConfig;
  height: number;
  time: number;
  miner: string;
}

function credit(state: StateOverlay, address: string, li: bigint): void {
  const key = accountKey(address);
  const account = decodeAccount(state.get(key));
  const balance = account.balance + li;
  if (balance > MAX)
    throw new RuleError(
      'AMT-2',
      'NODE_BALANCE_OVERFLOW',
      `the balance of ${address} would pass 2^64 - 1 Li`,
      'this transfer cannot be made',
    );
  state.set(key, encodeAccount(balance, account.nonce));
}

function debit(state: StateOverlay, address: string, li: bigint, rule: string): void {
  const key = accountKey(address);
  const account = decodeAccount(state.get(key));
  if (account.balance < li) {
    throw new RuleError(
      rule,
      'NODE_INSUFFICIENT_FUNDS',
      `${address} holds ${account.balance} Li and needs ${li} Li`,
      'fund the account or send less',
    );
  }
  state.set(key, encodeAccount(account.balance - li, account.nonce));
}

/** TX-9: the nonce must be the account's; including the transaction increments it. */
function takeNonce(state: StateOverlay, tx: { from: string; nonce: number }): void {
  const key = accountKey(tx.from);
  const account = decodeAccount(state.get(key));
  if (tx.nonce !== account.nonce) {
    const why = tx.nonce < account.nonce ? 'already used' : 'ahead of the account';
    throw new RuleError(
      'TX-9',
      tx.nonce < account.nonce ? 'NODE_NONCE_USED' : 'NODE_NONCE_GAP',
      `nonce ${tx.nonce} of ${tx.from} is ${why} (next is ${account.nonce})`,
      'sign with the account’s next nonce (zi wallet balance shows it)',
    );
  }
  state.set(key, encodeAccount(account.balance, account.nonce + 1));
}

export function readContract(
  state: StateOverlay | { get(key: Uint8Array): Uint8Array | undefined },
  contractId: string,
): ContractEntry | undefined {
  const bytes = state.get(contractKey(contractId));
  return bytes ? decodeContract(bytes) : undefined;
}

/**
 * {@link readContract} for lookups a user asked for by id (RPC, status, results).
 *
 * @throws NodeError NODE_CONTRACT_UNKNOWN when the state has no such contract
 */
export function requireContract(state: { get(key: Uint8Array): Uint8Array | undefined }, contractId: string): ContractEntry {
  const entry = readContract(state, contractId);
  if (!entry)
    throw new NodeError(
      'NODE_CONTRACT_UNKNOWN',
      `there is no contract ${contractId} on this node's chain`,
      'check the id (`zi contracts` lists them), and that this node has synced the block that published it',
    );
  return entry;
}

function openContract(state: StateOverlay, contractId: string): ContractEntry {
  const contract = readContract(state, contractId);
  if (!contract)
    throw new RuleError(
      'PAY-1',
      'NODE_CONTRACT_UNKNOWN',
      `there is no contract ${contractId}`,
      'check the contract id (zi contracts lists them)',
    );
  if (contract.status !== 'open')
    throw new RuleError('PAY-1', 'NODE_CONTRACT_CLOSED', `contract ${contractId} is closed`, 'closed contracts take no payouts');
  return contract;
}

function changeOpenContracts(state: StateOverlay, delta: number): void {
  const counters = decodeCounters(state.get(COUNTERS_KEY));
  state.set(COUNTERS_KEY, encodeCounters({ openContracts: counters.openContracts + delta }));
}

function applyTransfer(state: StateOverlay, tx: TransferTx, ctx: BlockContext): void {
  if (tx.to === STAKE_ADDRESS)
    throw new RuleError(
      'TRF-1',
      'NODE_TRANSFER_TO_STAKE',
      'a transfer cannot go to the stake address 000',
      'stake with a stake transaction (zi stake)',
    );
  takeNonce(state, tx);
  debit(state, tx.from, tx.amount + tx.fee, 'TX-10');
  credit(state, tx.to, tx.amount);
  credit(state, ctx.miner, tx.fee);
}

function applyPublish(state: StateOverlay, tx: PublishTx, ctx: BlockContext): void {
  if (tx.code && !isCidOfBytes(tx.bundle, tx.code)) {
    throw new RuleError(
      'PUB-2',
      'NODE_BUNDLE_MISMATCH',
      `the inline code hashes to ${cidOfBytes(tx.code)}, not to the bundle CID ${tx.bundle}`,
      'publish the bundle the CID names',
    );
  }
  const minimum = minimumEscrow(tx.price, tx.mcus, ctx.genesis.market.minEscrowMcus);
  if (tx.budget < minimum) {
    throw new RuleError(
      'PUB-4',
      'NODE_ESCROW_TOO_SMALL',
      `the budget ${tx.budget} Li is below ${minimum} Li (price × min(mcus, ${ctx.genesis.market.minEscrowMcus}))`,
      'raise the budget or lower the price',
    );
  }
  const validationFee = tx.validation?.fee ?? 0n;
  takeNonce(state, tx);
  debit(state, tx.from, tx.budget + validationFee + tx.fee, 'PUB-4');
  credit(state, ctx.miner, tx.fee);
  const id = transactionId(tx);
  const entry: ContractEntry = {
    bidder: tx.from,
    bundle: tx.bundle,
    manifest: tx.manifest,
    name: tx.name,
    mcus: tx.mcus,
    gasPerMcu: tx.gasPerMcu,
    price: tx.price,
    budget: tx.budget,
    escrow: tx.budget,
    validationFee,
    status: 'open',
    height: ctx.height,
    paid: 0,
    spent: 0n,
    payouts: 0,
  };
  state.set(contractKey(id), encodeContract(entry));
  changeOpenContracts(state, 1);
}

/** Inserts canonical `ranges` into canonical `solved`; throws PAY-5 on any overlap. */
export function mergeSolved(solved: readonly IndexRange[], ranges: readonly IndexRange[], contractId: string): IndexRange[] {
  const out: IndexRange[] = [];
  let i = 0;
  let j = 0;
  while (i < solved.length || j < ranges.length) {
    const a = solved[i];
    const b = ranges[j];
    let next: IndexRange;
    if (a && (!b || a.from <= b.from)) {
      next = a;
      i++;
    } else {
      next = b as IndexRange;
      j++;
    }
    const last = out[out.length - 1];
    if (last && next.from < last.from + last.count) {
      throw new RuleError(
        'PAY-5',
        'NODE_INDEX_PAID',
        `index ${next.from} of contract ${contractId} is already paid`,
        'pay only unsolved indices (the contract’s solved ranges)',
      );
    }
    if (last && next.from === last.from + last.count) last.count += next.count;
    else out.push({ from: next.from, count: next.count });
  }
  return out;
}

function applyPayout(state: StateOverlay, tx: PayoutTx, ctx: BlockContext): void {
  const contract = openContract(state, tx.contract);
  const signer = contract.validator ?? contract.bidder;
  if (tx.from !== signer) {
    throw new RuleError(
      'PAY-3',
      'NODE_PAYOUT_SIGNER',
      `payouts of contract ${tx.contract} are signed by ${signer}, not ${tx.from}`,
      'ask the bidder (or its validator) to sign the payout',
    );
  }
  const last = tx.ranges[tx.ranges.length - 1] as IndexRange;
  if (last.from + last.count > contract.mcus) {
    throw new RuleError(
      'PAY-2',
      'NODE_PAYOUT_RANGE',
      `the ranges reach index ${last.from + last.count - 1}, the contract has ${contract.mcus} MCUs`,
      'pay indices below mcus only',
    );
  }
  const count = countIndices(tx.ranges);
  const due = contract.price * BigInt(count);
  if (tx.amount !== due) {
    throw new RuleError(
      'PAY-4',
      'NODE_PAYOUT_AMOUNT',
      `${count} MCUs at ${contract.price} Li are ${due} Li, the payout says ${tx.amount} Li`,
      'set amount = price × MCUs',
    );
  }
  if (contract.escrow < tx.amount) {
    throw new RuleError(
      'PAY-6',
      'NODE_ESCROW_EXHAUSTED',
      `contract ${tx.contract} has ${contract.escrow} Li left in escrow, the payout is ${tx.amount} Li`,
      'the bidder must publish a new contract or the solver claim fewer MCUs',
    );
  }
  const solved = mergeSolved(decodeSolved(state.get(solvedKey(tx.contract))), tx.ranges, tx.contract);
  state.set(solvedKey(tx.contract), encodeSolved(solved));
  state.set(
    contractKey(tx.contract),
    encodeContract({
      ...contract,
      escrow: contract.escrow - tx.amount,
      paid: contract.paid + count,
      spent: contract.spent + tx.amount,
      payouts: contract.payouts + 1,
    }),
  );
  credit(state, tx.solver, tx.amount - tx.fee);
  credit(state, ctx.miner, tx.fee);
}

function applyClose(state: StateOverlay, tx: CloseTx, ctx: BlockContext): void {
  const contract = readContract(state, tx.contract);
  if (!contract) throw new RuleError('CLS-1', 'NODE_CONTRACT_UNKNOWN', `there is no contract ${tx.contract}`, 'check the contract id');
  if (contract.bidder !== tx.from)
    throw new RuleError(
      'CLS-1',
      'NODE_NOT_BIDDER',
      `only the bidder ${contract.bidder} may close contract ${tx.contract}`,
      'sign with the bidder’s key',
    );
  if (contract.status !== 'open')
    throw new RuleError('CLS-1', 'NODE_CONTRACT_CLOSED', `contract ${tx.contract} is already closed`, 'nothing to do');
  takeNonce(state, tx);
  // VAL-4: with no validator assigned, the validation fee returns with the escrow.
  const refund = contract.escrow + (contract.validator ? 0n : contract.validationFee);
  credit(state, tx.from, refund);
  debit(state, tx.from, tx.fee, 'TX-10');
  credit(state, ctx.miner, tx.fee);
  state.set(
    contractKey(tx.contract),
    encodeContract({ ...contract, status: 'closed', escrow: 0n, validationFee: contract.validator ? contract.validationFee : 0n }),
  );
  changeOpenContracts(state, -1);
}

function applyStake(state: StateOverlay, tx: StakeTx, ctx: BlockContext): void {
  takeNonce(state, tx);
  debit(state, tx.from, tx.amount + tx.fee, 'STK-1');
  credit(state, STAKE_ADDRESS, tx.amount);
  credit(state, ctx.miner, tx.fee);
  const key = validatorKey(tx.from);
  state.set(key, encodeStake(decodeStake(state.get(key)) + tx.amount));
}

function applyUnstake(state: StateOverlay, tx: UnstakeTx, ctx: BlockContext): void {
  const key = validatorKey(tx.from);
  const stake = decodeStake(state.get(key));
  if (stake < tx.amount)
    throw new RuleError(
      'UNS-1',
      'NODE_STAKE_TOO_SMALL',
      `${tx.from} has ${stake} Li staked, not ${tx.amount} Li`,
      'unstake at most your stake',
    );
  takeNonce(state, tx);
  debit(state, STAKE_ADDRESS, tx.amount, 'UNS-1');
  credit(state, tx.from, tx.amount);
  debit(state, tx.from, tx.fee, 'TX-10');
  credit(state, ctx.miner, tx.fee);
  state.set(key, stake === tx.amount ? null : encodeStake(stake - tx.amount));
}

/**
 * Applies one transaction to `state` (its effects only; the caller has checked the signature and
 * runs it in a child overlay so a rejected transaction leaves nothing behind).
 *
 * @throws RuleError naming the rule the transaction broke
 */
export function applyTransaction(state: StateOverlay, tx: Transaction, ctx: BlockContext): void {
  if (tx.chain !== ctx.genesis.chain) {
    throw new RuleError(
      'TX-2',
      'NODE_WRONG_CHAIN',
      `the transaction is for chain "${tx.chain}", this is "${ctx.genesis.chain}"`,
      'sign it for this chain',
    );
  }
  addressBytes(tx.from);
  switch (tx.type) {
    case 'transfer':
      applyTransfer(state, tx, ctx);
      return;
    case 'publish':
      applyPublish(state, tx, ctx);
      return;
    case 'payout':
      applyPayout(state, tx, ctx);
      return;
    case 'close':
      applyClose(state, tx, ctx);
      return;
    case 'stake':
      applyStake(state, tx, ctx);
      return;
    case 'unstake':
      applyUnstake(state, tx, ctx);
      return;
    default:
      // VAL/AUD/APL/FND effects arrive with the validator and fund work; until then these types are
      // well-formed but not accepted, so no chain records a vote whose meaning is not yet defined.
      throw new RuleError(
        'TX-11',
        'NODE_TX_NOT_ENABLED',
        `${tx.type} transactions are not enabled on this chain yet`,
        'wait for a node version that implements them',
      );
  }
}

/** BLK-9: the block reward goes to the miner before any transaction applies. */
export function applyReward(state: StateOverlay, ctx: BlockContext): void {
  credit(state, ctx.miner, ctx.genesis.reward);
}

/** The open-contract count of a state (DIF-1). */
export function openContracts(state: { get(key: Uint8Array): Uint8Array | undefined }): number {
  return decodeCounters(state.get(COUNTERS_KEY)).openContracts;
}
