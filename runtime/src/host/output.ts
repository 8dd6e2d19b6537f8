import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng } from './png.js';
import type { Rendered } from './sandbox.js';

/**
 * Writes `data` to `path` whole or not at all (a temp file in the same folder, then a rename), so a
 * reader never sees half of a results or render file.
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, data);
  await rename(temp, path);
}

/**
 * Writes what `render` returned into `dir` as `<base>.png`, `<base>.txt` or `<base>.json`, by its
 * type, and returns the path.
 *
 * @example
 * const path = await writeRendered('out', 'mandelbrot', await sandbox.render(resultsJson));
 */
export async function writeRendered(dir: string, base: string, rendered: Rendered): Promise<string> {
  if (rendered.type === 'image') {
    const path = join(dir, `${base}.png`);
    await writeFileAtomically(path, encodePng(rendered.width, rendered.height, rendered.rgba));
    return path;
  }
  if (rendered.type === 'text') {
    const path = join(dir, `${base}.txt`);
    await writeFileAtomically(path, rendered.text.endsWith('\n') ? rendered.text : `${rendered.text}\n`);
    return path;
  }
  const path = join(dir, `${base}.json`);
  await writeFileAtomically(path, `${JSON.stringify(rendered.value, null, 2)}\n`);
  return path;
}
