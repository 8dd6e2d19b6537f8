import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { type ContractOffer, SolverAgent, type SolverAgentSummary, startNode, type ZiNode } from '@zi/node';
import { amountText, ChainCommand, genesisFlag, genesisOf, NodeEventPrinter, untilStopSignal } from '../chain.js';
import { CliError, EXIT } from '../errors.js';
import { int } from '../format.js';
import { keysDirFlag } from '../wallet.js';

/** The solver's node folder: `$ZI_HOME/solver`, else `~/.zi/solver`. */
export function defaultSolverDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.ZI_HOME ? resolve(env.ZI_HOME, 'solver') : join(homedir(), '.zi', 'solver');
}

export default class Solve extends ChainCommand {
  static override summary = 'Earn Zi: solve the most profitable open contracts of the network, on every core';
  static override description =
    'Starts a node of its own (in --data-dir, no RPC, no mining) that joins the network through --bootstrap peers and syncs the chain. Then, over and over: ranks the open contracts by Li per gas (the price ÷ the gas per MCU a short trial measures on this machine), fetches the best one’s bundle by CID, finds the node serving its bidder, and runs solver sessions on every core — batches of 1, 2, 4 … MCUs, each paid by the bidder and submitted to the chain before the next — until the contract is done or the bidder refuses or leaves; then the next contract. Stops at --max-mcus, when nothing is left to solve, or on Ctrl-C. The payee is --wallet, else the keystore’s only or "default" wallet, else on a devnet account 0.';
  static override examples = [
    '<%= config.bin %> solve --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…',
    '<%= config.bin %> solve --genesis testnet --bootstrap /dns4/seed.example/tcp/4001/p2p/12D3KooW… --wallet solver',
    '<%= config.bin %> solve --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW… --max-mcus 1000 --json',
    '<%= config.bin %> solve --bootstrap /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW… --bootstrapping --wallet fresh',
  ];
  static override flags = {
    ...genesisFlag,
    bootstrap: Flags.string({
      description: 'a peer to join the network through (multiaddr ending in /p2p/<peer id>); repeatable',
      multiple: true,
      required: true,
    }),
    listen: Flags.string({ description: 'multiaddr to listen on; repeatable', multiple: true, default: ['/ip4/127.0.0.1/tcp/0'] }),
    'data-dir': Flags.string({ description: 'the solver node’s folder [default: $ZI_HOME/solver, else ~/.zi/solver]' }),
    wallet: Flags.string({
      description: 'keystore wallet paid for the work [default: the only or "default" wallet, else devnet account 0]',
    }),
    'max-mcus': Flags.integer({ description: 'stop after this many MCUs [default: no limit]', min: 1 }),
    cores: Flags.integer({ description: 'sandboxes to run MCUs in, and sessions at once per contract [default: every core]', min: 1 }),
    'sync-timeout': Flags.integer({ description: 'seconds to wait for a bootstrap peer and the chain sync', default: 30, min: 1 }),
    'answer-timeout': Flags.integer({
      description:
        'seconds to wait for each answer of a bidder (an ack, a payment); a bidder that does not answer in time is dropped for the rest of the run',
      default: 120,
      min: 1,
    }),
    bootstrapping: Flags.boolean({
      description:
        'the bootstrapping-solver policy (spec SES-8), for a wallet with nothing to lose yet: only contracts whose first batch pays above 10 Li, one block of wait after each handshake, and a bidder that does not answer within 3 blocks is dropped',
      default: false,
    }),
    ...keysDirFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Solve);
    const json = this.jsonEnabled();
    const printer = new NodeEventPrinter(json);
    const { genesis, devAccounts } = await genesisOf(flags.genesis);
    const payee = await this.localSigner(flags, async () => devAccounts?.[0], 'paying');
    const cores = flags.cores ?? availableParallelism();
    const dataDir = resolve(flags['data-dir'] ?? defaultSolverDir());
    const node = await startNode({
      dataDir,
      genesis,
      rpc: false,
      network: { listen: flags.listen, bootstrap: flags.bootstrap },
      log: (event) => printer.log(event),
    });
    const abort = new AbortController();
    untilStopSignal().then(
      () => abort.abort(),
      () => undefined,
    );
    try {
      const network = node.network;
      if (!network) throw new CliError('ZI_INTERNAL', 'the solver node has no network', 'this is a bug in zi', EXIT.internal);
      if (json) {
        printer.line({
          event: 'started',
          chain: genesis.chain,
          address: payee.address,
          peer: network.peerId,
          dataDir,
          cores,
          bootstrapping: flags.bootstrapping,
        });
      } else {
        this.say(`Solver ${payee.address} (${payee.label}) on ${genesis.chain}`);
        this.say(`  peer    ${network.peerId}`);
        this.say(`  data    ${dataDir}`);
        this.say(`  cores   ${cores} (sessions at once per contract)`);
        if (flags.bootstrapping) this.say('  policy  bootstrapping (SES-8): first batch above 10 Li, a block after each handshake');
      }
      await this.joinNetwork(node, flags['sync-timeout'] * 1000, abort.signal);
      const head = node.chain.head();
      if (json) printer.line({ event: 'synced', height: head.height, head: head.id, peers: network.peers() });
      else this.say(`  synced  height ${head.height} from ${network.peers().length} peer(s)`);

      const agent = new SolverAgent({
        node,
        secretKey: payee.secretKey,
        sandboxPool: this.openPool(cores),
        sessions: cores,
        ...(flags['max-mcus'] === undefined ? {} : { maxMcus: flags['max-mcus'] }),
        answerTimeoutMs: flags['answer-timeout'] * 1000,
        bootstrapping: flags.bootstrapping,
        signal: abort.signal,
      });
      this.report(agent, printer, json);
      const summary = await agent.run();
      this.done(summary, printer, json);
    } finally {
      payee.secretKey.fill(0);
      await node.stop();
    }
  }

  /** Waits for a bootstrap peer, then syncs with every connected peer. */
  private async joinNetwork(node: ZiNode, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const network = node.network;
    if (!network) return;
    if (network.peers().length === 0) {
      await new Promise<void>((done, fail) => {
        const finish = (error?: Error): void => {
          clearTimeout(timer);
          network.off('peer-connected', onPeer);
          signal.removeEventListener('abort', onAbort);
          if (error) fail(error);
          else done();
        };
        const onPeer = (): void => finish();
        const onAbort = (): void => finish(new CliError('CLI_ABORTED', 'stopped before joining the network', 'nothing to do', EXIT.ok));
        const timer = setTimeout(
          () =>
            finish(
              new CliError(
                'CLI_NO_PEERS',
                `no --bootstrap peer answered within ${Math.round(timeoutMs / 1000)} s`,
                'check the addresses (zi node start prints them as "listen"), that those nodes run and are on the same --genesis, or raise --sync-timeout',
                EXIT.environment,
              ),
            ),
          timeoutMs,
        );
        network.on('peer-connected', onPeer);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    // Each connection syncs by itself; asking again waits for those syncs to have run (NET-5).
    await Promise.all(network.peers().map((peer) => network.sync(peer)));
  }

  private report(agent: SolverAgent, printer: NodeEventPrinter, json: boolean): void {
    const offerJson = (o: ContractOffer) => ({
      id: o.id,
      name: o.name,
      bidder: o.bidder,
      price: o.price.toString(),
      unpaid: o.unpaid,
      gasPerMcu: o.gasPerMcu,
      measuredGasPerMcu: o.measuredGasPerMcu,
      mcusPerSecond: Math.round(o.mcusPerSecond),
      liPerGas: o.score,
    });
    agent.on('ranked', (offers) => {
      if (json) printer.line({ event: 'ranked', offers: offers.map(offerJson) });
      else if (offers.length > 0) {
        this.say('Open contracts, best first (Li per gas measured here):');
        for (const o of offers) {
          this.say(
            `  ${o.name}  ${o.id}  ${amountText(o.price)}/MCU  ${int(o.measuredGasPerMcu)} gas/MCU  ${o.score.toPrecision(3)} Li/gas  ${int(o.unpaid)} MCUs unpaid`,
          );
        }
      }
    });
    agent.on('contract', (o) => {
      if (json) printer.line({ event: 'contract', ...offerJson(o) });
      else this.say(`Solving ${o.name} ${o.id} (bidder ${o.bidder})`);
    });
    agent.on('skipped', ({ contract, reason, message }) => {
      if (json) printer.line({ event: 'skipped', contract, reason, message });
      else this.say(`  skipped ${contract}: ${reason}: ${message}`);
    });
    // The batch is with the bidder now: a process that dies here loses that batch only.
    agent.on('sent', (sent) => {
      if (json) printer.line({ event: 'sent', contract: sent.contract, seq: sent.seq, mcus: sent.mcus, ranges: sent.ranges });
    });
    agent.on('waiting', ({ contract, blocks }) => {
      if (json) printer.line({ event: 'waiting', contract, blocks });
    });
    agent.on('dropped', ({ bidder, reason, contract, message }) => {
      if (json) printer.line({ event: 'dropped', bidder, reason, contract, message });
      else this.say(`  dropped bidder ${bidder} (${reason}): ${message}`);
    });
    agent.on('progress', (p) => {
      if (json) {
        printer.line({
          event: 'batch',
          contract: p.contract,
          seq: p.seq,
          mcus: p.batchMcus,
          earned: p.batchEarned.toString(),
          payout: p.payout,
          ranges: p.ranges,
          totalMcus: p.totalMcus,
          totalEarned: p.totalEarned.toString(),
        });
      } else {
        this.say(
          `  batch ${p.seq}  ${int(p.batchMcus)} MCU${p.batchMcus === 1 ? '' : 's'}  +${amountText(p.batchEarned)}  total ${int(p.totalMcus)} MCUs, ${amountText(p.totalEarned)}`,
        );
      }
    });
    agent.on('session', ({ contract, summary }) => {
      if (json) printer.line({ event: 'session', contract, outcome: summary.outcome, message: summary.message, mcus: summary.mcus });
      else if (summary.outcome !== 'limit') this.say(`  session ended (${summary.outcome}): ${summary.message}`);
    });
  }

  private done(summary: SolverAgentSummary, printer: NodeEventPrinter, json: boolean): void {
    const { outcome, mcus, batches, earned, contracts } = summary;
    if (json) {
      printer.line({
        event: 'done',
        outcome,
        mcus,
        batches,
        earned: earned.toString(),
        contracts,
        elapsedMs: Math.round(summary.elapsedMs),
      });
      return;
    }
    const why = { limit: 'reached --max-mcus', idle: 'no open contract left to solve', aborted: 'stopped' }[outcome];
    this.say(
      `Done (${why}): ${int(mcus)} MCUs in ${int(batches)} batches, earned ${amountText(earned)} over ${contracts.length} contract(s)`,
    );
  }
}
