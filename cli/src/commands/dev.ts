import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { devAccounts, devnetConfig, NodeError } from '@zi/node';
import { toHex } from '@zi/spec';
import { amountFlag, amountText, ChainCommand, devnetMiner, type ForegroundNode } from '../chain.js';
import { CliError, EXIT } from '../errors.js';
import { keysDirFlag } from '../wallet.js';

export default class Dev extends ChainCommand {
  static override summary = 'Run a local devnet: funded test accounts, a block per transaction, RPC on 127.0.0.1:8645';
  static override description =
    'Like Hardhat’s node or anvil: a fresh chain in a temporary folder (unless --data-dir), ten prefunded dev accounts with well-known keys, every wallet of your keystore funded with the same balance, a block mined as soon as a transaction arrives (or every --block-time ms). Then `zi publish` in a project signs with your wallet or dev account 0, with no other step. Ctrl-C stops it.';
  static override examples = [
    '<%= config.bin %> dev',
    '<%= config.bin %> dev --port 0 --block-time 2000',
    '<%= config.bin %> dev --accounts 3 --balance "1000 Zi" --json',
  ];
  static override flags = {
    port: Flags.integer({
      char: 'p',
      description: 'RPC port (0: any free port, printed in the banner)',
      default: 8645,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ description: 'RPC address to listen on', default: '127.0.0.1' }),
    accounts: Flags.integer({ description: 'how many dev accounts to fund', default: 10, min: 1, max: 1000 }),
    balance: Flags.string({ description: 'what each dev account and keystore wallet starts with', default: '10000 Zi' }),
    'block-time': Flags.integer({
      description: 'mine a block every this many ms, empty or not (default: a block as soon as transactions arrive)',
      min: 1,
    }),
    'data-dir': Flags.string({ description: 'keep the chain in this folder [default: a temporary folder, deleted on exit]' }),
    ...keysDirFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Dev);
    const balance = amountFlag(flags.balance, 'balance');
    const keystore = this.keystore(flags);
    // Listed from the files' public fields: no passphrase is asked.
    const listed = await keystore.list();
    const unreadable = listed.filter((w) => !w.ok);
    const miner = devnetMiner(flags.accounts);
    const devAddresses = new Set([...devAccounts(flags.accounts).map((a) => a.address), miner]);
    const wallets = listed.flatMap((w) => (w.ok && !devAddresses.has(w.address) ? [{ name: w.name, address: w.address }] : []));
    const seen = new Set<string>();
    const funded = wallets.filter((w) => !seen.has(w.address) && seen.add(w.address));
    const { genesis, accounts } = devnetConfig({
      count: flags.accounts,
      balance,
      extraAlloc: funded.map((w) => ({ address: w.address, amount: balance })),
    });

    const temporary = flags['data-dir'] === undefined;
    const dataDir = flags['data-dir'] === undefined ? await mkdtemp(join(tmpdir(), 'zi-dev-')) : resolve(flags['data-dir']);
    const json = this.jsonEnabled();
    const banner: ForegroundNode['banner'] = (node, printer) => {
      const head = node.chain.head();
      const rpc = node.rpcUrl ?? '';
      const mining =
        flags['block-time'] === undefined ? 'instant (a block as soon as transactions arrive)' : `a block every ${flags['block-time']} ms`;
      if (json) {
        printer.line({
          event: 'started',
          rpc,
          chain: genesis.chain,
          genesisId: node.chain.genesisId,
          height: head.height,
          head: head.id,
          dataDir,
          temporary,
          mining: flags['block-time'] === undefined ? 'instant' : 'interval',
          miner,
          accounts: accounts.map((a, index) => ({ index, address: a.address, secretKey: toHex(a.secretKey), balance: balance.toString() })),
          wallets: funded.map((w) => ({ ...w, balance: balance.toString() })),
        });
      } else {
        this.say(`Zi devnet ${genesis.chain}  genesis ${node.chain.genesisId}`);
        this.say(`RPC       ${rpc}`);
        this.say(`mining    ${mining}; rewards and fees to ${miner}`);
        this.say(`data      ${dataDir}${temporary ? ' (deleted on exit)' : ''}`);
        this.say();
        this.say(`Dev accounts (${amountText(balance)} each)`);
        for (const [i, a] of accounts.entries()) this.say(`  (${i}) ${a.address} ${amountText(balance)}`);
        this.say();
        this.say('Secret keys: TEST KEYS FOR THIS DEVNET ONLY. Everybody knows them; never use them on any other chain.');
        for (const [i, a] of accounts.entries()) this.say(`  (${i}) ${toHex(a.secretKey)}`);
        this.say();
        if (funded.length > 0) {
          this.say(`Keystore wallets funded (${amountText(balance)} each, from ${keystore.dir})`);
          const width = Math.max(...funded.map((w) => w.name.length));
          for (const w of funded) this.say(`  ${w.name.padEnd(width)}  ${w.address}`);
        } else {
          this.say(`Keystore wallets funded: none (no wallets in ${keystore.dir}); \`zi publish\` signs with dev account 0`);
        }
        for (const w of unreadable) this.say(`  not funded: ${w.name} (${w.ok ? '' : w.error.code})`);
        this.say();
        this.say(`Listening on ${rpc}: Ctrl-C to stop`);
        this.say(`block ${head.height}  ${head.id}  ${head.height === 0 ? 'genesis' : 'head'}`);
      }
    };
    await this.runNode({
      options: {
        dataDir,
        genesis,
        devAccounts: accounts,
        mining:
          flags['block-time'] === undefined ? { mode: 'instant', miner } : { mode: 'interval', intervalMs: flags['block-time'], miner },
        rpc: { host: flags.host, port: flags.port },
      },
      portFlag: '--port',
      banner,
      // The genesis funds the keystore's wallets, so a new wallet makes a new devnet.
      startError: (error) =>
        error instanceof NodeError && error.code === 'NODE_GENESIS_MISMATCH'
          ? new CliError(
              error.code,
              `${dataDir} holds another devnet: ${error.message}`,
              'the dev accounts, --balance or the keystore’s wallets changed since it was made; drop --data-dir for a fresh devnet, or use another folder',
              EXIT.badInput,
            )
          : undefined,
      cleanup: async () => {
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      },
    });
  }
}
