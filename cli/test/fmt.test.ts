import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runZi } from './processes.js';

// `zi fmt` in real processes over real files in a temp project.

const messy = 'contract A version 1{price 1 li per mcu\nmcu f(x:u32)->u32{return x*2}}\n';
const tidy = 'contract A version 1 {\n  price 1 li per mcu\n  mcu f(x: u32) -> u32 {\n    return x * 2\n  }\n}\n';
const broken = 'contract B version 1 {\n  mcu f(x: u32) -> u32 {\n    retrun x\n  }\n}\n';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zi-fmt-'));
  await mkdir(join(dir, 'src', 'more'), { recursive: true });
  await writeFile(join(dir, 'src', 'contract.zi'), messy);
  await writeFile(join(dir, 'src', 'more', 'tidy.zi'), tidy);
});

describe('zi fmt', () => {
  it('formats every .zi file under src/, atomically, and is idempotent', async () => {
    const first = await runZi(['fmt'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`formatted ${join('src', 'contract.zi')}`);
    expect(first.stdout).toContain('2 files: 1 formatted, 1 unchanged, 0 with errors');
    expect(await readFile(join(dir, 'src', 'contract.zi'), 'utf8')).toBe(tidy);
    expect((await readdir(join(dir, 'src'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const second = await runZi(['fmt', '--json'], { cwd: dir });
    expect(JSON.parse(second.stdout)).toEqual({
      ok: true,
      check: false,
      files: [
        { path: join('src', 'contract.zi'), status: 'unchanged' },
        { path: join('src', 'more', 'tidy.zi'), status: 'unchanged' },
      ],
    });
  });

  it('--check lists what would change, writes nothing and exits 1', async () => {
    const ran = await runZi(['fmt', '--check'], { cwd: dir });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain(`would reformat ${join('src', 'contract.zi')}`);
    expect(ran.stdout).not.toContain('tidy.zi');
    expect(await readFile(join(dir, 'src', 'contract.zi'), 'utf8')).toBe(messy);
  });

  it('refuses a file that does not parse: diagnostics, exit 3, file untouched', async () => {
    const file = join(dir, 'src', 'bad.zi');
    await writeFile(file, broken);
    const ran = await runZi(['fmt', file], { cwd: dir });
    expect(ran.code).toBe(3);
    expect(ran.stderr).toContain('error[ZL0104]: unknown keyword `retrun`; did you mean `return`?');
    expect(ran.stderr).toContain(' --> src/bad.zi:3:5');
    expect(ran.stderr).toContain('error CLI_FMT_SYNTAX: 1 file did not parse and was left unchanged');
    expect(await readFile(file, 'utf8')).toBe(broken);

    const json = await runZi(['fmt', '--json', file], { cwd: dir });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      check: false,
      files: [
        {
          path: join('src', 'bad.zi'),
          status: 'syntax-error',
          diagnostics: [
            { code: 'ZL0104', severity: 'error', message: 'unknown keyword `retrun`; did you mean `return`?', line: 3, column: 5 },
          ],
        },
      ],
    });
  });

  it('without files and without src/ it says what to do', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'zi-fmt-empty-'));
    const ran = await runZi(['fmt', '--json'], { cwd: empty });
    expect(ran.code).toBe(3);
    expect(JSON.parse(ran.stdout)).toMatchObject({ error: { code: 'CLI_FMT_NO_FILES', exit: 3 } });
  });
});
