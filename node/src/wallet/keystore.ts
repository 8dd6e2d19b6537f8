import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type Address,
  addressOf,
  decryptKeyFile,
  encryptKeyFile,
  KEY_FILE_LIMITS,
  KEY_NAME_PATTERN,
  type KeyFile,
  keyFileToJson,
  parseKeyFile,
  publicKeyOf,
  randomSecretKey,
  SpecError,
  toHex,
} from '@zi/spec';
import { NodeError } from '../errors.js';

/** Where a keystore lives and how it tells the time. */
export interface KeystoreOptions {
  /** The folder of key files; when absent, `$ZI_HOME/keys`, else `~/.zi/keys`. */
  readonly dir?: string;
  /** The environment `ZI_HOME` is read from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The clock of `createdAt` (default `new Date()`). */
  readonly now?: () => Date;
}

/** The public facts of a wallet: read without its passphrase. */
export interface WalletInfo {
  readonly name: string;
  readonly address: Address;
  readonly path: string;
  readonly createdAt: string;
  readonly kdf: { readonly name: 'scrypt'; readonly N: number; readonly r: number; readonly p: number };
}

/** One row of `list()`: a wallet, or a file that could not be read (never a crash). */
export type WalletListing =
  | ({ readonly ok: true } & WalletInfo)
  | { readonly ok: false; readonly name: string; readonly path: string; readonly error: { code: string; message: string; hint: string } };

/** What a new key file needs besides its key. */
export interface NewWalletOptions {
  readonly name: string;
  readonly passphrase: string;
  /** scrypt N of the new file; lower than 2^17 only in tests (it weakens the file). */
  readonly scryptN?: number;
}

/** A folder of key files, one `<name>.json` per wallet (see node/README.md). */
export interface Keystore {
  readonly dir: string;
  /** The file of a wallet (which need not exist). */
  pathOf(name: string): string;
  /** Every `<name>.json` in the folder, sorted by name; an unreadable file is a row with its error. */
  list(): Promise<WalletListing[]>;
  /** True when a wallet file of that name exists (readable or not). */
  has(name: string): Promise<boolean>;
  /** Throws what `create` would for the name (invalid, or taken) before any passphrase is asked. */
  assertNameFree(name: string): Promise<void>;
  /** The public fields of one wallet. */
  read(name: string): Promise<WalletInfo>;
  /** A new wallet with a fresh random key. */
  create(options: NewWalletOptions): Promise<WalletInfo>;
  /** A new wallet holding a given key; `sameKeyAs` names the wallets that already hold it. */
  importSecretKey(options: NewWalletOptions & { readonly secretKey: Uint8Array }): Promise<WalletInfo & { sameKeyAs: string[] }>;
  /** The secret key of a wallet. Reads only: a wrong passphrase changes nothing on disk. */
  unlock(name: string, passphrase: string): Promise<{ wallet: WalletInfo; secretKey: Uint8Array }>;
  /** The secret key of a wallet as 64 hex characters, the form `importSecretKey` and `secretKeyFromHex` read. */
  exportSecretKeyHex(name: string, passphrase: string): Promise<{ wallet: WalletInfo; secretKeyHex: string }>;
}

const FILE_SUFFIX = '.json';

/**
 * The default keys folder: `$ZI_HOME/keys` when `ZI_HOME` is set, else `~/.zi/keys`.
 *
 * @example
 * defaultKeysDir({ ZI_HOME: '/srv/zi' }); // '/srv/zi/keys'
 */
export function defaultKeysDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const home = env.ZI_HOME;
  return home ? resolve(home, 'keys') : join(homedir(), '.zi', 'keys');
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !KEY_NAME_PATTERN.test(name)) {
    throw new NodeError(
      'NODE_WALLET_NAME_INVALID',
      `"${String(name).slice(0, 80)}" is not a wallet name`,
      'a wallet name is 1-64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit, e.g. "default" or "miner-2"',
    );
  }
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function ioError(error: unknown, path: string, doing: string): NodeError {
  return new NodeError(
    'NODE_KEYSTORE_IO',
    `cannot ${doing} ${path}: ${error instanceof Error ? error.message : String(error)}`,
    'check that the keys folder exists and that you may read and write it; ZI_HOME or --keys-dir choose another folder',
  );
}

function infoOf(file: KeyFile, name: string, path: string): WalletInfo {
  const { N, r, p } = file.kdf;
  return { name, address: file.address, path, createdAt: file.createdAt, kdf: { name: 'scrypt', N, r, p } };
}

/** Reads at most the size limit plus one byte, so a huge file is refused without loading it. */
async function readBounded(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(KEY_FILE_LIMITS.maxFileBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0 || length + bytesRead === buffer.length) return buffer.subarray(0, length + bytesRead);
      length += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * A keystore over a folder. Opening touches nothing; the folder is made (mode 0700) on the first
 * write. Files are written atomically with mode 0600 and never replaced.
 *
 * @example
 * const keystore = openKeystore({ dir: '/tmp/keys' });
 * const { address } = await keystore.create({ name: 'default', passphrase });
 */
export function openKeystore(options: KeystoreOptions = {}): Keystore {
  const dir = options.dir === undefined ? defaultKeysDir(options.env) : resolve(options.dir);
  const now = options.now ?? (() => new Date());
  const pathOf = (name: string): string => join(dir, `${name}${FILE_SUFFIX}`);

  async function readKeyFile(name: string): Promise<{ file: KeyFile; path: string }> {
    checkName(name);
    const path = pathOf(name);
    let bytes: Uint8Array;
    try {
      bytes = await readBounded(path);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') {
        throw new NodeError(
          'NODE_WALLET_NOT_FOUND',
          `there is no wallet "${name}" in ${dir}`,
          '`zi wallet list` shows the wallets there; `zi wallet create --name ' + name + '` makes one',
        );
      }
      throw ioError(error, path, 'read');
    }
    return { file: parseKeyFile(bytes), path };
  }

  async function has(name: string): Promise<boolean> {
    checkName(name);
    try {
      await lstat(pathOf(name));
      return true;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return false;
      throw ioError(error, pathOf(name), 'check');
    }
  }

  async function refuseExisting(name: string): Promise<void> {
    if (await has(name)) throw walletExists(name);
  }

  function walletExists(name: string): NodeError {
    return new NodeError(
      'NODE_WALLET_EXISTS',
      `there is already a wallet "${name}" in ${dir}`,
      'choose another name; a key file is never overwritten (delete the old file yourself if you really mean to)',
    );
  }

  /**
   * Temp file in the same folder (0600), fsync, then link it to its name: unlike rename, link
   * fails when the name exists, so two writers racing for one name can never replace a key.
   */
  async function writeNew(name: string, text: string): Promise<string> {
    const path = pathOf(name);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw ioError(error, dir, 'create the folder');
    }
    const temp = join(dir, `.${name}.${toHex(randomBytes(8))}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(temp, path);
      } catch (error) {
        const code = errnoOf(error);
        if (code === 'EEXIST') throw walletExists(name);
        // File systems without hard links: fall back to rename, after the existence check.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
        await refuseExisting(name);
        await rename(temp, path);
      }
    } catch (error) {
      throw error instanceof NodeError ? error : ioError(error, path, 'write');
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await syncDir();
    return path;
  }

  /** Makes the new directory entry durable; a platform that cannot fsync a folder skips it. */
  async function syncDir(): Promise<void> {
    try {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch {
      // Windows cannot open a folder; the file itself is already synced.
    }
  }

  async function save(options: NewWalletOptions, secretKey: Uint8Array): Promise<WalletInfo> {
    checkName(options.name);
    await refuseExisting(options.name);
    const file = encryptKeyFile({
      secretKey,
      passphrase: options.passphrase,
      name: options.name,
      createdAt: now().toISOString(),
      ...(options.scryptN === undefined ? {} : { kdf: { N: options.scryptN } }),
    });
    const path = await writeNew(options.name, keyFileToJson(file));
    return infoOf(file, options.name, path);
  }

  async function list(): Promise<WalletListing[]> {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw ioError(error, dir, 'list');
    }
    const names = entries
      .filter((entry) => entry.endsWith(FILE_SUFFIX) && KEY_NAME_PATTERN.test(entry.slice(0, -FILE_SUFFIX.length)))
      .map((entry) => entry.slice(0, -FILE_SUFFIX.length))
      .sort();
    return Promise.all(
      names.map(async (name): Promise<WalletListing> => {
        try {
          const { file, path } = await readKeyFile(name);
          return { ok: true, ...infoOf(file, name, path) };
        } catch (error) {
          if (error instanceof SpecError || error instanceof NodeError) {
            return { ok: false, name, path: pathOf(name), error: { code: error.code, message: error.message, hint: error.hint } };
          }
          throw error;
        }
      }),
    );
  }

  return {
    dir,
    pathOf,
    list,
    has,
    assertNameFree: refuseExisting,
    async read(name) {
      const { file, path } = await readKeyFile(name);
      return infoOf(file, name, path);
    },
    async create(options) {
      const secretKey = randomSecretKey();
      try {
        return await save(options, secretKey);
      } finally {
        secretKey.fill(0);
      }
    },
    async importSecretKey(options) {
      const address = addressOf(publicKeyOf(options.secretKey));
      checkName(options.name);
      await refuseExisting(options.name);
      const sameKeyAs = (await list()).filter((w) => w.ok && w.address === address).map((w) => w.name);
      return { ...(await save(options, options.secretKey)), sameKeyAs };
    },
    async unlock(name, passphrase) {
      const { file, path } = await readKeyFile(name);
      return { wallet: infoOf(file, name, path), secretKey: decryptKeyFile(file, passphrase) };
    },
    async exportSecretKeyHex(name, passphrase) {
      const { file, path } = await readKeyFile(name);
      const secretKey = decryptKeyFile(file, passphrase);
      const secretKeyHex = toHex(secretKey);
      secretKey.fill(0);
      return { wallet: infoOf(file, name, path), secretKeyHex };
    },
  };
}
