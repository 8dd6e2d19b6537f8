import { type BlockHeader, type IndexRange, type PayoutTx, SCHEMA_KINDS } from '@zi/spec';
import type { HeadInfo } from '../chain/chain.js';
import type { ContractEntry } from '../state/entries.js';
import type { ContractJson, HeadJson, PayoutJson } from './types.js';

/** The JSON forms the RPC API answers with (api/types.ts): amounts as decimal strings, never bigints. */

export function headJson(head: HeadInfo): HeadJson {
  return {
    id: head.id,
    height: head.height,
    time: head.time,
    difficulty: head.header.difficulty,
    work: head.work.toString(),
    txCount: head.header.txCount,
  };
}

export function headerJson(header: BlockHeader): Record<string, unknown> {
  return SCHEMA_KINDS['block-header'].toJson(header) as Record<string, unknown>;
}

const rangesJson = (ranges: readonly IndexRange[]) => ranges.map((range) => ({ from: range.from, count: range.count }));

export function contractJson(id: string, entry: ContractEntry, solved: readonly IndexRange[]): ContractJson {
  return {
    id,
    bidder: entry.bidder,
    name: entry.name,
    bundle: entry.bundle,
    manifest: entry.manifest,
    mcus: entry.mcus,
    gasPerMcu: entry.gasPerMcu,
    price: entry.price.toString(),
    budget: entry.budget.toString(),
    escrow: entry.escrow.toString(),
    validationFee: entry.validationFee.toString(),
    ...(entry.validator === undefined ? {} : { validator: entry.validator }),
    status: entry.status,
    height: entry.height,
    paid: entry.paid,
    spent: entry.spent.toString(),
    payouts: entry.payouts,
    solvedRanges: rangesJson(solved),
  };
}

export function payoutJson(id: string, height: number, tx: PayoutTx): PayoutJson {
  return {
    id,
    height,
    solver: tx.solver,
    ranges: rangesJson(tx.ranges),
    amount: tx.amount.toString(),
    fee: tx.fee.toString(),
    result: tx.result,
  };
}
