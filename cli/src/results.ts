import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ContractJson, createRpcClient, type RpcClient } from '@zi/node';
import { type Rendered, Sandbox, type SandboxPool, writeFileAtomically, writeRendered } from '@zi/runtime';
import { cidOfBytes } from '@zi/spec';
import { CliError, EXIT } from './errors.js';

/** What {@link writeResults} needs. */
export interface WriteResultsOptions {
  /** the RPC URL of the bidder's node (the node that keeps the contract's results), or a client of it */
  rpc: string | RpcClient;
  /** the contract id */
  contract: string;
  /** the folder to write `results.json` and the render into (created when missing) */
  outDir: string;
  /** where `union` and `render` run */
  pool: SandboxPool;
  /** MCUs asked for per `zi_results` page (default 10,000) */
  pageSize?: number;
  /** told after every page: MCUs fetched so far, of the MCUs the node holds (it may gain more meanwhile) */
  onPage?: (progress: { fetched: number; stored: number }) => void;
}

/** What {@link writeResults} wrote. */
export interface WrittenResults {
  contract: string;
  /** the contract's name (from its publish) */
  name: string;
  /** the contract's input space */
  total: number;
  /** MCUs whose results were fetched from the bidder's node: all of them when `complete` */
  mcus: number;
  /** `[index, output]` pairs in the union (an MCU that returned nothing has none) */
  entries: number;
  complete: boolean;
  /** `<outDir>/results.json` */
  resultsPath: string;
  /** `<outDir>/render.png`, `.txt` or `.json`; absent when the contract has no render */
  renderPath?: string;
  renderType?: Rendered['type'];
}

/** The MCUs asked for per page unless told otherwise. */
export const RESULTS_PAGE_MCUS = 10_000;

/**
 * `./results-<the last 12 characters of the id>`, where `zi results` writes by default (every
 * contract id starts `bafyrei`: its end is what tells them apart).
 */
export function defaultResultsDir(contract: string, cwd: string = process.cwd()): string {
  return resolve(cwd, `results-${contract.trim().slice(-12)}`);
}

/**
 * Fetches every result the bidder's node keeps for `contract` (`zi_results`, page by page), the
 * bundle by its CID (`zi_content`, checked against the CID), merges the pages with the contract's
 * `union` and draws them with its `render` in `pool`, and writes `results.json` and the render
 * into `outDir`. Partial results are written as they are (`complete: false`); a render of them
 * shows what is missing the way the contract draws it.
 *
 * @example
 * const written = await writeResults({ rpc: 'http://127.0.0.1:8645', contract, outDir: 'out', pool });
 * console.log(`${written.mcus} of ${written.total} MCUs -> ${written.renderPath}`);
 *
 * @throws CliError CLI_NO_RESULTS when the node holds no result of the contract yet;
 *   CLI_CONTENT_MISMATCH when the node's bundle bytes are not those of the contract's CID;
 *   RpcError NODE_NOT_BIDDER when the node keeps no results of this contract
 */
export async function writeResults(options: WriteResultsOptions): Promise<WrittenResults> {
  const client = typeof options.rpc === 'string' ? createRpcClient(options.rpc) : options.rpc;
  const contract = await client.call('zi_contract', { id: options.contract.trim() });
  const pages = await fetchResultPages(client, contract.id, options.pageSize ?? RESULTS_PAGE_MCUS, options.onPage);
  if (pages.mcus === 0) {
    throw new CliError(
      'CLI_NO_RESULTS',
      `the node at ${client.url} holds no results of contract ${contract.id} yet`,
      'no batch has been paid yet: `zi status <contract>` says how the job is going and why nobody may be solving it',
      EXIT.badInput,
    );
  }
  const sandbox = await Sandbox.load(options.pool, await fetchBundle(client, contract));
  const resultsJson = pages.sets.length === 1 ? (pages.sets[0] as string) : await sandbox.union(pages.sets);
  const entries = resultsJson === '[]' ? 0 : (JSON.parse(resultsJson) as unknown[]).length;
  const complete = pages.mcus >= contract.mcus;

  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const resultsPath = join(outDir, 'results.json');
  await writeFileAtomically(
    resultsPath,
    `{"contract":${JSON.stringify(contract.id)},"name":${JSON.stringify(contract.name)},"total":${contract.mcus},"mcus":${pages.mcus},"complete":${complete},"results":${resultsJson}}\n`,
  );
  const written: WrittenResults = {
    contract: contract.id,
    name: contract.name,
    total: contract.mcus,
    mcus: pages.mcus,
    entries,
    complete,
    resultsPath,
  };
  if (!sandbox.info.render) return written;
  const rendered = await sandbox.render(resultsJson);
  const renderPath = await writeRendered(outDir, 'render', rendered);
  return { ...written, renderPath, renderType: rendered.type };
}

/** Every page of `zi_results`: the result sets to union and the MCUs they cover. */
async function fetchResultPages(
  client: RpcClient,
  contract: string,
  limit: number,
  onPage: WriteResultsOptions['onPage'],
): Promise<{ sets: string[]; mcus: number }> {
  const sets: string[] = [];
  let after: number | undefined;
  // Counted from the pages themselves: results stored meanwhile below the cursor are not in them.
  let fetched = 0;
  for (;;) {
    const page = await client.call('zi_results', { contract, limit, ...(after === undefined ? {} : { after }) });
    if (page.entries !== '[]') sets.push(page.entries);
    fetched += page.pageMcus;
    onPage?.({ fetched, stored: page.mcus });
    if (page.next === undefined) break;
    after = page.next;
  }
  return { sets: sets.length === 0 ? ['[]'] : sets, mcus: fetched };
}

/** The contract's bundle from the node's content store, checked against the published CID (ENC-2). */
async function fetchBundle(client: RpcClient, contract: ContractJson): Promise<{ cid: string; code: string }> {
  const content = await client.call('zi_content', { cid: contract.bundle });
  const bytes = new Uint8Array(Buffer.from(content.bytes, 'base64'));
  const cid = cidOfBytes(bytes);
  if (cid !== contract.bundle) {
    throw new CliError(
      'CLI_CONTENT_MISMATCH',
      `the node at ${client.url} sent bytes for ${contract.bundle} that hash to ${cid}`,
      'the node’s content store is damaged or the node is lying: ask another node (--rpc)',
      EXIT.environment,
    );
  }
  return { cid, code: new TextDecoder().decode(bytes) };
}
