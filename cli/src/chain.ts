import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import {
  type ContractJson,
  createRpcClient,
  type DevAccount,
  devAccounts,
  devnetConfig,
  type HeadChange,
  type NodeLogEvent,
  type PayoutJson,
  type RangeJson,
  type RpcClient,
  type StartNodeOptions,
  startNode,
  type ZiNode,
} from '@zi/node';
import {
  ADDRESS_PREFIX,
  blockId,
  encodeTransaction,
  formatAmount,
  fromHex,
  type GenesisConfig,
  genesisFromJson,
  normalizeAddress,
  parseAmount,
  SECRET_KEY_BYTES,
  STAKE_ADDRESS_ALIAS,
  signTransaction,
  type Transaction,
  testnetGenesis,
  toHex,
  transactionId,
  type UnsignedTransaction,
} from '@zi/spec';
import { CliError, EXIT } from './errors.js';
import { int } from './format.js';
import { keysDirFlag, WalletCommand } from './wallet.js';

/** Where `zi` looks for a node when neither --rpc nor ZI_RPC says. */
export const DEFAULT_RPC_URL = 'http://127.0.0.1:8645';
/** The fee of a transaction when --fee is not given. */
export const DEFAULT_FEE = '1000 Li';

/** The node folder: `$ZI_HOME/node`, else `~/.zi/node`. */
export function defaultNodeDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.ZI_HOME ? resolve(env.ZI_HOME, 'node') : join(homedir(), '.zi', 'node');
}

/** The testnet preset's genesis time: fixed, so every `--genesis testnet` node starts the same chain. */
const TESTNET_TIME = Date.UTC(2025, 0, 1);
/** The dev accounts of `--genesis devnet`: the ten `zi dev` funds by default. */
export const DEVNET_ACCOUNTS = 10;

/** `--genesis`, taken by the commands that run a node of their own (`zi node start`, `zi solve`). */
export const genesisFlag = {
  genesis: Flags.string({ description: 'devnet, testnet, or the path of a genesis JSON file', default: 'devnet' }),
};

/**
 * The chain of `--genesis`: `devnet` and `testnet` are the spec's presets (GEN-5), with the
 * devnet's accounts; anything else is a genesis JSON file.
 */
export async function genesisOf(name: string): Promise<{ genesis: GenesisConfig; devAccounts?: DevAccount[] }> {
  if (name === 'devnet') {
    const { genesis, accounts } = devnetConfig({ count: DEVNET_ACCOUNTS });
    return { genesis, devAccounts: accounts };
  }
  if (name === 'testnet') return { genesis: testnetGenesis({ time: TESTNET_TIME, alloc: [] }) };
  let text: string;
  try {
    text = await readFile(name, 'utf8');
  } catch (error) {
    throw new CliError(
      'CLI_GENESIS_UNREADABLE',
      `cannot read the genesis file ${name}: ${(error as Error).message}`,
      'pass --genesis devnet, --genesis testnet, or the path of a zi-genesis/1 JSON file',
      EXIT.usage,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      'CLI_GENESIS_INVALID',
      `${name} is not JSON: ${(error as Error).message}`,
      'a genesis file is the JSON form of zi-genesis/1 (spec/README.md, GEN-1)',
    );
  }
  return { genesis: genesisFromJson(json) };
}

/**
 * The miner of a devnet run by `zi`: the dev key after the funded ones, so block rewards and fees
 * never blur the balances of the accounts you sign with.
 */
export function devnetMiner(accounts: number): string {
  const miner = devAccounts(accounts + 1)[accounts];
  if (!miner) throw new RangeError('devnetMiner: accounts must be a non-negative integer');
  return miner.address;
}

/** `--rpc`, taken by every command that talks to a node. */
export const rpcFlag = {
  rpc: Flags.string({ description: `node RPC URL [default: $ZI_RPC, else ${DEFAULT_RPC_URL}]` }),
};

/** The flags of commands that sign and send a transaction. */
export const sendFlags = {
  ...rpcFlag,
  wallet: Flags.string({ description: 'keystore wallet that signs [default: the only or "default" wallet, else devnet account 0]' }),
  fee: Flags.string({ description: 'transaction fee, e.g. "1000 Li" or "0.001 Zi"', default: DEFAULT_FEE }),
  wait: Flags.boolean({
    description: 'wait until a block includes the transaction (--no-wait: return once the node accepts it)',
    default: true,
    allowNo: true,
  }),
  timeout: Flags.integer({ description: 'seconds to wait for inclusion', default: 300, min: 1 }),
  ...keysDirFlag,
};

/** The RPC URL: --rpc, else $ZI_RPC, else the default. */
export function rpcUrlOf(flag: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const url = flag ?? (env.ZI_RPC || DEFAULT_RPC_URL);
  if (!/^https?:\/\/[^\s/]+/.test(url)) {
    throw new CliError(
      'CLI_BAD_RPC_URL',
      `"${url}" is not a node URL`,
      'give --rpc (or ZI_RPC) as http://host:port, e.g. http://127.0.0.1:8645',
      EXIT.usage,
    );
  }
  return url;
}

/** Parses an amount a user typed, naming the flag it came from. */
export function amountFlag(text: string, flag: string): bigint {
  try {
    return parseAmount(text);
  } catch (error) {
    const e = error as CliError;
    throw new CliError(e.code ?? 'CLI_BAD_AMOUNT', `--${flag}: ${e.message}`, e.hint ?? 'write e.g. "1000 Li" or "1.5 Zi"', EXIT.usage);
  }
}

/** A decimal string of Li as people read it ("1.5 Zi", "80,000 Li"). */
export function amountText(li: string | bigint): string {
  const value = typeof li === 'bigint' ? li : BigInt(li);
  const [number = '', unit = ''] = formatAmount(value).split(' ');
  const [whole = '', fraction] = number.split('.');
  return `${BigInt(whole).toLocaleString('en-US')}${fraction === undefined ? '' : `.${fraction}`} ${unit}`;
}

/** "0..1000, 2000..2500, … (+3 more)": index ranges with an exclusive end, at most `limit`. */
export function rangesText(ranges: readonly RangeJson[], limit = 5): string {
  if (ranges.length === 0) return 'none';
  const shown = ranges.slice(0, limit).map((r) => `${r.from}..${r.from + r.count}`);
  return ranges.length > limit ? `${shown.join(', ')}, … (+${ranges.length - limit} more)` : shown.join(', ');
}

/** The table of `zi contracts`. */
export function contractTable(contracts: readonly ContractJson[]): string[] {
  const rows = contracts.map((c) => [
    c.id,
    c.name,
    c.status,
    `${amountText(c.price)}`,
    `${int(c.paid)}/${int(c.mcus)}`,
    amountText(c.escrow),
  ]);
  const head = ['id', 'name', 'status', 'price/MCU', 'MCUs paid', 'escrow left'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i >= 3 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The lines of `zi contract <id>`. */
export function contractLines(c: ContractJson, payouts: readonly PayoutJson[]): string[] {
  const percent = c.mcus === 0 ? 0 : (c.paid / c.mcus) * 100;
  const lines = [
    `Contract ${c.id}`,
    `  name         ${c.name}`,
    `  status       ${c.status} (published in block ${c.height})`,
    `  bidder       ${c.bidder}`,
    `  bundle       ${c.bundle}`,
    `  manifest     ${c.manifest}`,
    `  MCUs         ${int(c.paid)} of ${int(c.mcus)} paid (${percent.toFixed(1)}%)`,
    `  gas per MCU  ${int(c.gasPerMcu)}`,
    `  price        ${amountText(c.price)} per MCU`,
    `  budget       ${amountText(c.budget)}`,
    `  escrow       ${amountText(c.escrow)} left, ${amountText(c.spent)} paid out`,
    `  validation   ${BigInt(c.validationFee) === 0n ? 'by the bidder' : `fee ${amountText(c.validationFee)}, validator ${c.validator ?? 'not assigned yet'}`}`,
    `  solved       ${c.solvedRanges.length === 0 ? 'none' : `${rangesText(c.solvedRanges)}`}`,
    `  payouts      ${int(c.payouts)}${payouts.length > 0 && payouts.length < c.payouts ? ` (the last ${payouts.length}:)` : payouts.length > 0 ? ':' : ''}`,
  ];
  for (const p of payouts) {
    lines.push(`    block ${p.height}  ${p.solver}  ${rangesText(p.ranges, 2)}  ${amountText(p.amount)} (fee ${amountText(p.fee)})`);
  }
  return lines;
}

/** A node run in the foreground by {@link ChainCommand.runNode}. */
export interface ForegroundNode {
  /** what `startNode` gets, but for `log` (the printer takes the node's reports) */
  readonly options: Omit<StartNodeOptions, 'log' | 'rpc'> & { rpc: { host: string; port: number } };
  /** the flag that sets the RPC port, named when the port is taken */
  readonly portFlag: string;
  /** prints what runs where, once the node has started */
  readonly banner: (node: ZiNode, printer: NodeEventPrinter) => void;
  /** a start failure told as what to do about it (before the port checks), or undefined */
  readonly startError?: (error: unknown) => Error | undefined;
  /** runs when the node fails to start, and after it stops (e.g. deletes a temporary folder) */
  readonly cleanup?: () => Promise<void>;
}

/** Who signs: a keystore wallet, or a devnet account handed out by the node. */
export interface Signer {
  readonly address: string;
  readonly secretKey: Uint8Array;
  /** "wallet default", "devnet account 0" */
  readonly label: string;
}

/** What the node answered about the chain, with the genesis decoded. */
export interface ChainInfo {
  readonly chain: string;
  readonly genesisId: string;
  readonly genesis: GenesisConfig;
  readonly devnet: boolean;
}

/** A transaction sent, and where it landed when waited for. */
export interface Sent {
  readonly id: string;
  readonly status: 'pending' | 'included';
  readonly height?: number;
  readonly block?: string;
}

/**
 * Base of the commands that talk to a node: the RPC client, the signer, sending and waiting.
 * A node that does not answer is the environment's failure (exit 4); a request it refuses is the
 * input's (exit 3).
 */
export abstract class ChainCommand extends WalletCommand {
  protected rpcClient(flags: { rpc?: string | undefined }): RpcClient {
    return createRpcClient(rpcUrlOf(flags.rpc));
  }

  /** A `zi1…` address (or `000`) as typed, else the address of the keystore wallet of that name. */
  protected async addressOf(nameOrAddress: string, flags: { 'keys-dir'?: string | undefined }): Promise<string> {
    const text = nameOrAddress.trim();
    // Wallet names are at most 64 characters; an address is 62, so a zi1… of that length is an address.
    if (text === STAKE_ADDRESS_ALIAS || (text.startsWith(`${ADDRESS_PREFIX}1`) && text.length >= 60)) return normalizeAddress(text);
    return (await this.keystore(flags).read(text)).address;
  }

  protected async chainInfo(client: RpcClient): Promise<ChainInfo> {
    const info = await client.call('zi_chain', {});
    return { chain: info.chain, genesisId: info.genesisId, genesis: genesisFromJson(info.genesis), devnet: info.devnet };
  }

  /**
   * The signer: --wallet; else the keystore's only wallet (or the one named "default"); else, on
   * a devnet, the node's first dev account — so `zi dev` and `zi publish` work with no wallet step.
   */
  protected async signer(
    client: RpcClient,
    chain: ChainInfo,
    flags: { wallet?: string | undefined; 'keys-dir'?: string | undefined },
  ): Promise<Signer> {
    return this.localSigner(flags, async () => {
      if (!chain.devnet) return undefined;
      const [account] = await client.call('zi_devAccounts', {});
      return account ? { address: account.address, secretKey: fromHex(account.secretKey, SECRET_KEY_BYTES) } : undefined;
    });
  }

  /**
   * The signer from the keystore (--wallet, else its only or "default" wallet), else
   * `devAccount0()` — devnet account 0 when there is a devnet to ask — else `CLI_NO_SIGNER`.
   */
  protected async localSigner(
    flags: { wallet?: string | undefined; 'keys-dir'?: string | undefined },
    devAccount0: () => Promise<{ address: string; secretKey: Uint8Array } | undefined>,
    purpose = 'signing with',
  ): Promise<Signer> {
    const keystore = this.keystore(flags);
    let name = flags.wallet;
    if (name === undefined) {
      const wallets = (await keystore.list()).filter((w) => w.ok);
      if (wallets.length === 1) name = wallets[0]?.name;
      else if (wallets.some((w) => w.name === 'default')) name = 'default';
      else if (wallets.length > 1) {
        throw new CliError(
          'CLI_WALLET_AMBIGUOUS',
          `the keystore holds ${wallets.length} wallets and none is named "default"`,
          `choose one with --wallet: ${wallets.map((w) => w.name).join(', ')}`,
          EXIT.usage,
        );
      }
    }
    if (name !== undefined) {
      const wallet = await keystore.read(name);
      const passphrase = await this.passphrase(`Passphrase of wallet "${name}"`);
      const { secretKey } = await keystore.unlock(name, passphrase);
      return { address: wallet.address, secretKey, label: `wallet ${name}` };
    }
    const account = await devAccount0();
    if (account) {
      this.say(`${purpose} devnet account 0 (${account.address}): a test key, for this devnet only`);
      return { address: account.address, secretKey: account.secretKey, label: 'devnet account 0' };
    }
    throw new CliError(
      'CLI_NO_SIGNER',
      `there is no wallet in ${keystore.dir} to sign with, and the node is not a devnet`,
      'create one with `zi wallet create` (or import one with `zi wallet import`), or pass --wallet',
      EXIT.usage,
    );
  }

  /** Fills in chain, nonce, meta; signs; sends; waits for a block unless told not to. */
  protected async signAndSend(
    client: RpcClient,
    chain: ChainInfo,
    signer: Signer,
    unsigned: Record<string, unknown> & { type: Transaction['type'] },
    options: { wait: boolean; timeoutSeconds: number },
  ): Promise<Sent> {
    let tx: Transaction;
    try {
      const { nextNonce } = await client.call('zi_account', { address: signer.address });
      const unsignedTx = { ...unsigned, chain: chain.chain, from: signer.address, nonce: nextNonce, meta: '' } as UnsignedTransaction;
      tx = signTransaction(unsignedTx, signer.secretKey) as Transaction;
    } finally {
      signer.secretKey.fill(0);
    }
    const bytes = encodeTransaction(tx);
    const id = transactionId(bytes);
    const sent = await client.call('zi_sendTransaction', { raw: toHex(bytes) });
    if (sent.id !== id) {
      throw new CliError(
        'CLI_TX_ID_MISMATCH',
        `the node names the transaction ${sent.id}, not ${id}`,
        'the node and zi disagree on encoding: check their versions',
        EXIT.internal,
      );
    }
    // An instant-mining devnet answers `included` already: then say where, even with --no-wait.
    if (!options.wait && sent.status === 'pending') return { id, status: 'pending' };
    return waitForInclusion(client, id, options.timeoutSeconds * 1000);
  }

  /**
   * Runs a node until SIGINT or SIGTERM (`zi node start`, `zi dev`): starts it, prints the banner,
   * then a line per block that joins the main chain, and stops it cleanly; under --json one JSON
   * object per line, ending with `{"event":"stopped"}`.
   */
  protected async runNode(run: ForegroundNode): Promise<void> {
    const json = this.jsonEnabled();
    const printer = new NodeEventPrinter(json);
    let node: ZiNode;
    try {
      node = await startNode({ ...run.options, log: (event) => printer.log(event) });
    } catch (error) {
      await run.cleanup?.();
      const { host, port } = run.options.rpc;
      throw run.startError?.(error) ?? listenError(error, host, port, run.portFlag) ?? error;
    }

    const stopped = untilStopSignal();
    try {
      run.banner(node, printer);
      node.on('head', (_head, change) => printer.blocks(change));
      await stopped;
    } finally {
      await node.stop();
      await run.cleanup?.();
      if (json) printer.line({ event: 'stopped' });
      else this.say('Stopped.');
    }
  }
}

/**
 * Polls `zi_transaction` until a block on the main chain includes the transaction. The node mines
 * on its own schedule, so there is nothing to do but ask again.
 */
export async function waitForInclusion(client: RpcClient, id: string, timeoutMs: number): Promise<Sent> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  for (;;) {
    const info = await client.call('zi_transaction', { id });
    if (info.status === 'included') {
      return {
        id,
        status: 'included',
        ...(info.height === undefined ? {} : { height: info.height }),
        ...(info.block === undefined ? {} : { block: info.block }),
      };
    }
    if (Date.now() >= deadline) {
      throw new CliError(
        'CLI_TX_NOT_INCLUDED',
        `transaction ${id} is still pending after ${Math.round(timeoutMs / 1000)} s`,
        'it stays in the mempool: is the node mining? (`zi dev` mines at once; `zi node start --mine …`) Check it later, or raise --timeout',
        EXIT.environment,
      );
    }
    await new Promise((done) => setTimeout(done, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(delay * 2, 1000);
  }
}

/** Resolves on the first SIGINT or SIGTERM, which then no longer end the process by default. */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** A failure to listen on the RPC port, told as what to do about it. */
export function listenError(error: unknown, host: string, port: number, portFlag: string): CliError | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'EADDRINUSE' || code === 'NODE_PORT_IN_USE' || text.includes('EADDRINUSE')) {
    return new CliError(
      'CLI_PORT_IN_USE',
      `${host}:${port} is taken: another program (perhaps another zi node) listens there`,
      `stop it, or choose another port with ${portFlag} (${portFlag} 0 picks a free one)`,
      EXIT.environment,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'EACCES' || text.includes('EADDRNOTAVAIL') || text.includes('EACCES')) {
    return new CliError(
      'CLI_CANNOT_LISTEN',
      `cannot listen on ${host}:${port}: ${text}`,
      `choose another address or port (${portFlag})`,
      EXIT.environment,
    );
  }
  return undefined;
}

/**
 * Prints what a running node reports: a line per block that joins the main chain, its errors on
 * stderr; under --json one JSON object per line instead.
 */
export class NodeEventPrinter {
  constructor(private readonly json: boolean) {}

  line(event: Record<string, unknown>): void {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }

  /** Every block a head change connected, oldest first; a reorg says how deep it went. */
  blocks(change: HeadChange): void {
    if (change.disconnected.length > 0) {
      if (this.json) this.line({ event: 'reorg', depth: change.disconnected.length });
      else process.stdout.write(`reorg: ${change.disconnected.length} block(s) left the main chain\n`);
    }
    for (const block of change.connected) {
      const id = blockId(block.header);
      const txs = block.txs.length;
      if (this.json) this.line({ event: 'block', height: block.header.height, id, txs, time: block.header.time });
      else process.stdout.write(`block ${block.header.height}  ${id}  ${txs} tx${txs === 1 ? '' : 's'}\n`);
    }
  }

  /**
   * The node's own reports that need a line: errors (on stderr unless --json), and the bidder's
   * sessions — serving, each batch paid, each refusal. Blocks come through `head`.
   */
  log(event: NodeLogEvent): void {
    switch (event.type) {
      case 'error':
        if (this.json) this.line({ event: 'error', where: event.where, message: event.message });
        else process.stderr.write(`warning: ${event.where}: ${event.message}\n`);
        return;
      case 'bidder-serving':
        if (this.json) this.line({ event: 'bidder-serving', address: event.address });
        else process.stdout.write(`bidder: serving the solver sessions of ${event.address}'s contracts\n`);
        return;
      case 'session-paid': {
        const { contract, solver, seq, mcus } = event;
        if (this.json) this.line({ event: 'session-paid', contract, solver, seq, mcus });
        else process.stdout.write(`paid     batch ${seq} of ${contract}: ${int(mcus)} MCU${mcus === 1 ? '' : 's'} to ${solver}\n`);
        return;
      }
      case 'session-refused': {
        const { contract, solver, reason, message } = event;
        if (this.json) this.line({ event: 'session-refused', contract, ...(solver === undefined ? {} : { solver }), reason, message });
        else process.stdout.write(`refused  ${solver ?? 'a solver'} on ${contract}: ${reason}${message ? ` (${message})` : ''}\n`);
        return;
      }
      default:
        return;
    }
  }
}
