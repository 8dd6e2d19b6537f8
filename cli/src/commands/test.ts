import { Flags } from '@oclif/core';
import { readProject, testProject } from '@zi/runtime';
import { formatAmount } from '@zi/spec';
import { BaseCommand } from '../base.js';
import { EXIT } from '../errors.js';
import { int, mcuErrorLines } from '../format.js';

export default class Test extends BaseCommand {
  static override summary = "Run the project's tests and a trial of its contract in the sandbox";
  static override description =
    'Tests in test/*.test.ts run inside the same metered sandbox as the contract. The trial runs a sample of MCUs spread over the input space through mcu, union and validate, and estimates the cost of the whole job.';
  static override examples = ['<%= config.bin %> test', '<%= config.bin %> test --mcus 5000 --json'];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'project folder', default: '.' }),
    mcus: Flags.integer({ char: 'n', description: 'MCUs in the trial', default: 1000, min: 1 }),
  };

  async run() {
    const { flags } = await this.parse(Test);
    const project = await readProject(flags.dir);
    const report = await testProject(project, this.openPool(), { mcus: flags.mcus });
    const { tests, trial, built } = report;
    const failedTests = tests.filter((t) => !t.ok);
    this.say(`Tests (${tests.length}):`);
    if (tests.length === 0) this.say('  none found in the tests folder');
    for (const t of tests) this.say(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.name}${t.ok ? '' : `\n       ${t.code}: ${t.message}`}`);
    this.say('');
    this.say(`Trial of ${built.manifest.name}@${built.manifest.version} (${built.manifest.cid}):`);
    this.say(`  MCUs         ${int(trial.mcus)} in ${int(trial.elapsedMs)} ms: ${int(trial.mcusPerSecond)} MCU/s on this machine`);
    const bound = built.manifest.gasBound;
    this.say(
      `  gas per MCU  min ${int(trial.gas.min)}  avg ${int(trial.gas.avg)}  max ${int(trial.gas.max)}  (limit ${int(trial.gas.limit)}${bound === undefined ? '' : bound === trial.gas.limit ? ': the worst case proven by the Zi compiler' : `; proven worst case ${int(bound)}`})`,
    );
    this.say(`  union        ${trial.unionOk ? 'ok' : 'FAILED'}`);
    this.say(`  validate     ${trial.validation.ok ? 'ok' : `REJECTED: ${trial.validation.reason}`}`);
    const e = trial.estimate;
    if (e.inputCount !== null && e.costLi !== null) {
      this.say(
        `  whole job    ${int(e.inputCount)} MCUs, ${formatAmount(e.costLi)} at ${formatAmount(built.info.price)} per MCU, ~${int(e.gas ?? 0)} gas, ~${int(e.seconds ?? 0)} s here`,
      );
    }
    if (trial.errorCount > 0) {
      this.say(`  failing MCUs ${trial.errorCount}:`);
      for (const line of mcuErrorLines(trial.errors, trial.errorCount)) this.say(line);
    }
    const ok = failedTests.length === 0 && trial.errorCount === 0 && trial.unionOk && trial.validation.ok;
    this.say('');
    this.say(ok ? 'All good.' : 'Problems found (see above).');
    if (!ok) process.exitCode = EXIT.contractFailed;
    return {
      ok,
      tests,
      trial: { ...trial, estimate: { ...trial.estimate, costLi: trial.estimate.costLi?.toString() ?? null } },
      cid: built.manifest.cid,
      ...(built.manifest.gasBound === undefined ? {} : { gasBound: built.manifest.gasBound }),
    };
  }
}
