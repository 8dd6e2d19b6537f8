import { Flags } from '@oclif/core';
import { fromHex, MESSAGE_SIGNING_DOMAIN, normalizeAddress, SIGNATURE_BYTES, verifyMessage } from '@zi/spec';
import { BaseCommand } from '../../base.js';
import { CliError, EXIT } from '../../errors.js';
import { messageBytes, messageFlags } from '../../wallet.js';

export default class WalletVerify extends BaseCommand {
  static override summary = 'Check a signature made by `zi wallet sign`';
  static override description =
    'Exits 0 when the signature is the address’s signature of the message (MSG-1), 1 when it is not. Needs no wallet.';
  static override examples = ['<%= config.bin %> wallet verify --address zi1… --signature 5f0c… --message "I own this address"'];
  static override flags = {
    address: Flags.string({ char: 'a', description: 'the signer’s zi1… address', required: true }),
    signature: Flags.string({ char: 's', description: 'the signature, 128 hex characters', required: true }),
    ...messageFlags,
  };

  async run(): Promise<{ valid: true; address: string; messageBytes: number; domain: string }> {
    const { flags } = await this.parse(WalletVerify);
    const address = normalizeAddress(flags.address);
    const signature = fromHex(flags.signature.trim(), SIGNATURE_BYTES);
    const message = await messageBytes(flags);
    if (!verifyMessage(signature, message, address)) {
      throw new CliError(
        'CLI_SIGNATURE_INVALID',
        `the signature is not ${address}'s signature of this message`,
        'check the address, the signature, and that the message is byte for byte the one signed with `zi wallet sign`',
        EXIT.contractFailed,
      );
    }
    this.say(`valid: signed by ${address}`);
    return { valid: true, address, messageBytes: message.length, domain: MESSAGE_SIGNING_DOMAIN };
  }
}
