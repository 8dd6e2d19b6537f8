import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bundle, bundleAndMeter } from '../src/index.js';

export interface BuildSourceOptions {
  /**
   * Also write a tsconfig.json with `strict: true`, as scaffolded projects have: esbuild then
   * emits "use strict" and the contract runs as strict code. Without it, the bundle is sloppy.
   */
  readonly strict?: boolean;
}

/**
 * Writes `source` as `src/contract.ts` of a fresh project directory (mkdtemp under the OS temp
 * dir, with a minimal package.json) and bundles and meters it. `@zi/sdk` is resolved by the
 * runtime itself: the project needs no node_modules. The directory is removed afterwards.
 *
 * @example
 * const bundle = await buildSource(`import { defineContract } from '@zi/sdk'; export default defineContract({ ... });`);
 */
export async function buildSource(source: string, options: BuildSourceOptions = {}): Promise<Bundle> {
  const projectDir = await mkdtemp(join(tmpdir(), 'zi-test-'));
  try {
    await writeFile(join(projectDir, 'package.json'), `${JSON.stringify({ name: 'x', type: 'module' })}\n`);
    if (options.strict === true) {
      await writeFile(join(projectDir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions: { strict: true } })}\n`);
    }
    await mkdir(join(projectDir, 'src'));
    await writeFile(join(projectDir, 'src', 'contract.ts'), source);
    return await bundleAndMeter({ projectDir, entry: 'src/contract.ts' });
  } finally {
    await rm(projectDir, { recursive: true, force: true });
  }
}
