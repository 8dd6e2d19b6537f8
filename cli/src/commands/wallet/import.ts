import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import type { WalletInfo } from '@zi/node';
import { secretKeyFromHex } from '@zi/spec';
import { CliError } from '../../errors.js';
import { keysDirFlag, promptHidden, readStdin, WalletCommand } from '../../wallet.js';

export default class WalletImport extends WalletCommand {
  static override summary = 'Import a secret key (64 hex characters) as a new wallet';
  static override description =
    'Reads the key from --secret-key-file, else from stdin (asked with echo off on a terminal) — never from a flag, which would land in shell history. When stdin is piped, the passphrase must come from ZI_PASSPHRASE.';
  static override examples = [
    '<%= config.bin %> wallet import --name restored --secret-key-file backup.hex',
    'zi wallet export old --reveal | ZI_PASSPHRASE=… <%= config.bin %> wallet import --name new',
  ];
  static override flags = {
    name: Flags.string({ char: 'n', description: 'name of the new wallet', required: true }),
    'secret-key-file': Flags.string({ description: 'a file holding the secret key in hex (else stdin)' }),
    ...keysDirFlag,
  };

  async run(): Promise<WalletInfo & { sameKeyAs: string[] }> {
    const { flags } = await this.parse(WalletImport);
    const keystore = this.keystore(flags);
    await keystore.assertNameFree(flags.name);
    this.passphraseAvailable();
    const scryptN = this.scryptN();
    const secretKey = secretKeyFromHex(await this.secretKeyText(flags['secret-key-file']));
    const passphrase = await this.passphrase(`Passphrase for the new wallet "${flags.name}"`, true);
    const wallet = await keystore.importSecretKey({
      name: flags.name,
      secretKey,
      passphrase,
      ...(scryptN === undefined ? {} : { scryptN }),
    });
    secretKey.fill(0);
    this.say(`Imported wallet ${wallet.name}`);
    this.say(`  address  ${wallet.address}`);
    this.say(`  file     ${wallet.path}`);
    if (wallet.sameKeyAs.length > 0) this.say(`The same key is also in: ${wallet.sameKeyAs.join(', ')}`);
    return wallet;
  }

  private async secretKeyText(file: string | undefined): Promise<string> {
    if (file !== undefined) {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        throw new CliError(
          'CLI_FILE_UNREADABLE',
          `cannot read ${file}: ${(error as Error).message}`,
          'check the path given to --secret-key-file',
        );
      }
    }
    return process.stdin.isTTY ? promptHidden('Secret key (64 hex characters): ') : readStdin(4096);
  }
}
