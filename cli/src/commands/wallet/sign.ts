import { Args } from '@oclif/core';
import { MESSAGE_SIGNING_DOMAIN, signMessage, toHex } from '@zi/spec';
import { keysDirFlag, messageBytes, messageFlags, WalletCommand } from '../../wallet.js';

export default class WalletSign extends WalletCommand {
  static override summary = 'Sign a message with a wallet';
  static override description =
    `Signs ${MESSAGE_SIGNING_DOMAIN} ‖ 0x00 ‖ message (MSG-1), so a signed message can never pass for a transaction. Check it with \`zi wallet verify\`.`;
  static override examples = [
    '<%= config.bin %> wallet sign --message "I own this address"',
    '<%= config.bin %> wallet sign miner --file claim.txt --json',
  ];
  static override args = { name: Args.string({ description: 'wallet name', default: 'default' }) };
  static override flags = { ...messageFlags, ...keysDirFlag };

  async run(): Promise<{ name: string; address: string; signature: string; messageBytes: number; domain: string }> {
    const { args, flags } = await this.parse(WalletSign);
    const keystore = this.keystore(flags);
    await keystore.read(args.name);
    const message = await messageBytes(flags);
    const passphrase = await this.passphrase(`Passphrase of wallet "${args.name}"`);
    const { wallet, secretKey } = await keystore.unlock(args.name, passphrase);
    const signature = toHex(signMessage(message, secretKey));
    secretKey.fill(0);
    this.say(`signature  ${signature}`);
    this.say(`address    ${wallet.address}`);
    return { name: wallet.name, address: wallet.address, signature, messageBytes: message.length, domain: MESSAGE_SIGNING_DOMAIN };
  }
}
