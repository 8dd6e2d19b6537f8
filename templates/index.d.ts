/** Names of the templates, the default (the paper's example) first. */
export declare const templateNames: readonly ['mandelbrot', 'primes', 'nonce'];

/** One of {@link templateNames}. */
export type TemplateName = (typeof templateNames)[number];

/** Languages a contract can be written in: TypeScript with `@zi/sdk`, or the Zi language. */
export declare const languageNames: readonly ['ts', 'zi'];

/** One of {@link languageNames}. */
export type LanguageName = (typeof languageNames)[number];

/** The languages each template exists in (every template has `ts`; `zi` where the Zi language can express it). */
export declare const templateLanguages: Readonly<Record<TemplateName, readonly LanguageName[]>>;

/**
 * The absolute path of a template's folder, to copy from.
 *
 * @throws RangeError with `code` TEMPLATE_UNKNOWN when `name` is not in `templateNames`,
 *   TEMPLATE_UNKNOWN_LANGUAGE for a language not in `languageNames`, TEMPLATE_NO_LANGUAGE when
 *   the template has no variant in `lang`
 * @example
 * templateDir('primes'); // '/.../node_modules/@zi/templates/primes'
 * templateDir('mandelbrot', 'zi'); // '/.../node_modules/@zi/templates/mandelbrot-zi'
 */
export declare function templateDir(name: TemplateName | (string & {}), lang?: LanguageName | (string & {})): string;
