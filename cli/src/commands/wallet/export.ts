import { Args, Flags } from '@oclif/core';
import { CliError, EXIT } from '../../errors.js';
import { keysDirFlag, WalletCommand } from '../../wallet.js';

export default class WalletExport extends WalletCommand {
  static override summary = 'Print the secret key of a wallet (only with --reveal)';
  static override description =
    'Prints the 32-byte secret key as 64 hex characters, the form `zi wallet import` reads. Anyone who sees it controls the wallet.';
  static override examples = ['<%= config.bin %> wallet export default --reveal > key.hex'];
  static override args = { name: Args.string({ description: 'wallet name', default: 'default' }) };
  static override flags = {
    reveal: Flags.boolean({ description: 'yes, print the secret key', default: false }),
    ...keysDirFlag,
  };

  async run(): Promise<{ name: string; address: string; secretKey: string }> {
    const { args, flags } = await this.parse(WalletExport);
    if (!flags.reveal) {
      throw new CliError(
        'CLI_REVEAL_REQUIRED',
        'export prints the secret key, and anyone who sees it controls the wallet',
        `add --reveal to confirm, where no one can see your screen or logs: zi wallet export ${args.name} --reveal`,
        EXIT.usage,
      );
    }
    const keystore = this.keystore(flags);
    await keystore.read(args.name);
    const passphrase = await this.passphrase(`Passphrase of wallet "${args.name}"`);
    const { wallet, secretKeyHex } = await keystore.exportSecretKeyHex(args.name, passphrase);
    process.stderr.write(`warning: the secret key of ${wallet.address} follows; anyone who has it controls the wallet\n`);
    this.say(secretKeyHex);
    return { name: wallet.name, address: wallet.address, secretKey: secretKeyHex };
  }
}
