import { Flags } from '@oclif/core';
import type { ContractJson } from '@zi/node';
import { ChainCommand, contractTable, rpcFlag } from '../chain.js';
import { keysDirFlag } from '../wallet.js';

export default class Contracts extends ChainCommand {
  static override summary = 'List the contracts on chain: open ones, or --all';
  static override description = 'One row per contract: id, name, status, price per MCU, MCUs paid of the total, escrow left.';
  static override examples = [
    '<%= config.bin %> contracts',
    '<%= config.bin %> contracts --all --bidder default',
    '<%= config.bin %> contracts --json',
  ];
  static override flags = {
    all: Flags.boolean({ description: 'closed contracts too', default: false }),
    bidder: Flags.string({ description: 'only the contracts of this bidder: a zi1… address or a wallet name' }),
    limit: Flags.integer({ description: 'at most this many', default: 100, min: 1 }),
    ...rpcFlag,
    ...keysDirFlag,
  };

  async run(): Promise<{ contracts: ContractJson[] }> {
    const { flags } = await this.parse(Contracts);
    const bidder = flags.bidder === undefined ? undefined : await this.addressOf(flags.bidder, flags);
    const contracts = await this.rpcClient(flags).call('zi_contracts', {
      status: flags.all ? 'all' : 'open',
      limit: flags.limit,
      ...(bidder === undefined ? {} : { bidder }),
    });
    if (contracts.length === 0) {
      this.say(`No ${flags.all ? '' : 'open '}contracts${bidder === undefined ? '' : ` of ${bidder}`}. Publish one with \`zi publish\`.`);
    } else {
      for (const line of contractTable(contracts)) this.say(line);
    }
    return { contracts };
  }
}
