import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressOf, publicKeyOf, SpecError, secretKeyFromHex } from '@zi/spec';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultKeysDir, type Keystore, NodeError, openKeystore } from '../src/index.js';

const N = 2 ** 10;
const NOW = new Date('2025-01-31T12:00:00.000Z');
const SECRET_HEX = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return e instanceof SpecError || e instanceof NodeError ? e.code : `untyped: ${String(e)}`;
  }
  return 'no error';
}

let root: string;
let keystore: Keystore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'zi-keystore-'));
  keystore = openKeystore({ dir: join(root, 'keys'), now: () => NOW });
});

describe('the keys folder', () => {
  it('is $ZI_HOME/keys, else ~/.zi/keys, unless given', () => {
    expect(defaultKeysDir({ ZI_HOME: '/srv/zi' })).toBe('/srv/zi/keys');
    expect(defaultKeysDir({})).toBe(join(homedir(), '.zi', 'keys'));
    expect(openKeystore({ env: { ZI_HOME: '/srv/zi' } }).dir).toBe('/srv/zi/keys');
    expect(openKeystore({ dir: '/elsewhere', env: { ZI_HOME: '/srv/zi' } }).dir).toBe('/elsewhere');
  });

  it('is not created until the first wallet; a missing folder lists nothing', async () => {
    expect(await keystore.list()).toEqual([]);
    await expect(stat(keystore.dir)).rejects.toThrow();
  });
});

describe('a keystore', () => {
  it('creates a wallet: 0600 file in a 0700 folder, public fields readable, key only with the passphrase', async () => {
    const created = await keystore.create({ name: 'default', passphrase: 'pw', scryptN: N });
    expect(created).toEqual({
      name: 'default',
      address: expect.stringMatching(/^zi1[02-9ac-hj-np-z]{58}$/),
      path: join(keystore.dir, 'default.json'),
      createdAt: NOW.toISOString(),
      kdf: { name: 'scrypt', N, r: 8, p: 1 },
    });
    if (process.platform !== 'win32') {
      expect((await stat(created.path)).mode & 0o777).toBe(0o600);
      expect((await stat(keystore.dir)).mode & 0o777).toBe(0o700);
    }
    expect(await readdir(keystore.dir)).toEqual(['default.json']);
    expect(await keystore.read('default')).toEqual(created);
    expect(await keystore.list()).toEqual([{ ok: true, ...created }]);
    const { secretKey, wallet } = await keystore.unlock('default', 'pw');
    expect(wallet).toEqual(created);
    expect(addressOf(publicKeyOf(secretKey))).toBe(created.address);
  });

  it('imports a hex key and exports it again; sameKeyAs names the other holders', async () => {
    const secretKey = secretKeyFromHex(SECRET_HEX);
    const first = await keystore.importSecretKey({ name: 'a', secretKey, passphrase: 'one', scryptN: N });
    expect(first.address).toBe(addressOf(publicKeyOf(secretKey)));
    expect(first.sameKeyAs).toEqual([]);
    const second = await keystore.importSecretKey({ name: 'b', secretKey, passphrase: 'two', scryptN: N });
    expect(second.sameKeyAs).toEqual(['a']);
    expect((await keystore.exportSecretKeyHex('b', 'two')).secretKeyHex).toBe(SECRET_HEX);
  });

  it('never overwrites a wallet, even when two writers race for one name', async () => {
    const created = await keystore.create({ name: 'default', passphrase: 'pw', scryptN: N });
    const before = await readFile(created.path);
    expect(await codeOf(keystore.create({ name: 'default', passphrase: 'pw', scryptN: N }))).toBe('NODE_WALLET_EXISTS');
    expect(await codeOf(keystore.importSecretKey({ name: 'default', secretKey: secretKeyFromHex(SECRET_HEX), passphrase: 'pw' }))).toBe(
      'NODE_WALLET_EXISTS',
    );
    expect(await readFile(created.path)).toEqual(before);

    const outcomes = await Promise.all([1, 2, 3, 4].map(() => codeOf(keystore.create({ name: 'race', passphrase: 'pw', scryptN: N }))));
    expect(outcomes.sort()).toEqual(['NODE_WALLET_EXISTS', 'NODE_WALLET_EXISTS', 'NODE_WALLET_EXISTS', 'no error']);
    expect((await readdir(keystore.dir)).sort()).toEqual(['default.json', 'race.json']);
  });

  it('refuses names that are not wallet names (no paths, no upper case)', async () => {
    for (const name of ['', 'Default', '../escape', 'a/b', '.hidden', '-dash', 'x'.repeat(65), 'a b']) {
      expect(await codeOf(keystore.create({ name, passphrase: 'pw', scryptN: N })), name).toBe('NODE_WALLET_NAME_INVALID');
      expect(await codeOf(keystore.read(name)), name).toBe('NODE_WALLET_NAME_INVALID');
    }
    expect(await codeOf(keystore.read('absent'))).toBe('NODE_WALLET_NOT_FOUND');
  });

  it('a wrong passphrase changes nothing on disk', async () => {
    const created = await keystore.create({ name: 'default', passphrase: 'right', scryptN: N });
    const before = await readFile(created.path);
    expect(await codeOf(keystore.unlock('default', 'wrong'))).toBe('SPEC_KEYFILE_PASSPHRASE');
    expect(await codeOf(keystore.exportSecretKeyHex('default', 'wrong'))).toBe('SPEC_KEYFILE_PASSPHRASE');
    expect(await readFile(created.path)).toEqual(before);
    expect(await readdir(keystore.dir)).toEqual(['default.json']);
  });

  it('lists a corrupt or oversized file as a row with its error, and ignores files that are not key files', async () => {
    const good = await keystore.create({ name: 'good', passphrase: 'pw', scryptN: N });
    await writeFile(join(keystore.dir, 'broken.json'), '{"format":"zi-key/1"');
    await writeFile(join(keystore.dir, 'huge.json'), Buffer.alloc(10 * 1024 * 1024, 0x20));
    await mkdir(join(keystore.dir, 'folder.json'));
    await writeFile(join(keystore.dir, 'notes.txt'), 'not a key');
    await writeFile(join(keystore.dir, '.good.0011.tmp'), 'a temp file');
    await writeFile(join(keystore.dir, 'UPPER.json'), '{}');
    const rows = await keystore.list();
    expect(rows.map((row) => [row.name, row.ok ? row.address : row.error.code])).toEqual([
      ['broken', 'SPEC_KEYFILE_CORRUPT'],
      ['folder', 'NODE_KEYSTORE_IO'],
      ['good', good.address],
      ['huge', 'SPEC_KEYFILE_CORRUPT'],
    ]);
    expect(await codeOf(keystore.read('broken'))).toBe('SPEC_KEYFILE_CORRUPT');
    expect(await codeOf(keystore.unlock('huge', 'pw'))).toBe('SPEC_KEYFILE_CORRUPT');
    expect(await codeOf(keystore.exportSecretKeyHex('broken', 'pw'))).toBe('SPEC_KEYFILE_CORRUPT');
  });

  it('leaves no temp file behind, whether a write succeeds or is refused', async () => {
    await keystore.create({ name: 'default', passphrase: 'pw', scryptN: N });
    await codeOf(keystore.create({ name: 'default', passphrase: 'pw', scryptN: N }));
    await codeOf(keystore.create({ name: 'empty-passphrase', passphrase: '', scryptN: N }));
    expect(await readdir(keystore.dir)).toEqual(['default.json']);
  });
});
