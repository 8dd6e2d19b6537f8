// The project scaffolds that `zi init <dir> --template <name> [--lang ts|zi]` copies.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/** Names of the templates, the default (the paper's example) first. */
export const templateNames = Object.freeze(['mandelbrot', 'primes', 'nonce']);

/** Languages a contract can be written in: TypeScript with `@zi/sdk`, or the Zi language. */
export const languageNames = Object.freeze(['ts', 'zi']);

/**
 * The languages each template exists in. Every template has a TypeScript variant (its folder is the
 * template's name); a Zi variant lives in `<name>-zi/`.
 */
export const templateLanguages = Object.freeze({
  mandelbrot: Object.freeze(['ts', 'zi']),
  primes: Object.freeze(['ts', 'zi']),
  nonce: Object.freeze(['ts', 'zi']),
});

function fail(code, message) {
  const error = new RangeError(message);
  error.code = code;
  return error;
}

/**
 * The absolute path of a template's folder, to copy from.
 *
 * @throws RangeError with code TEMPLATE_UNKNOWN when `name` is not in `templateNames`, or
 *   TEMPLATE_NO_LANGUAGE when the template has no variant in `lang`
 * @example
 * templateDir('primes'); // '/.../node_modules/@zi/templates/primes'
 * templateDir('mandelbrot', 'zi'); // '/.../node_modules/@zi/templates/mandelbrot-zi'
 */
export function templateDir(name, lang = 'ts') {
  if (!templateNames.includes(name)) {
    throw fail('TEMPLATE_UNKNOWN', `unknown template ${JSON.stringify(name)}; choose one of: ${templateNames.join(', ')}`);
  }
  if (!languageNames.includes(lang)) {
    throw fail('TEMPLATE_UNKNOWN_LANGUAGE', `unknown language ${JSON.stringify(lang)}; choose one of: ${languageNames.join(', ')}`);
  }
  const langs = templateLanguages[name];
  if (!langs.includes(lang)) {
    throw fail('TEMPLATE_NO_LANGUAGE', `the ${name} template has no ${lang} variant; it exists in: ${langs.join(', ')}`);
  }
  return join(root, lang === 'ts' ? name : `${name}-${lang}`);
}
