import { constants } from 'node:fs';
import { access, copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { scaffoldProject } from '@zi/runtime';
import { templateDir } from '@zi/templates';
import { BaseCommand } from '../base.js';
import { runMarketDemo } from '../demo/market.js';
import { CliError, EXIT } from '../errors.js';
import { sdkPackageDir } from './init.js';
import { runWithProgress } from './run.js';

export default class Demo extends BaseCommand {
  static override summary = 'See Zi work: a miner, a bidder and solvers as separate processes run the Mandelbrot job';
  static override description =
    'Starts a local network on 127.0.0.1, each role a separate zi process in a temporary folder: a miner (zi node start --mine instant), a bidder (zi node start --bidder, its fresh wallet funded by a transfer from a devnet account) that publishes the mandelbrot job with its escrow, and --solvers solvers (zi solve, each with its own wallet). It tells what happens step by step — the solvers measuring and picking the contract, batches of 1, 2, 4 … MCUs validated by the bidder, payouts landing in blocks, progress — until every MCU is paid on chain; then stops every process and ends with the picture (drawn from the results the bidder kept) and the balances. --local runs the job in this process instead, without a chain.';
  static override examples = [
    '<%= config.bin %> demo',
    '<%= config.bin %> demo --out mandelbrot.png --solvers 3',
    '<%= config.bin %> demo --json',
    '<%= config.bin %> demo --local',
  ];
  static override flags = {
    out: Flags.string({ char: 'o', description: 'write the picture here [default: a zi-demo-….png in the temp folder]' }),
    solvers: Flags.integer({ description: 'solver processes', default: 2, min: 1, max: 8 }),
    keep: Flags.boolean({ description: 'keep the demo’s folder (chains, keys, results) instead of deleting it', default: false }),
    timeout: Flags.integer({ description: 'seconds a step may show no progress before the demo gives up', default: 60, min: 1 }),
    local: Flags.boolean({
      description: 'run the job in this process on every core, without a chain (the demo of before)',
      default: false,
    }),
    workers: Flags.integer({
      char: 'w',
      description: 'with --local: sandbox worker processes (default: every core)',
      min: 1,
      dependsOn: ['local'],
    }),
  };

  async run() {
    const { flags } = await this.parse(Demo);
    // A picture that cannot be written is found out now, not after the whole demo.
    if (flags.out !== undefined) await checkWritable(resolve(flags.out));
    if (!flags.local) {
      await runMarketDemo({
        bin: join(this.config.root, 'bin', 'run.js'),
        solvers: flags.solvers,
        keep: flags.keep,
        ...(flags.out === undefined ? {} : { out: flags.out }),
        json: this.jsonEnabled(),
        stallMs: flags.timeout * 1000,
        pool: this.openPool(1),
      });
      // The story and its summary were printed as they came (JSON lines under --json).
      return undefined;
    }
    const dir = join(await mkdtemp(join(tmpdir(), 'zi-demo-')), 'mandelbrot');
    await scaffoldProject({ templateDir: templateDir('mandelbrot'), targetDir: dir, sdkDir: sdkPackageDir() });
    this.say(`Scaffolded the mandelbrot job in ${dir}`);
    const report = await runWithProgress(this, dir, this.openPool(flags.workers), { quiet: this.jsonEnabled() });
    let picture = report.renderPath;
    if (flags.out && picture) {
      await copyFile(picture, resolve(flags.out));
      picture = resolve(flags.out);
      this.say(`Picture copied to ${picture}`);
    }
    if (picture) this.say(`\nOpen ${picture} to see the Mandelbrot set.`);
    const { resultsJson: _omit, ...job } = report.job;
    return { project: dir, picture, cid: report.built.manifest.cid, job };
  }
}

/** Fails with CLI_BAD_OUT unless `path` can be written (its folder is made when missing). */
async function checkWritable(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await access(dirname(path), constants.W_OK);
  } catch (error) {
    throw new CliError(
      'CLI_BAD_OUT',
      `cannot write the picture to ${path}: ${(error as Error).message}`,
      'pass --out with a path in a folder you can write to',
      EXIT.usage,
    );
  }
}
