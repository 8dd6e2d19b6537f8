import { Args, Flags } from '@oclif/core';
import type { ContractStatusJson } from '@zi/node';
import { ChainCommand, rpcFlag, rpcUrlOf, untilStopSignal } from '../chain.js';
import { fetchStatus, statusLines, watchStatus } from '../status.js';

export default class Status extends ChainCommand {
  static override summary = 'How a contract is going: MCUs solved, solvers, escrow, and why nobody is solving';
  static override description =
    'Asks the node (best: the bidder’s own, which sees the sessions and keeps the results) for the contract’s progress: MCUs solved of the total, the solvers paid and what they earned, the escrow spent and left, live sessions and the last payout. When nobody seems to be solving it, the node lists the reasons it can see (NO_PEERS, NOT_SERVING, BUNDLE_UNAVAILABLE, PRICE_BELOW_OTHERS, ESCROW_LOW, REFUSING, …). --watch prints it again on every new block until the contract is done or closed, or Ctrl-C.';
  static override examples = [
    '<%= config.bin %> status bafyrei…',
    '<%= config.bin %> status bafyrei… --watch',
    '<%= config.bin %> status bafyrei… --json',
  ];
  static override args = { contract: Args.string({ description: 'contract id', required: true }) };
  static override flags = {
    ...rpcFlag,
    watch: Flags.boolean({
      description: 'print it again on every new block until the contract is done or closed (Ctrl-C stops)',
      default: false,
    }),
  };

  async run(): Promise<ContractStatusJson | undefined> {
    const { args, flags } = await this.parse(Status);
    const rpc = rpcUrlOf(flags.rpc);
    if (!flags.watch) {
      const status = await fetchStatus(rpc, args.contract);
      for (const line of statusLines(status)) this.say(line);
      return status;
    }
    const json = this.jsonEnabled();
    const abort = new AbortController();
    untilStopSignal().then(
      () => abort.abort(),
      () => undefined,
    );
    let first = true;
    // Under --json each status is one line as it comes (so nothing more is returned to print).
    const last = await watchStatus({
      rpc,
      contract: args.contract,
      signal: abort.signal,
      onStatus: (status) => {
        if (json) {
          process.stdout.write(`${JSON.stringify(status)}\n`);
          return;
        }
        if (!first) this.say('');
        first = false;
        for (const line of statusLines(status)) this.say(line);
      },
    });
    return json ? undefined : last;
  }
}
