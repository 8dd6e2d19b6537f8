import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url));
const SECRET_HEX = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'zi-wallet-'));
});

/**
 * Runs the real `zi` with ZI_HOME in a temp folder and a cheap scrypt (ZI_KDF_N). stdin is a pipe,
 * never a terminal: it carries `input` and is then closed.
 */
function zi(args: string[], options: { passphrase?: string | null; input?: string; env?: Record<string, string> } = {}): Promise<Ran> {
  const env: Record<string, string | undefined> = { ...process.env, ZI_HOME: home, ZI_KDF_N: '1024', ...options.env };
  const passphrase = options.passphrase === undefined ? 'correct horse' : options.passphrase;
  if (passphrase === null) delete env.ZI_PASSPHRASE;
  else env.ZI_PASSPHRASE = passphrase;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--no-node-snapshot', BIN, ...args], { cwd: home, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

function json<T>(ran: Ran): T {
  return JSON.parse(ran.stdout) as T;
}

/** Output with the temp folder and addresses replaced, for snapshots. */
function clean(text: string): string {
  return text.replaceAll(home, '<home>').replace(/zi1[02-9ac-hj-np-z]{58}/g, '<address>');
}

async function create(name = 'default'): Promise<{ address: string; path: string }> {
  const ran = await zi(['wallet', 'create', '--name', name, '--json']);
  expect(ran.code, ran.stderr).toBe(0);
  return json<{ address: string; path: string }>(ran);
}

describe('zi wallet', () => {
  it('create, show, list, sign, verify, export --reveal, import: one key throughout, never printed unasked', async () => {
    const created = await zi(['wallet', 'create']);
    expect(created.code, created.stderr).toBe(0);
    expect(clean(created.stdout)).toMatchInlineSnapshot(`
      "Created wallet default
        address  <address>
        file     <home>/keys/default.json
      Back up the file and remember the passphrase: without both, the key cannot be recovered.
      "
    `);
    expect(clean(created.stderr)).toBe('warning: ZI_KDF_N=1024 makes this key file weaker than the default (N=131072)\n');

    const show = await zi(['wallet', 'show', '--json'], { passphrase: null });
    expect(show.code, show.stderr).toBe(0);
    const shown = json<{ name: string; address: string; publicKey: string; path: string; createdAt: string; kdf: unknown }>(show);
    expect(shown).toMatchObject({
      name: 'default',
      path: join(home, 'keys', 'default.json'),
      kdf: { name: 'scrypt', N: 1024, r: 8, p: 1 },
    });
    expect(shown.publicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(shown.createdAt)).not.toBeNaN();
    const { address } = shown;

    const list = await zi(['wallet', 'list'], { passphrase: null });
    expect(list.code, list.stderr).toBe(0);
    expect(clean(list.stdout)).toMatchInlineSnapshot(`
      "Wallets in <home>/keys:
        name     address
        default  <address>
      "
    `);

    const signed = await zi(['wallet', 'sign', '--message', 'I own this address', '--json']);
    expect(signed.code, signed.stderr).toBe(0);
    const { signature } = json<{ signature: string; address: string }>(signed);
    expect(json<{ address: string }>(signed).address).toBe(address);
    expect(signature).toMatch(/^[0-9a-f]{128}$/);

    const verified = await zi(['wallet', 'verify', '--address', address, '--signature', signature, '--message', 'I own this address']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(clean(verified.stdout)).toBe('valid: signed by <address>\n');
    const forged = await zi(['wallet', 'verify', '--address', address, '--signature', signature, '--message', 'I own this address!']);
    expect(forged.code).toBe(1);
    expect(clean(forged.stderr)).toMatchInlineSnapshot(`
      "error CLI_SIGNATURE_INVALID: the signature is not <address>'s signature of this message
        hint: check the address, the signature, and that the message is byte for byte the one signed with \`zi wallet sign\`
      "
    `);

    const exported = await zi(['wallet', 'export', '--reveal']);
    expect(exported.code, exported.stderr).toBe(0);
    const secretHex = exported.stdout.trim();
    expect(secretHex).toMatch(/^[0-9a-f]{64}$/);
    expect(clean(exported.stderr)).toContain('warning: the secret key of <address> follows; anyone who has it controls the wallet');

    const imported = await zi(['wallet', 'import', '--name', 'copy', '--json'], { passphrase: 'another one', input: `${secretHex}\n` });
    expect(imported.code, imported.stderr).toBe(0);
    expect(json<{ address: string; sameKeyAs: string[] }>(imported)).toMatchObject({ address, sameKeyAs: ['default'] });

    const keyFile = join(home, 'key.hex');
    await writeFile(keyFile, secretHex);
    const fromFile = await zi(['wallet', 'import', '--name', 'copy2', '--secret-key-file', keyFile, '--json']);
    expect(json<{ address: string }>(fromFile).address).toBe(address);

    const signedByCopy = await zi(['wallet', 'sign', 'copy', '--message', 'I own this address', '--json'], { passphrase: 'another one' });
    expect(json<{ signature: string }>(signedByCopy).signature).toBe(signature);

    for (const ran of [created, show, list, signed, verified, imported, fromFile, signedByCopy]) {
      expect(ran.stdout + ran.stderr).not.toContain(secretHex);
    }
    for (const name of ['default.json', 'copy.json', 'copy2.json']) {
      expect(await readFile(join(home, 'keys', name), 'utf8')).not.toContain(secretHex);
    }
  });

  it('imports a known key from stdin to its known address', async () => {
    const ran = await zi(['wallet', 'import', '--name', 'rfc8032'], { input: SECRET_HEX });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('zi16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqscngsu');
    const bad = await zi(['wallet', 'import', '--name', 'bad'], { input: 'not hex' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('SPEC_KEY_INVALID');
  });

  it('a wrong passphrase: a clear error, exit 3, the file unchanged', async () => {
    const { path } = await create();
    const before = await readFile(path);
    const ran = await zi(['wallet', 'sign', '--message', 'x'], { passphrase: 'wrong horse' });
    expect(ran.code).toBe(3);
    expect(ran.stdout).toBe('');
    expect(clean(ran.stderr)).toMatchInlineSnapshot(`
      "error SPEC_KEYFILE_PASSPHRASE: cannot decrypt the key of <address>: wrong passphrase or a damaged file
        hint: type the passphrase again (it is case-sensitive); if it is right, the file was changed: restore it from a backup
      "
    `);
    const exported = await zi(['wallet', 'export', '--reveal', '--json'], { passphrase: 'wrong horse' });
    expect(exported.code).toBe(3);
    expect(json<{ error: { code: string; exit: number } }>(exported).error).toMatchObject({ code: 'SPEC_KEYFILE_PASSPHRASE', exit: 3 });
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(join(home, 'keys'))).toEqual(['default.json']);
  });

  it('a corrupt file: list still works and reports it; show and export say SPEC_KEYFILE_CORRUPT', async () => {
    await create('good');
    await writeFile(join(home, 'keys', 'broken.json'), '{"format": "zi-key/1", "name": ');
    const list = await zi(['wallet', 'list'], { passphrase: null });
    expect(list.code, list.stderr).toBe(0);
    expect(clean(list.stdout)).toMatchInlineSnapshot(`
      "Wallets in <home>/keys:
        name    address
        broken  unreadable: SPEC_KEYFILE_CORRUPT: key file: it is not valid JSON
        good    <address>
      "
    `);
    const listed = json<{ wallets: Array<{ name: string; ok: boolean }> }>(await zi(['wallet', 'list', '--json']));
    expect(listed.wallets.map((w) => [w.name, w.ok])).toEqual([
      ['broken', false],
      ['good', true],
    ]);

    const show = await zi(['wallet', 'show', 'broken']);
    expect(show.code).toBe(3);
    expect(show.stderr).toMatchInlineSnapshot(`
      "error SPEC_KEYFILE_CORRUPT: key file: it is not valid JSON
        hint: the file was damaged or edited by hand: restore it from a backup, or import the key again from its hex with \`zi wallet import\`
      "
    `);
    const exported = await zi(['wallet', 'export', 'broken', '--reveal']);
    expect(exported.code).toBe(3);
    expect(exported.stderr).toContain('error SPEC_KEYFILE_CORRUPT');
    expect(await readFile(join(home, 'keys', 'broken.json'), 'utf8')).toBe('{"format": "zi-key/1", "name": ');
  });

  it('create refuses to overwrite a wallet, before asking for a passphrase', async () => {
    const { path } = await create();
    const before = await readFile(path);
    const ran = await zi(['wallet', 'create'], { passphrase: null });
    expect(ran.code).toBe(3);
    expect(clean(ran.stderr)).toMatchInlineSnapshot(`
      "error NODE_WALLET_EXISTS: there is already a wallet "default" in <home>/keys
        hint: choose another name; a key file is never overwritten (delete the old file yourself if you really mean to)
      "
    `);
    expect(await readFile(path)).toEqual(before);
  });

  it('export without --reveal refuses and prints nothing on stdout', async () => {
    await create();
    const ran = await zi(['wallet', 'export']);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toMatchInlineSnapshot(`
      "error CLI_REVEAL_REQUIRED: export prints the secret key, and anyone who sees it controls the wallet
        hint: add --reveal to confirm, where no one can see your screen or logs: zi wallet export default --reveal
      "
    `);
  });

  it('no terminal and no ZI_PASSPHRASE is a usage error, and nothing is written', async () => {
    const ran = await zi(['wallet', 'create'], { passphrase: null });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatchInlineSnapshot(`
      "error CLI_PASSPHRASE_REQUIRED: a passphrase is needed, but ZI_PASSPHRASE is not set and there is no terminal to ask on
        hint: set ZI_PASSPHRASE in the environment (from a secret store, not a script), or run the command in a terminal
      "
    `);
    expect(await readdir(home)).toEqual([]);
    const imported = await zi(['wallet', 'import', '--name', 'x'], { passphrase: null, input: SECRET_HEX });
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain('CLI_PASSPHRASE_REQUIRED');
  });

  it('--keys-dir wins over ZI_HOME; bad names and a bad ZI_KDF_N are refused', async () => {
    const elsewhere = join(home, 'elsewhere');
    const ran = await zi(['wallet', 'create', '--keys-dir', elsewhere, '--json']);
    expect(json<{ path: string }>(ran).path).toBe(join(elsewhere, 'default.json'));
    expect(json<{ wallets: unknown[] }>(await zi(['wallet', 'list', '--json'])).wallets).toEqual([]);

    const badName = await zi(['wallet', 'create', '--name', '../up']);
    expect(badName.code).toBe(3);
    expect(badName.stderr).toContain('error NODE_WALLET_NAME_INVALID: "../up" is not a wallet name');
    const badN = await zi(['wallet', 'create', '--name', 'weak'], { env: { ZI_KDF_N: '1000' } });
    expect(badN.code).toBe(2);
    expect(badN.stderr).toContain('error CLI_BAD_KDF_N: ZI_KDF_N=1000 is not a power of two from 2 to 262144');
    const missing = await zi(['wallet', 'show', 'absent']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('NODE_WALLET_NOT_FOUND');
  });
});
