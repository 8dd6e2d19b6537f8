import { cidOfBytes } from '@zi/spec';
import { RuntimeError } from '../errors.js';
import type { SandboxPool } from '../host/pool.js';
import { type Bundle, type ContractInfo, Sandbox } from '../host/sandbox.js';
import { bundleContractWithInfo, ESBUILD_VERSION, type ZiModuleInfo } from './bundle.js';
import { METER_VERSION, meterBundle } from './meter.js';

/** Format tag of manifests written by this runtime. */
export const MANIFEST_FORMAT = 'zi-manifest/1';

/** What `zi build` writes next to the bundle; the chain and solvers read it. */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** CID of the metered bundle: what every solver and validator runs, byte for byte. */
  readonly cid: string;
  readonly bundleBytes: number;
  readonly inputs: { readonly kind: 'indexed' | 'generator'; readonly count: number | null };
  /** Li per MCU, as a decimal string. */
  readonly price: string;
  readonly limits: ContractInfo['limits'];
  readonly sampleRate: number;
  readonly render: boolean;
  readonly sdkVersion: string;
  readonly meterVersion: number;
  readonly esbuildVersion: string;
  /** The runtime that built it; `Math.*` results may differ between V8 versions. */
  readonly runtime: { readonly node: string; readonly v8: string };
  /** For a contract written in Zi: the language and its compiler version. Absent for TypeScript. */
  readonly language?: { readonly name: 'zi'; readonly version: string };
  /**
   * For a Zi contract: the static worst-case gas of one MCU, proven by the compiler. It is also the
   * contract's `limits.gasPerMcu`, so the runtime enforces it.
   */
  readonly gasBound?: number;
  /** For a Zi contract with `render`: its static worst-case gas over every result (its `gasPerRender`). */
  readonly renderGasBound?: number;
}

/** A metered bundle, and what the Zi compiler said about the `.zi` files in it. */
export interface MeteredBundle extends Bundle {
  readonly zi: readonly ZiModuleInfo[];
}

/** A built contract. */
export interface BuiltContract {
  readonly bundle: Bundle;
  readonly manifest: Manifest;
  readonly info: ContractInfo;
  /** What the Zi compiler said about the bundle's `.zi` files (empty for TypeScript). */
  readonly zi?: readonly ZiModuleInfo[];
}

/** Bundles and meters source, and names the result by its CID. */
export async function bundleAndMeter(options: { projectDir: string; entry?: string; stdin?: string }): Promise<MeteredBundle> {
  const raw = await bundleContractWithInfo(options);
  const { code } = meterBundle(raw.code);
  return { cid: cidOfBytes(new TextEncoder().encode(code)), code, zi: raw.zi };
}

/**
 * Builds a contract: esbuild bundle -> metering transform -> CID -> manifest (the contract's own
 * declarations are read by loading the bundle in the sandbox). The same source gives the same
 * bundle bytes and CID on every build and machine.
 *
 * @example
 * const { bundle, manifest } = await buildContract({ projectDir, entry: 'src/contract.ts', pool });
 */
export async function buildContract(options: { projectDir: string; entry: string; pool: SandboxPool }): Promise<BuiltContract> {
  const { zi, ...bundle } = await bundleAndMeter(options);
  const sandbox = await Sandbox.load(options.pool, bundle);
  const { info } = sandbox;
  // The entry's own compile result: a Zi entry is the contract; a TS entry may import .zi helpers.
  const entry = options.entry.replaceAll('\\', '/').replace(/^\.\//, '');
  const ziEntry = zi.find((m) => m.file === entry)?.extras;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    name: info.name,
    version: info.version,
    description: info.description,
    cid: bundle.cid,
    bundleBytes: Buffer.byteLength(bundle.code),
    inputs: info.inputs,
    price: info.price.toString(),
    limits: info.limits,
    sampleRate: info.sampleRate,
    render: info.render,
    sdkVersion: info.sdkVersion,
    meterVersion: METER_VERSION,
    esbuildVersion: ESBUILD_VERSION,
    runtime: { node: process.versions.node, v8: process.versions.v8 },
    ...(ziEntry
      ? {
          language: ziEntry.language,
          gasBound: ziEntry.gasBound,
          ...(ziEntry.renderGasBound === undefined ? {} : { renderGasBound: ziEntry.renderGasBound }),
        }
      : {}),
  };
  return { bundle, manifest, info, zi };
}

/**
 * Builds a bundle that runs a project's test files in the sandbox: it imports each test file and
 * exports the tests they registered with `test()` from `@zi/sdk/testing`.
 */
export async function buildTestBundle(options: { projectDir: string; testFiles: readonly string[] }): Promise<Bundle> {
  if (options.testFiles.length === 0) throw new RangeError('buildTestBundle: no test files');
  const imports = options.testFiles
    .map((f) => `import ${JSON.stringify(f.startsWith('.') || f.startsWith('/') ? f : `./${f}`)};`)
    .join('\n');
  const stdin = `${imports}\nexport { tests } from '@zi/sdk/testing';\n`;
  try {
    const { zi: _zi, ...bundle } = await bundleAndMeter({ projectDir: options.projectDir, stdin });
    return bundle;
  } catch (error) {
    if (error instanceof RuntimeError) throw new RuntimeError(error.code, `building the tests failed: ${error.message}`, error.hint);
    throw error;
  }
}
