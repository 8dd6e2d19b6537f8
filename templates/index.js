// The project scaffolds that `zi init <dir> --template <name>` copies.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** Names of the templates, the default (the paper's example) first. */
export const templateNames = Object.freeze(['mandelbrot', 'primes', 'nonce']);

/**
 * The absolute path of a template's folder, to copy from.
 *
 * @throws RangeError with code TEMPLATE_UNKNOWN when `name` is not in `templateNames`
 * @example
 * templateDir('primes'); // '/.../node_modules/@zi/templates/primes'
 */
export function templateDir(name) {
  if (!templateNames.includes(name)) {
    const error = new RangeError(`unknown template ${JSON.stringify(name)}; choose one of: ${templateNames.join(', ')}`);
    error.code = 'TEMPLATE_UNKNOWN';
    throw error;
  }
  return join(root, name);
}
