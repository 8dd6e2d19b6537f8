import { Flags } from '@oclif/core';
import type { WalletInfo } from '@zi/node';
import { keysDirFlag, WalletCommand } from '../../wallet.js';

export default class WalletCreate extends WalletCommand {
  static override summary = 'Create a wallet: a new key, encrypted under a passphrase';
  static override description =
    'Writes <keys-dir>/<name>.json (mode 0600) and prints the address, never the key. The passphrase comes from ZI_PASSPHRASE, else it is asked twice on the terminal.';
  static override examples = ['<%= config.bin %> wallet create', '<%= config.bin %> wallet create --name miner --json'];
  static override flags = {
    name: Flags.string({ char: 'n', description: 'wallet name (a-z, 0-9, _ and -)', default: 'default' }),
    ...keysDirFlag,
  };

  async run(): Promise<WalletInfo> {
    const { flags } = await this.parse(WalletCreate);
    const keystore = this.keystore(flags);
    await keystore.assertNameFree(flags.name);
    this.passphraseAvailable();
    const scryptN = this.scryptN();
    const passphrase = await this.passphrase(`Passphrase for the new wallet "${flags.name}"`, true);
    const wallet = await keystore.create({ name: flags.name, passphrase, ...(scryptN === undefined ? {} : { scryptN }) });
    this.say(`Created wallet ${wallet.name}`);
    this.say(`  address  ${wallet.address}`);
    this.say(`  file     ${wallet.path}`);
    this.say('Back up the file and remember the passphrase: without both, the key cannot be recovered.');
    return wallet;
  }
}
