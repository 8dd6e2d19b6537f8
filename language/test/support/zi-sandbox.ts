import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleAndMeter, type MeteredBundle } from '../../../runtime/src/build/build.js';

// Helpers for the tests that run compiled Zi in the real sandbox: a Zi source is written as
// src/contract.zi of a fresh project and built by the runtime, exactly as `zi build` does.

/** Builds Zi source through the runtime (esbuild + the .zi plugin + meter). The project is removed afterwards. */
export async function buildZi(source: string): Promise<MeteredBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'zi-lang-'));
  try {
    await writeFile(join(dir, 'package.json'), '{"name":"t","type":"module"}\n');
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'contract.zi'), source);
    return await bundleAndMeter({ projectDir: dir, entry: 'src/contract.zi' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The static bound the build recorded for the entry. */
export function gasBoundOf(bundle: MeteredBundle): number {
  const extras = bundle.zi.find((m) => m.file === 'src/contract.zi')?.extras;
  if (!extras) throw new Error('no Zi entry in the bundle');
  return extras.gasBound;
}
