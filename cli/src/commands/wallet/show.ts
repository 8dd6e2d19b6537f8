import { Args } from '@oclif/core';
import type { WalletInfo } from '@zi/node';
import { addressBytes, KEY_FILE_SCRYPT, toHex } from '@zi/spec';
import { keysDirFlag, WalletCommand } from '../../wallet.js';

export default class WalletShow extends WalletCommand {
  static override summary = 'Show a wallet: address, public key, file, creation time';
  static override description = 'Reads only the public fields of the key file: no passphrase.';
  static override examples = ['<%= config.bin %> wallet show', '<%= config.bin %> wallet show miner --json'];
  static override args = { name: Args.string({ description: 'wallet name', default: 'default' }) };
  static override flags = { ...keysDirFlag };

  async run(): Promise<WalletInfo & { publicKey: string }> {
    const { args, flags } = await this.parse(WalletShow);
    const wallet = await this.keystore(flags).read(args.name);
    // The address is the public key (ADR-1).
    const publicKey = toHex(addressBytes(wallet.address));
    const { N, r, p } = wallet.kdf;
    const weak = N < KEY_FILE_SCRYPT.N ? ` (weaker than the default N=${KEY_FILE_SCRYPT.N})` : '';
    this.say(`Wallet ${wallet.name}`);
    this.say(`  address     ${wallet.address}`);
    this.say(`  public key  ${publicKey}`);
    this.say(`  file        ${wallet.path}`);
    this.say(`  created     ${wallet.createdAt}`);
    this.say(`  kdf         scrypt N=${N} r=${r} p=${p}${weak}`);
    return { ...wallet, publicKey };
  }
}
