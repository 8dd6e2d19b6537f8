import { cidOfBytes } from '@zi/spec';
import { RuntimeError } from '../errors.js';
import type { SandboxPool } from '../host/pool.js';
import { type Bundle, type ContractInfo, Sandbox } from '../host/sandbox.js';
import { bundleContract, ESBUILD_VERSION } from './bundle.js';
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
}

/** A built contract. */
export interface BuiltContract {
  readonly bundle: Bundle;
  readonly manifest: Manifest;
  readonly info: ContractInfo;
}

/** Bundles and meters source, and names the result by its CID. */
export async function bundleAndMeter(options: { projectDir: string; entry?: string; stdin?: string }): Promise<Bundle> {
  const raw = await bundleContract(options);
  const { code } = meterBundle(raw);
  return { cid: cidOfBytes(new TextEncoder().encode(code)), code };
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
  const bundle = await bundleAndMeter(options);
  const sandbox = await Sandbox.load(options.pool, bundle);
  const { info } = sandbox;
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
  };
  return { bundle, manifest, info };
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
    return await bundleAndMeter({ projectDir: options.projectDir, stdin });
  } catch (error) {
    if (error instanceof RuntimeError) throw new RuntimeError(error.code, `building the tests failed: ${error.message}`, error.hint);
    throw error;
  }
}
