import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuiltContract, buildContract, SandboxPool } from '@zi/runtime';
import { type PublishTx, signTransaction } from '@zi/spec';
import { templateDir } from '../../templates/index.js';
import type { DevAccount } from '../src/devnet.js';
import type { PublishFields } from '../src/market/publish.js';
import type { ZiNetwork } from '../src/network/network.js';
import { type StartNodeOptions, startNode, type ZiNode } from '../src/node.js';
import { accountKey, decodeAccount } from '../src/state/entries.js';
import { onEmitter, type Subscribe } from './network-wait.js';

// Shared setup of the market tests that run real nodes on 127.0.0.1: the mandelbrot template
// built in a temp dir, nodes with a network, signed publishes, balances.

/** A node started with a network. */
export type NetNode = ZiNode & { network: ZiNetwork };

/** The temp dir, sandbox pool and built mandelbrot contract a market test runs with. */
export interface MandelbrotSetup {
  /** the test's temp dir (remove it in afterAll); the nodes' data dirs go under it */
  dir: string;
  /** a pool of 2 sandboxes (close it in afterAll) */
  pool: SandboxPool;
  /** the mandelbrot template, built in `dir` */
  built: BuiltContract;
}

/** Makes a temp dir named after `prefix`, copies the mandelbrot template there and builds it with a new pool of 2 sandboxes. */
export async function buildMandelbrot(prefix: string): Promise<MandelbrotSetup> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(templateDir('mandelbrot'), join(dir, 'mandelbrot'), { recursive: true });
  const pool = new SandboxPool({ size: 2 });
  const built = await buildContract({ projectDir: join(dir, 'mandelbrot'), entry: 'src/contract.ts', pool });
  return { dir, pool, built };
}

/** Starts a node with its data in `dir`/`name` and a network (default options: `network: {}`). */
export async function startNetNode(dir: string, name: string, options: Omit<StartNodeOptions, 'dataDir'>): Promise<NetNode> {
  return (await startNode({ dataDir: join(dir, name), network: {}, ...options })) as NetNode;
}

/** A node log that records each error event, as `where: message`, in `failures`. */
export function failureLog(failures: string[]): (event: { type: string; where?: string; message?: string }) => void {
  return (event) => {
    if (event.type === 'error') failures.push(`${event.where}: ${event.message}`);
  };
}

/** A publish signed by `from` on `chain`, with the next nonce of `from` in `node`'s mempool and a fee of 1,000 Li. */
export function signPublish(node: ZiNode, chain: string, from: DevAccount, fields: PublishFields): PublishTx {
  return signTransaction(
    {
      type: 'publish',
      chain,
      from: from.address,
      nonce: node.mempool.nextNonce(from.address),
      fee: 1_000n,
      meta: '',
      ...fields,
    } satisfies Omit<PublishTx, 'sig'>,
    from.secretKey,
  );
}

/** Re-checks on each new head of `node`. */
export const onHead = (node: ZiNode): Subscribe => onEmitter(node, 'head');

/** The balance of `address` in `node`'s chain state. */
export const balance = (node: ZiNode, address: string): bigint => decodeAccount(node.chain.state.get(accountKey(address))).balance;
