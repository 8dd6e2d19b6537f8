import { Args } from '@oclif/core';
import { amountFlag, amountText, ChainCommand, sendFlags } from '../chain.js';
import { CliError, EXIT } from '../errors.js';

export default class Close extends ChainCommand {
  static override summary = 'Close a contract you published; the escrow left returns to you';
  static override description =
    'Signs a close transaction with the bidder’s key (the same signer `zi publish` uses) and waits for a block to include it. Solvers are paid no more from it afterwards.';
  static override examples = ['<%= config.bin %> close bafyrei…', '<%= config.bin %> close bafyrei… --wallet bidder --json'];
  static override args = { id: Args.string({ description: 'contract id', required: true }) };
  static override flags = { ...sendFlags };

  async run(): Promise<{ contract: string; tx: string; status: 'pending' | 'included'; refund: string; height: number | null }> {
    const { args, flags } = await this.parse(Close);
    const fee = amountFlag(flags.fee, 'fee');
    const client = this.rpcClient(flags);
    const chain = await this.chainInfo(client);
    const contract = await client.call('zi_contract', { id: args.id.trim() });
    if (contract.status !== 'open') {
      throw new CliError(
        'CLI_CONTRACT_CLOSED',
        `contract ${contract.id} is already closed`,
        'there is nothing left in its escrow to refund',
        EXIT.badInput,
      );
    }
    const signer = await this.signer(client, chain, flags);
    if (signer.address !== contract.bidder) {
      signer.secretKey.fill(0);
      throw new CliError(
        'CLI_NOT_BIDDER',
        `only the bidder ${contract.bidder} may close ${contract.id}, and ${signer.label} is ${signer.address} (CLS-1)`,
        'pass --wallet with the wallet that published it',
        EXIT.badInput,
      );
    }
    const sent = await this.signAndSend(
      client,
      chain,
      signer,
      { type: 'close', fee, contract: contract.id },
      { wait: flags.wait, timeoutSeconds: flags.timeout },
    );
    // CLS-1, VAL-4: the escrow left (budget − paid out) returns, with the validation fee when no
    // validator was assigned. Read after inclusion, so a payout in the same block is counted.
    const after = sent.status === 'included' ? await client.call('zi_contract', { id: contract.id }) : contract;
    const refund = (BigInt(after.budget) - BigInt(after.spent) + (after.validator ? 0n : BigInt(contract.validationFee))).toString();
    this.say(`${sent.status === 'included' ? 'Closed' : 'Sent a close of'} ${contract.name} (${contract.id})`);
    this.say(`  refund  ${amountText(refund)} to ${contract.bidder}`);
    this.say(`  fee     ${amountText(fee)}`);
    this.say(sent.height === undefined ? '  block   pending (--no-wait)' : `  block   ${sent.height}`);
    return { contract: contract.id, tx: sent.id, status: sent.status, refund, height: sent.height ?? null };
  }
}
