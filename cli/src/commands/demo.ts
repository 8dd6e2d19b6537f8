import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { scaffoldProject } from '@zi/runtime';
import { templateDir } from '@zi/templates';
import { BaseCommand } from '../base.js';
import { sdkPackageDir } from './init.js';
import { runWithProgress } from './run.js';

export default class Demo extends BaseCommand {
  static override summary = 'See Zi work: scaffold the Mandelbrot job and run it';
  static override description =
    'Creates the mandelbrot project in a temporary folder, runs every MCU in the metered sandbox on every core, validates, unions and writes the picture.';
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --out mandelbrot.png'];
  static override flags = {
    out: Flags.string({ char: 'o', description: 'also copy the picture here' }),
    workers: Flags.integer({ char: 'w', description: 'sandbox worker processes (default: every core)', min: 1 }),
  };

  async run() {
    const { flags } = await this.parse(Demo);
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
