import { Flags } from '@oclif/core';
import { buildContract, readProject, writeBuild } from '@zi/runtime';
import { formatAmount } from '@zi/spec';
import { BaseCommand } from '../base.js';
import { int } from '../format.js';

export default class Build extends BaseCommand {
  static override summary = 'Bundle and meter the contract; print its CID';
  static override description =
    'Writes .zi/build/<name>.js (the metered bundle every solver runs, byte for byte) and .zi/build/manifest.json.';
  static override examples = ['<%= config.bin %> build', '<%= config.bin %> build --dir ../my-job --json'];
  static override flags = { dir: Flags.string({ char: 'd', description: 'project folder', default: '.' }) };

  async run() {
    const { flags } = await this.parse(Build);
    const project = await readProject(flags.dir);
    const built = await buildContract({ projectDir: project.dir, entry: project.entry, pool: this.openPool(1) });
    const paths = await writeBuild(project, built);
    const m = built.manifest;
    this.say(`Built ${m.name}@${m.version}`);
    this.say(`  cid        ${m.cid}`);
    this.say(`  bundle     ${paths.bundlePath} (${int(m.bundleBytes)} bytes)`);
    this.say(`  gas limit  ${int(m.limits.gasPerMcu)} per MCU`);
    if (m.gasBound !== undefined && m.language) {
      // A Zi contract's limit is the compiler's proven worst case, not a guess.
      this.say(`  gas bound  ${int(m.gasBound)} per MCU, worst case proven by the Zi compiler ${m.language.version}`);
      if (m.renderGasBound !== undefined) this.say(`  render     ${int(m.renderGasBound)} gas at most`);
    }
    for (const z of built.zi ?? []) if (z.warnings !== '') this.say(z.warnings);
    this.say(`  inputs     ${m.inputs.count === null ? 'generator (no fixed count)' : `${int(m.inputs.count)} (indexed)`}`);
    this.say(`  price      ${formatAmount(BigInt(m.price))} per MCU`);
    this.say(`  manifest   ${paths.manifestPath}`);
    return { ...paths, manifest: m };
  }
}
