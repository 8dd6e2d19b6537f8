import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { type DevAccount, devnetConfig, type MiningMode } from '@zi/node';
import { type GenesisConfig, genesisFromJson, normalizeAddress, testnetGenesis } from '@zi/spec';
import { ChainCommand, defaultNodeDir, devnetMiner, type ForegroundNode } from '../../chain.js';
import { CliError, EXIT } from '../../errors.js';
import { keysDirFlag } from '../../wallet.js';

/** The testnet preset's genesis time: fixed, so every `--genesis testnet` node starts the same chain. */
const TESTNET_TIME = Date.UTC(2025, 0, 1);
/** The dev accounts of `--genesis devnet`: the ten `zi dev` funds by default. */
const DEVNET_ACCOUNTS = 10;

export default class NodeStart extends ChainCommand {
  static override summary = 'Run a Zi node: the chain, the mempool, a miner and the JSON-RPC API';
  static override description =
    'Opens (or creates) the chain in --data-dir and serves the JSON-RPC API. Prints the chain, the RPC URL and the head, then a line per new block until Ctrl-C (SIGINT) or SIGTERM, when it stops cleanly. For a throwaway devnet with funded accounts, `zi dev` is shorter.';
  static override examples = [
    '<%= config.bin %> node start',
    '<%= config.bin %> node start --genesis testnet --mine continuous --miner zi1…',
    '<%= config.bin %> node start --genesis ./genesis.json --data-dir /srv/zi --rpc-port 9000 --json',
  ];
  static override flags = {
    'data-dir': Flags.string({ description: 'the node’s folder [default: $ZI_HOME/node, else ~/.zi/node]' }),
    genesis: Flags.string({ description: 'devnet, testnet, or the path of a genesis JSON file', default: 'devnet' }),
    mine: Flags.string({
      description: 'when to mine blocks [default: instant on a devnet, else off; interval with --block-time]',
      options: ['off', 'instant', 'interval', 'continuous'],
    }),
    'block-time': Flags.integer({ description: 'ms between blocks in interval mode', min: 1 }),
    miner: Flags.string({
      description:
        'address (or wallet name) paid the rewards and fees [default: the keystore’s only or "default" wallet; on a devnet the dev key after the funded ones]',
    }),
    threads: Flags.integer({ description: 'mining threads [default: cores − 1]', min: 1 }),
    'rpc-port': Flags.integer({ description: 'RPC port (0: any free port)', default: 8645, min: 0, max: 65535 }),
    'rpc-host': Flags.string({ description: 'RPC address to listen on', default: '127.0.0.1' }),
    listen: Flags.string({
      description: 'join the peer-to-peer network, listening on this multiaddr (e.g. /ip4/127.0.0.1/tcp/4001); repeatable',
      multiple: true,
    }),
    bootstrap: Flags.string({
      description: 'a peer to connect to and stay connected to (multiaddr ending in /p2p/<peer id>); repeatable, implies the network',
      multiple: true,
    }),
    ...keysDirFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeStart);
    const { genesis, devAccounts } = await this.genesisOf(flags.genesis);
    const devnet = devAccounts !== undefined;
    const mode = (flags.mine ?? (flags['block-time'] !== undefined ? 'interval' : devnet ? 'instant' : 'off')) as MiningMode;
    if (flags['block-time'] !== undefined && mode !== 'interval') {
      throw new CliError(
        'CLI_USAGE',
        `--block-time needs --mine interval, not --mine ${mode}`,
        'drop --mine, or pass --mine interval',
        EXIT.usage,
      );
    }
    const miner = mode === 'off' ? undefined : await this.minerOf(flags.miner, devnet, flags);
    const dataDir = resolve(flags['data-dir'] ?? defaultNodeDir());
    const json = this.jsonEnabled();
    const banner: ForegroundNode['banner'] = (node, printer) => {
      const head = node.chain.head();
      if (json) {
        printer.line({
          event: 'started',
          chain: genesis.chain,
          genesisId: node.chain.genesisId,
          rpc: node.rpcUrl ?? null,
          dataDir,
          mining: mode,
          miner: miner ?? null,
          height: head.height,
          head: head.id,
          peer: node.network?.peerId ?? null,
          listen: node.network?.addresses() ?? [],
        });
      } else {
        this.say(`Zi node  chain ${genesis.chain}  genesis ${node.chain.genesisId}`);
        this.say(`  RPC     ${node.rpcUrl ?? 'off'}`);
        this.say(`  data    ${dataDir}`);
        this.say(
          `  mining  ${mode === 'off' ? 'off' : `${mode === 'interval' ? `a block every ${flags['block-time'] ?? 1000} ms` : mode}, rewards to ${miner}`}`,
        );
        this.say(`  head    ${head.height}  ${head.id}`);
        if (node.network) {
          this.say(`  peer    ${node.network.peerId}`);
          for (const address of node.network.addresses()) this.say(`  listen  ${address}`);
        }
        this.say('Ctrl-C to stop');
      }
    };
    await this.runNode({
      options: {
        dataDir,
        genesis,
        ...(devAccounts === undefined ? {} : { devAccounts }),
        mining: {
          mode,
          ...(flags['block-time'] === undefined ? {} : { intervalMs: flags['block-time'] }),
          ...(miner === undefined ? {} : { miner }),
          ...(flags.threads === undefined ? {} : { threads: flags.threads }),
        },
        rpc: { host: flags['rpc-host'], port: flags['rpc-port'] },
        ...(flags.listen || flags.bootstrap
          ? { network: { listen: flags.listen ?? ['/ip4/127.0.0.1/tcp/0'], ...(flags.bootstrap ? { bootstrap: flags.bootstrap } : {}) } }
          : {}),
      },
      portFlag: '--rpc-port',
      banner,
    });
  }

  /** `devnet` and `testnet` are the spec's presets (GEN-5); anything else is a genesis JSON file. */
  private async genesisOf(name: string): Promise<{ genesis: GenesisConfig; devAccounts?: DevAccount[] }> {
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

  /** --miner (an address or a wallet name); else the keystore's wallet; else on a devnet, {@link devnetMiner}. */
  private async minerOf(flag: string | undefined, devnet: boolean, flags: { 'keys-dir'?: string | undefined }): Promise<string> {
    if (flag !== undefined) return this.addressOf(flag, flags);
    const wallets = (await this.keystore(flags).list()).filter((w) => w.ok);
    const wallet = wallets.length === 1 ? wallets[0] : wallets.find((w) => w.name === 'default');
    if (wallet?.ok) return normalizeAddress(wallet.address);
    if (devnet) return devnetMiner(DEVNET_ACCOUNTS);
    throw new CliError(
      'CLI_MINER_REQUIRED',
      'a mining node needs an address to pay the block rewards and fees to',
      'pass --miner <zi1… address or wallet name>, or create a wallet with `zi wallet create`',
      EXIT.usage,
    );
  }
}
