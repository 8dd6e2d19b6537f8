import { readFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import { compile, renderDiagnostics, type ZiManifestExtras } from '@zi/language';
import * as esbuild from 'esbuild';
import { RuntimeError } from '../errors.js';
import { BUNDLE_GLOBAL } from './meter.js';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const require = createRequire(import.meta.url);
/** The SDK this runtime bundles into contracts (its built files). */
const SDK_DIST = dirname(require.resolve('@zi/sdk'));
const SDK_ENTRIES: Record<string, string> = { '@zi/sdk': 'index.js', '@zi/sdk/testing': 'testing.js' };

/** esbuild's version: different versions may emit different code, so it is part of the manifest. */
export const ESBUILD_VERSION = esbuild.version;

/** A plugin that fails the build on any Node builtin, naming the import and the file. */
const rejectNodeBuiltins: esbuild.Plugin = {
  name: 'zi-reject-node-builtins',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (!NODE_BUILTINS.has(args.path) && !args.path.startsWith('node:')) return undefined;
      return {
        errors: [
          {
            text: `"${args.path}" is a Node builtin; contracts run in a bare sandbox with no file system, network, processes or clock`,
            detail: 'node-builtin',
          },
        ],
      };
    });
  },
};

/**
 * Resolves `@zi/sdk` to this runtime's SDK under a fixed virtual path, so the bundle does not
 * depend on where the SDK is installed: the same source gives the same bytes on every machine.
 */
const virtualSdk: esbuild.Plugin = {
  name: 'zi-sdk',
  setup(build) {
    build.onResolve({ filter: /^@zi\/sdk(\/testing)?$/ }, (args) => ({ path: `/${SDK_ENTRIES[args.path]}`, namespace: 'zi-sdk' }));
    build.onResolve({ filter: /^\./, namespace: 'zi-sdk' }, (args) => ({
      path: posix.join(posix.dirname(args.importer), args.path),
      namespace: 'zi-sdk',
    }));
    build.onLoad({ filter: /.*/, namespace: 'zi-sdk' }, async (args) => ({
      contents: await readFile(join(SDK_DIST, args.path), 'utf8'),
      loader: 'js',
      resolveDir: SDK_DIST,
    }));
  },
};

/** What the Zi compiler said about one `.zi` file of a bundle. */
export interface ZiModuleInfo {
  /** The file, relative to the project, with forward slashes. */
  readonly file: string;
  readonly extras: ZiManifestExtras;
  /** Warnings, rendered (errors fail the build). */
  readonly warnings: string;
}

/** Marks esbuild errors that carry rendered Zi diagnostics. */
const ZI_DIAGNOSTICS = 'zi-diagnostics';

/**
 * Loads `*.zi` files by compiling them with `@zi/language`: a Zi contract becomes an ES module in
 * the SDK's contract shape and goes through the same bundle, meter and sandbox as TypeScript.
 * Diagnostics fail the build with the rendered source excerpts.
 */
function ziLanguage(projectDir: string, modules: ZiModuleInfo[]): esbuild.Plugin {
  return {
    name: 'zi-language',
    setup(build) {
      build.onLoad({ filter: /\.zi$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        const file = displayPath(projectDir, args.path);
        const out = compile(source, file);
        const rendered = renderDiagnostics(source, file, out.diagnostics);
        if (!out.ok || out.manifestExtras === undefined) return { errors: [{ text: rendered, detail: ZI_DIAGNOSTICS }] };
        modules.push({ file, extras: out.manifestExtras, warnings: rendered });
        return { contents: out.code, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Where an esbuild message points, as `file:line:column`. */
function where(message: esbuild.Message): string {
  const l = message.location;
  return l ? `${l.file}:${l.line}:${l.column + 1}` : 'the contract';
}

/**
 * Bundles a contract (or a test entry) into one ES2022 script with esbuild: neutral platform,
 * IIFE whose exports land in `__zi_contract`, Node builtins rejected at build time.
 *
 * @example
 * const code = await bundleContract({ entry: 'src/contract.ts', projectDir: '/home/me/job' });
 */
export async function bundleContract(options: { entry?: string; stdin?: string; projectDir: string }): Promise<string> {
  return (await bundleContractWithInfo(options)).code;
}

/**
 * {@link bundleContract}, also telling what the Zi compiler said about each `.zi` file in the bundle
 * (in the order esbuild loaded them; empty for a TypeScript contract).
 */
export async function bundleContractWithInfo(options: {
  entry?: string;
  stdin?: string;
  projectDir: string;
}): Promise<{ code: string; zi: readonly ZiModuleInfo[] }> {
  const modules: ZiModuleInfo[] = [];
  const base: esbuild.BuildOptions = {
    absWorkingDir: options.projectDir,
    bundle: true,
    write: false,
    format: 'iife',
    globalName: BUNDLE_GLOBAL,
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: [],
    treeShaking: true,
    minify: false,
    legalComments: 'none',
    charset: 'utf8',
    sourcemap: false,
    logLevel: 'silent',
    supported: { 'dynamic-import': false },
    plugins: [rejectNodeBuiltins, virtualSdk, ziLanguage(options.projectDir, modules)],
  };
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = (await esbuild.build({
      ...base,
      ...(options.stdin !== undefined
        ? { stdin: { contents: options.stdin, resolveDir: options.projectDir, sourcefile: 'zi-entry.ts', loader: 'ts' } }
        : { entryPoints: [options.entry ?? 'src/contract.ts'] }),
    })) as esbuild.BuildResult<{ write: false }>;
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    const first = failure.errors?.[0];
    if (!first) throw error;
    const zi = failure.errors.find((m) => m.detail === ZI_DIAGNOSTICS);
    if (zi) {
      throw new RuntimeError('RT_BUILD_ZI', zi.text, 'fix the Zi source where the diagnostics point, and build again', {
        details: { diagnostics: zi.text },
      });
    }
    const all = failure.errors.map((m) => `${where(m)}: ${m.text}`).join('\n');
    if (first.detail === 'node-builtin' || failure.errors.some((m) => m.detail === 'node-builtin')) {
      const m = failure.errors.find((e) => e.detail === 'node-builtin') ?? first;
      throw new RuntimeError(
        'RT_BUILD_NODE_BUILTIN',
        `${where(m)}: ${m.text}`,
        'remove the import; compute with plain JavaScript, and pass data in through the input space',
        {
          details: { errors: all },
        },
      );
    }
    if (/Could not resolve/.test(first.text)) {
      throw new RuntimeError(
        'RT_BUILD_UNRESOLVED',
        all,
        'check the import path, or install the package in the project (npm install <name>)',
      );
    }
    throw new RuntimeError('RT_BUILD_FAILED', all, 'fix the error in the contract source and build again');
  }
  const out = result.outputFiles[0];
  if (!out) throw new RuntimeError('RT_BUILD_FAILED', 'esbuild produced no output', 'this is a bug in the build; please report it');
  // esbuild may load modules concurrently: order them by file for a deterministic report.
  modules.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { code: out.text, zi: modules };
}

/** Relative path of `file` from `dir`, with forward slashes (for messages). */
export function displayPath(dir: string, file: string): string {
  return relative(dir, file).split('\\').join('/');
}
