/** Names of the templates, the default (the paper's example) first. */
export declare const templateNames: readonly ['mandelbrot', 'primes', 'nonce'];

/** One of {@link templateNames}. */
export type TemplateName = (typeof templateNames)[number];

/**
 * The absolute path of a template's folder, to copy from.
 *
 * @throws RangeError with `code` TEMPLATE_UNKNOWN when `name` is not in `templateNames`
 * @example
 * templateDir('primes'); // '/.../node_modules/@zi/templates/primes'
 */
export declare function templateDir(name: TemplateName | (string & {})): string;
