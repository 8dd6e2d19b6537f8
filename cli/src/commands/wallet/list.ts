import type { WalletListing } from '@zi/node';
import { keysDirFlag, WalletCommand } from '../../wallet.js';

export default class WalletList extends WalletCommand {
  static override summary = 'List the wallets: names and addresses';
  static override description = 'Reads only the public fields: no passphrase. A file that cannot be read is listed with its error.';
  static override examples = ['<%= config.bin %> wallet list', '<%= config.bin %> wallet list --json'];
  static override flags = { ...keysDirFlag };

  async run(): Promise<{ dir: string; wallets: WalletListing[] }> {
    const { flags } = await this.parse(WalletList);
    const keystore = this.keystore(flags);
    const wallets = await keystore.list();
    if (wallets.length === 0) {
      this.say(`No wallets in ${keystore.dir}. Create one with \`zi wallet create\`.`);
      return { dir: keystore.dir, wallets };
    }
    const width = Math.max(4, ...wallets.map((w) => w.name.length));
    this.say(`Wallets in ${keystore.dir}:`);
    this.say(`  ${'name'.padEnd(width)}  address`);
    for (const w of wallets) {
      this.say(`  ${w.name.padEnd(width)}  ${w.ok ? w.address : `unreadable: ${w.error.code}: ${w.error.message}`}`);
    }
    return { dir: keystore.dir, wallets };
  }
}
