import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { type Diagnostic, format, renderDiagnostics } from '@zi/language';
import { BaseCommand } from '../base.js';
import { CliError, EXIT } from '../errors.js';

/** What happened to one file. */
export type FmtStatus = 'formatted' | 'unchanged' | 'would-reformat' | 'syntax-error';

/** One file's result under `--json`. */
export interface FmtFileResult {
  readonly path: string;
  readonly status: FmtStatus;
  readonly diagnostics?: readonly (Pick<Diagnostic, 'code' | 'severity' | 'message'> & { line: number; column: number })[];
}

export default class Fmt extends BaseCommand {
  static override summary = 'Format Zi source files in the canonical layout';
  static override description =
    "Formats the given .zi files, or every .zi file under the project's src/ folder. Files are replaced atomically; a file that does not parse is left alone and its diagnostics are printed (exit 3). With --check nothing is written: the files that would change are listed (exit 1).";
  static override examples = ['<%= config.bin %> fmt', '<%= config.bin %> fmt src/contract.zi', '<%= config.bin %> fmt --check --json'];
  static override strict = false;
  static override args = { files: Args.string({ description: '.zi files (default: every .zi file under <dir>/src)', required: false }) };
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'project folder (used when no files are given)', default: '.' }),
    check: Flags.boolean({ description: 'write nothing; exit 1 if a file is not formatted', default: false }),
  };

  async run() {
    const { argv, flags } = await this.parse(Fmt);
    const files = argv.length > 0 ? argv.map((f) => resolve(String(f))) : await findZiFiles(resolve(flags.dir, 'src'));
    if (files.length === 0) {
      throw new CliError(
        'CLI_FMT_NO_FILES',
        `no .zi files under ${relative(process.cwd(), resolve(flags.dir, 'src')) || '.'}`,
        'run `zi fmt` in a Zi project, or name the files: `zi fmt path/to/contract.zi`',
        EXIT.badInput,
      );
    }
    const color = process.stderr.isTTY === true && process.env.NO_COLOR === undefined;
    const results: FmtFileResult[] = [];
    for (const file of files) {
      const shown = relative(process.cwd(), file) || file;
      let source: string;
      try {
        source = await readFile(file, 'utf8');
      } catch (error) {
        throw new CliError(
          'CLI_FMT_READ',
          `cannot read ${shown}: ${(error as Error).message}`,
          'check the path and its permissions',
          EXIT.badInput,
        );
      }
      const { text, diagnostics } = format(source);
      if (text === undefined) {
        if (!this.jsonEnabled()) process.stderr.write(`${renderDiagnostics(source, shown, diagnostics, { color })}\n\n`);
        results.push({
          path: shown,
          status: 'syntax-error',
          diagnostics: diagnostics.map((d) => ({
            code: d.code,
            severity: d.severity,
            message: d.message,
            line: d.span.line,
            column: d.span.column,
          })),
        });
        continue;
      }
      if (text === source) {
        results.push({ path: shown, status: 'unchanged' });
        continue;
      }
      if (flags.check) {
        this.say(`would reformat ${shown}`);
        results.push({ path: shown, status: 'would-reformat' });
        continue;
      }
      await writeAtomically(file, text);
      this.say(`formatted ${shown}`);
      results.push({ path: shown, status: 'formatted' });
    }

    const count = (status: FmtStatus) => results.filter((r) => r.status === status).length;
    const broken = count('syntax-error');
    const unformatted = count('would-reformat');
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    this.say(
      flags.check
        ? `${plural(results.length, 'file')} checked: ${unformatted} would change, ${broken} with errors`
        : `${plural(results.length, 'file')}: ${count('formatted')} formatted, ${count('unchanged')} unchanged, ${broken} with errors`,
    );
    if (broken > 0) {
      if (!this.jsonEnabled()) {
        process.stderr.write(
          `error CLI_FMT_SYNTAX: ${plural(broken, 'file')} did not parse and ${broken === 1 ? 'was' : 'were'} left unchanged\n  hint: fix the errors shown above, then run zi fmt again\n`,
        );
      }
      process.exitCode = EXIT.badInput;
    } else if (unformatted > 0) {
      process.exitCode = EXIT.contractFailed;
    }
    return { ok: broken === 0 && unformatted === 0, check: flags.check, files: results };
  }
}

/** Every `.zi` file below `dir` (skipping dot folders and node_modules), sorted; none if `dir` is missing. */
async function findZiFiles(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })) as string[];
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.endsWith('.zi') && !e.split(/[\\/]/).some((part) => part.startsWith('.') || part === 'node_modules'))
    .map((e) => join(dir, e))
    .sort();
}

/** Replaces `file` with `text` so that readers see the old or the new content, never a part. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const { mode } = await stat(file);
    await writeFile(temp, text, { mode });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new CliError(
      'CLI_FMT_WRITE',
      `cannot write ${file}: ${(error as Error).message}`,
      'check that the folder is writable',
      EXIT.badInput,
    );
  }
}
