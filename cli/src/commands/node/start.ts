import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import type { MiningMode } from '@zi/node';
import { normalizeAddress } from '@zi/spec';
import {
  ChainCommand,
  DEVNET_ACCOUNTS,
  defaultNodeDir,
  devnetMiner,
  type ForegroundNode,
  genesisFlag,
  genesisOf,
  type Signer,
} from '../../chain.js';
import { CliError, EXIT } from '../../errors.js';
import { keysDirFlag } from '../../wallet.js';

export default class NodeStart extends ChainCommand {
  static override summary = 'Run a Zi node: the chain, the mempool, a miner and the JSON-RPC API';
  static override description =
    'Opens (or creates) the chain in --data-dir and serves the JSON-RPC API. Prints the chain, the RPC URL and the head, then a line per new block until Ctrl-C (SIGINT) or SIGTERM, when it stops cleanly. For a throwaway devnet with funded accounts, `zi dev` is shorter.';
  static override examples = [
    '<%= config.bin %> node start',
    '<%= config.bin %> node start --genesis testnet --mine continuous --miner zi1…',
    '<%= config.bin %> node start --genesis ./genesis.json --data-dir /srv/zi --rpc-port 9000 --json',
    '<%= config.bin %> node start --listen /ip4/0.0.0.0/tcp/4001 --bidder --wallet bidder',
  ];
  static override flags = {
    'data-dir': Flags.string({ description: 'the node’s folder [default: $ZI_HOME/node, else ~/.zi/node]' }),
    ...genesisFlag,
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
    bidder: Flags.boolean({
      description:
        'serve solver sessions for the open contracts the --wallet key published: validate their batches and sign their payouts (implies the network)',
      default: false,
    }),
    wallet: Flags.string({
      description:
        'with --bidder: the keystore wallet whose contracts are served [default: the only or "default" wallet, else devnet account 0]',
      dependsOn: ['bidder'],
    }),
    ...keysDirFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeStart);
    const { genesis, devAccounts } = await genesisOf(flags.genesis);
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
    const bidder: Signer | undefined = flags.bidder
      ? await this.localSigner(flags, async () => devAccounts?.[0], 'signing payouts with')
      : undefined;
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
          bidder: bidder?.address ?? null,
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
        if (bidder) this.say(`  bidder  serving solver sessions for the contracts of ${bidder.address} (${bidder.label})`);
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
        ...(flags.listen || flags.bootstrap || bidder
          ? { network: { listen: flags.listen ?? ['/ip4/127.0.0.1/tcp/0'], ...(flags.bootstrap ? { bootstrap: flags.bootstrap } : {}) } }
          : {}),
        ...(bidder ? { bidder: { secretKey: bidder.secretKey } } : {}),
      },
      portFlag: '--rpc-port',
      banner,
    });
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
