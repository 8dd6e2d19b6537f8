import { Flags } from '@oclif/core';
import { normalizeAddress, STAKE_ADDRESS } from '@zi/spec';
import { amountFlag, amountText, ChainCommand, sendFlags } from '../../chain.js';
import { CliError, EXIT } from '../../errors.js';

export default class WalletSend extends ChainCommand {
  static override summary = 'Send Zi to an address';
  static override description =
    'Signs a transfer with --wallet (else the keystore’s only or "default" wallet, else on a devnet the node’s first dev account), waits for a block to include it and prints the new balance.';
  static override examples = [
    '<%= config.bin %> wallet send --to zi1… --amount "1.5 Zi"',
    '<%= config.bin %> wallet send --to zi1… --amount 5000 --fee "10 Li" --wallet miner --json',
  ];
  static override flags = {
    to: Flags.string({ description: 'the recipient’s zi1… address', required: true }),
    amount: Flags.string({ description: 'how much, e.g. "1.5 Zi" or "2000 Li" (a bare number is Li)', required: true }),
    ...sendFlags,
  };

  async run(): Promise<{
    tx: string;
    status: 'pending' | 'included';
    from: string;
    to: string;
    amount: string;
    fee: string;
    height: number | null;
    balance: string;
  }> {
    const { flags } = await this.parse(WalletSend);
    const to = normalizeAddress(flags.to.trim());
    if (to === STAKE_ADDRESS) {
      throw new CliError(
        'CLI_TRANSFER_TO_STAKE',
        'a transfer cannot go to the stake address 000 (TRF-1)',
        'stakes are locked with a stake transaction, not a transfer',
        EXIT.usage,
      );
    }
    const amount = amountFlag(flags.amount, 'amount');
    if (amount < 1n) throw new CliError('CLI_BAD_AMOUNT', '--amount is 0', 'send at least 1 Li (TX-8)', EXIT.usage);
    const fee = amountFlag(flags.fee, 'fee');
    const client = this.rpcClient(flags);
    const chain = await this.chainInfo(client);
    const signer = await this.signer(client, chain, flags);
    const from = signer.address;
    const sent = await this.signAndSend(
      client,
      chain,
      signer,
      { type: 'transfer', fee, to, amount },
      { wait: flags.wait, timeoutSeconds: flags.timeout },
    );
    const { balance } = await client.call('zi_account', { address: from });
    this.say(`${sent.status === 'included' ? 'Sent' : 'Sending'} ${amountText(amount)} to ${to}`);
    this.say(`  tx       ${sent.id}`);
    this.say(`  fee      ${amountText(fee)}`);
    this.say(sent.height === undefined ? '  block    pending (--no-wait)' : `  block    ${sent.height}`);
    this.say(`  balance  ${amountText(balance)} left in ${from}`);
    return {
      tx: sent.id,
      status: sent.status,
      from,
      to,
      amount: amount.toString(),
      fee: fee.toString(),
      height: sent.height ?? null,
      balance,
    };
  }
}
