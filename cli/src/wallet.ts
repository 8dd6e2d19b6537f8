import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { type Keystore, openKeystore } from '@zi/node';
import { KEY_FILE_LIMITS, KEY_FILE_SCRYPT } from '@zi/spec';
import { BaseCommand } from './base.js';
import { CliError, EXIT } from './errors.js';

/** Flags every `zi wallet` command takes. */
export const keysDirFlag = {
  'keys-dir': Flags.string({ description: 'folder of key files [default: $ZI_HOME/keys, else ~/.zi/keys]' }),
};

/** The message flags of `sign` and `verify`: exactly one of them. */
export const messageFlags = {
  message: Flags.string({ char: 'm', description: 'the message, as UTF-8 text', exactlyOne: ['message', 'file'] }),
  file: Flags.string({ char: 'f', description: 'a file whose bytes are the message', exactlyOne: ['message', 'file'] }),
};

/** Base of the `zi wallet` commands: the keystore, the passphrase, node errors shown like spec errors. */
export abstract class WalletCommand extends BaseCommand {
  protected keystore(flags: { 'keys-dir'?: string | undefined }): Keystore {
    return openKeystore({ ...(flags['keys-dir'] === undefined ? {} : { dir: flags['keys-dir'] }), env: process.env });
  }

  /**
   * The passphrase: `ZI_PASSPHRASE` when set, else asked on the terminal with echo off (twice
   * with `confirm`). Without either it is a usage error, never a hang on a pipe.
   */
  protected async passphrase(prompt: string, confirm = false): Promise<string> {
    this.passphraseAvailable();
    const fromEnv = process.env.ZI_PASSPHRASE;
    const passphrase = fromEnv ?? (await promptHidden(`${prompt}: `));
    if (passphrase.length === 0) {
      throw new CliError(
        'CLI_PASSPHRASE_EMPTY',
        fromEnv === undefined ? 'the passphrase is empty' : 'ZI_PASSPHRASE is set but empty',
        'a key file needs a passphrase: type one, or set ZI_PASSPHRASE to it',
        EXIT.usage,
      );
    }
    if (confirm && fromEnv === undefined && (await promptHidden('Repeat the passphrase: ')) !== passphrase) {
      throw new CliError(
        'CLI_PASSPHRASE_MISMATCH',
        'the two passphrases differ',
        'run the command again and type the same passphrase twice',
        EXIT.usage,
      );
    }
    return passphrase;
  }

  /** Fails early, before any work, when no passphrase can be had. */
  protected passphraseAvailable(): void {
    if (process.env.ZI_PASSPHRASE !== undefined || process.stdin.isTTY) return;
    throw new CliError(
      'CLI_PASSPHRASE_REQUIRED',
      'a passphrase is needed, but ZI_PASSPHRASE is not set and there is no terminal to ask on',
      'set ZI_PASSPHRASE in the environment (from a secret store, not a script), or run the command in a terminal',
      EXIT.usage,
    );
  }

  /**
   * The scrypt N of new key files: `ZI_KDF_N` when set (for tests: it weakens the file), else 2^17.
   */
  protected scryptN(): number | undefined {
    const text = process.env.ZI_KDF_N;
    if (text === undefined || text === '') return undefined;
    const n = Number(text);
    const max = KEY_FILE_LIMITS.maxMemoryBytes / (128 * KEY_FILE_SCRYPT.r);
    if (!/^\d+$/.test(text) || n < 2 || n > max || (n & (n - 1)) !== 0) {
      throw new CliError(
        'CLI_BAD_KDF_N',
        `ZI_KDF_N=${text.slice(0, 20)} is not a power of two from 2 to ${max}`,
        'unset ZI_KDF_N: it exists for tests, and a lower N makes the passphrase cheaper to guess',
        EXIT.usage,
      );
    }
    if (n < KEY_FILE_SCRYPT.N)
      process.stderr.write(`warning: ZI_KDF_N=${n} makes this key file weaker than the default (N=${KEY_FILE_SCRYPT.N})\n`);
    return n;
  }
}

/** The bytes of a `--message` or `--file`. */
export async function messageBytes(flags: { message?: string | undefined; file?: string | undefined }): Promise<Uint8Array> {
  if (flags.message !== undefined) return new TextEncoder().encode(flags.message);
  if (flags.file === undefined) throw new CliError('CLI_USAGE', 'give --message or --file', 'see `zi wallet sign --help`', EXIT.usage);
  try {
    return new Uint8Array(await readFile(flags.file));
  } catch (error) {
    throw new CliError('CLI_FILE_UNREADABLE', `cannot read ${flags.file}: ${(error as Error).message}`, 'check the path given to --file');
  }
}

/** Reads stdin to its end, at most `limit` bytes. */
export async function readStdin(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    length += buffer.length;
    if (length > limit)
      throw new CliError('CLI_STDIN_TOO_LARGE', `stdin holds more than ${limit} bytes`, 'pipe in only the 64 hex characters of the key');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Asks for a line on the terminal without echoing it. Ctrl-C cancels; Backspace edits; nothing
 * typed is ever written anywhere.
 */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the prompt shows, so nothing typed ahead is echoed.
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new CliError('CLI_CANCELLED', 'cancelled at the prompt', 'nothing was read or written', EXIT.usage));
          return;
        }
        if (char === '\u007f' || char === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    stdin.on('data', onData);
  });
}
