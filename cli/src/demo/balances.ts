import type { RpcClient } from '@zi/node';
import { genesisFromJson } from '@zi/spec';
import type { DemoSummary } from './story.js';

/** What {@link balancesOf} needs: who took part, and the fees the demo paid before the payouts. */
export interface BalancesOptions {
  /** the miner's node: it mined every block, so its chain has them all */
  client: RpcClient;
  contract: string;
  solvers: readonly { name: string; address: string; pid: number; mcus: number; batches: number }[];
  bidder: { address: string; pid: number; funded: bigint; publishFee: bigint };
  miner: { address: string; pid: number };
  /** the fee of the transfer that funded the bidder */
  transferFee: bigint;
}

/** The balances part of the demo's summary. */
export type Balances = Pick<DemoSummary, 'payouts' | 'blocks' | 'solvers' | 'bidder' | 'miner' | 'check'>;

/**
 * The balances at the end of the demo, from the chain, and the check that they add up: the
 * solvers' earnings and the payout fees are what the escrow paid out; what the bidder spent is the
 * escrow and the publish fee; the miner holds a reward per block (BLK-9) and every fee paid.
 * Solvers start with nothing and the miner's key with nothing (it is the devnet key after the
 * funded ones), so their balances are their earnings.
 */
export async function balancesOf(options: BalancesOptions): Promise<Balances> {
  const { client } = options;
  const balance = async (address: string): Promise<bigint> => BigInt((await client.call('zi_account', { address })).balance);
  const [entry, head, chain, bidderBalance, minerBalance, solverBalances] = await Promise.all([
    client.call('zi_contract', { id: options.contract }),
    client.call('zi_head', {}),
    client.call('zi_chain', {}),
    balance(options.bidder.address),
    balance(options.miner.address),
    Promise.all(options.solvers.map((s) => balance(s.address))),
  ]);
  const solverEarnings = solverBalances.reduce((sum, b) => sum + b, 0n);
  const paidOut = BigInt(entry.spent);
  const payoutFees = paidOut - solverEarnings;
  const rewards = BigInt(head.height) * genesisFromJson(chain.genesis).reward;
  const minerFees = minerBalance - rewards;
  const feesPaid = options.transferFee + options.bidder.publishFee + payoutFees;
  const spent = options.bidder.funded - bidderBalance;
  return {
    payouts: entry.payouts,
    blocks: head.height,
    solvers: options.solvers.map((s, i) => ({ ...s, earned: (solverBalances[i] ?? 0n).toString() })),
    bidder: {
      address: options.bidder.address,
      pid: options.bidder.pid,
      funded: options.bidder.funded.toString(),
      balance: bidderBalance.toString(),
      spent: spent.toString(),
      escrow: entry.budget,
      paidOut: entry.spent,
      escrowLeft: entry.escrow,
      publishFee: options.bidder.publishFee.toString(),
    },
    miner: {
      address: options.miner.address,
      pid: options.miner.pid,
      balance: minerBalance.toString(),
      blocks: head.height,
      rewards: rewards.toString(),
      fees: minerFees.toString(),
    },
    check: {
      solverEarnings: solverEarnings.toString(),
      payoutFees: payoutFees.toString(),
      paidOut: entry.spent,
      feesPaid: feesPaid.toString(),
      ok:
        payoutFees >= 0n &&
        paidOut + BigInt(entry.escrow) === BigInt(entry.budget) &&
        spent === BigInt(entry.budget) + options.bidder.publishFee &&
        minerFees === feesPaid,
    },
  };
}
