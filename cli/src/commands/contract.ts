import { Args, Flags } from '@oclif/core';
import type { ContractJson, PayoutJson } from '@zi/node';
import { ChainCommand, contractLines, rpcFlag } from '../chain.js';

export default class Contract extends ChainCommand {
  static override summary = 'Show a contract: escrow, MCUs paid, solved ranges, recent payouts';
  static override description = 'Everything the chain knows about one contract (its id is the id of the publish transaction).';
  static override examples = ['<%= config.bin %> contract bafyrei…', '<%= config.bin %> contract bafyrei… --payouts 50 --json'];
  static override args = { id: Args.string({ description: 'contract id', required: true }) };
  static override flags = {
    payouts: Flags.integer({ description: 'how many recent payouts to show', default: 10, min: 0 }),
    ...rpcFlag,
  };

  async run(): Promise<ContractJson & { recentPayouts: PayoutJson[] }> {
    const { args, flags } = await this.parse(Contract);
    const client = this.rpcClient(flags);
    const contract = await client.call('zi_contract', { id: args.id.trim() });
    const recentPayouts =
      flags.payouts === 0 || contract.payouts === 0 ? [] : await client.call('zi_payouts', { contract: contract.id, limit: flags.payouts });
    for (const line of contractLines(contract, recentPayouts)) this.say(line);
    return { ...contract, recentPayouts };
  }
}
