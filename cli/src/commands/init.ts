import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { scaffoldProject } from '@zi/runtime';
import { languageNames, templateDir, templateLanguages, templateNames } from '@zi/templates';
import { BaseCommand } from '../base.js';
import { CliError, EXIT } from '../errors.js';

const require = createRequire(import.meta.url);

/** The folder of the SDK package this CLI ships with (linked into new projects). */
export function sdkPackageDir(): string {
  return dirname(dirname(require.resolve('@zi/sdk')));
}

export default class Init extends BaseCommand {
  static override summary = 'Create a job project from a template';
  static override description = 'The project builds and passes its own tests at once: run `zi test` inside it.';
  static override examples = [
    '<%= config.bin %> init my-job',
    '<%= config.bin %> init fractal --template mandelbrot',
    '<%= config.bin %> init fractal --template mandelbrot --lang zi',
  ];
  static override args = { dir: Args.string({ description: 'folder to create (must be empty or absent)', required: true }) };
  static override flags = {
    template: Flags.string({ char: 't', description: 'template to copy', default: 'mandelbrot', options: [...templateNames] }),
    lang: Flags.string({
      char: 'l',
      description: 'language of the contract: ts (TypeScript with @zi/sdk) or zi (the Zi language)',
      default: 'ts',
      options: [...languageNames],
    }),
  };

  async run(): Promise<{ dir: string; template: string; lang: string; files: string[] }> {
    const { args, flags } = await this.parse(Init);
    const template = templateNames.find((t) => t === flags.template);
    if (template === undefined) {
      throw new CliError('CLI_UNKNOWN_TEMPLATE', `there is no template "${flags.template}"`, `choose one of: ${templateNames.join(', ')}`);
    }
    const langs: readonly string[] = templateLanguages[template];
    if (!langs.includes(flags.lang)) {
      throw new CliError(
        'CLI_TEMPLATE_NO_LANGUAGE',
        `the ${template} template has no ${flags.lang} variant`,
        `choose --lang ${langs.join(' or --lang ')}, or another template`,
        EXIT.usage,
      );
    }
    const { dir, files } = await scaffoldProject({
      templateDir: templateDir(template, flags.lang),
      targetDir: args.dir,
      sdkDir: sdkPackageDir(),
    });
    this.say(`Created ${dir} from the ${flags.template} template (${flags.lang === 'zi' ? 'Zi' : 'TypeScript'}):`);
    for (const f of files) this.say(`  ${f}`);
    this.say('');
    this.say('Next:');
    this.say(`  cd ${args.dir}`);
    this.say('  zi test     # the project tests and a trial run in the sandbox');
    this.say('  zi build    # the bundle, its CID and manifest');
    this.say('  zi run      # the whole job on every core, with the results and the render');
    return { dir, template: flags.template, lang: flags.lang, files };
  }
}
