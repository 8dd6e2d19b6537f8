import { Args } from '@oclif/core';
import { amountText, ChainCommand, rpcFlag } from '../../chain.js';
import { CliError, EXIT } from '../../errors.js';
import { keysDirFlag } from '../../wallet.js';

export default class WalletBalance extends ChainCommand {
  static override summary = 'Show the balance, nonce and stake of a wallet or any address';
  static override description =
    'Reads the account from a node; needs no passphrase. Without an argument: the keystore’s only wallet, or the one named "default".';
  static override examples = [
    '<%= config.bin %> wallet balance',
    '<%= config.bin %> wallet balance miner',
    '<%= config.bin %> wallet balance zi1… --json',
  ];
  static override args = { wallet: Args.string({ description: 'a wallet name or a zi1… address' }) };
  static override flags = { ...rpcFlag, ...keysDirFlag };

  async run(): Promise<{ address: string; wallet: string | null; balance: string; nonce: number; nextNonce: number; stake: string }> {
    const { args, flags } = await this.parse(WalletBalance);
    const named = args.wallet ?? (await this.defaultWalletName(flags));
    const address = await this.addressOf(named, flags);
    const wallet = address === named.trim() || named.trim() === '000' ? null : named;
    const account = await this.rpcClient(flags).call('zi_account', { address });
    this.say(`${account.address}${wallet === null ? '' : ` (wallet ${wallet})`}`);
    this.say(`  balance  ${amountText(account.balance)}`);
    this.say(`  nonce    ${account.nonce}${account.nextNonce === account.nonce ? '' : ` (${account.nextNonce - account.nonce} pending)`}`);
    this.say(`  stake    ${amountText(account.stake)}`);
    return {
      address: account.address,
      wallet,
      balance: account.balance,
      nonce: account.nonce,
      nextNonce: account.nextNonce,
      stake: account.stake,
    };
  }

  private async defaultWalletName(flags: { 'keys-dir'?: string | undefined }): Promise<string> {
    const keystore = this.keystore(flags);
    const wallets = (await keystore.list()).filter((w) => w.ok);
    const only = wallets.length === 1 ? wallets[0] : wallets.find((w) => w.name === 'default');
    if (only) return only.name;
    throw new CliError(
      'CLI_WALLET_REQUIRED',
      wallets.length === 0
        ? `there is no wallet in ${keystore.dir}`
        : `the keystore holds ${wallets.length} wallets and none is named "default"`,
      'name a wallet or give an address: zi wallet balance <name|zi1…>',
      EXIT.usage,
    );
  }
}
