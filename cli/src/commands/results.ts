import { relative } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { ChainCommand, rpcFlag, rpcUrlOf } from '../chain.js';
import { int } from '../format.js';
import { defaultResultsDir, type WrittenResults, writeResults } from '../results.js';

export default class Results extends ChainCommand {
  static override summary = 'Write a contract’s results and their render, from the bidder’s node';
  static override description =
    'Fetches every result the bidder’s node keeps of the contract (the batches it validated and paid), the bundle by its CID, merges them with the contract’s union and draws them with its render in the sandbox, and writes results.json and render.png (or .txt / .json) into --out. Partial results are written too, and said to be partial.';
  static override examples = [
    '<%= config.bin %> results bafyrei…',
    '<%= config.bin %> results bafyrei… --out mandelbrot --rpc http://127.0.0.1:8645',
    '<%= config.bin %> results bafyrei… --json',
  ];
  static override args = { contract: Args.string({ description: 'contract id', required: true }) };
  static override flags = {
    ...rpcFlag,
    out: Flags.string({ char: 'o', description: 'folder to write into [default: ./results-<short id>]' }),
    workers: Flags.integer({ char: 'w', description: 'sandbox worker processes for union and render', default: 1, min: 1 }),
  };

  async run(): Promise<WrittenResults> {
    const { args, flags } = await this.parse(Results);
    const contract = args.contract.trim();
    const written = await writeResults({
      rpc: rpcUrlOf(flags.rpc),
      contract,
      outDir: flags.out ?? defaultResultsDir(contract),
      pool: this.openPool(flags.workers),
    });
    const shown = (path: string) => relative(process.cwd(), path) || '.';
    const share = ((written.mcus / written.total) * 100).toFixed(1);
    this.say(`Results of ${written.name} ${written.contract}`);
    this.say(
      `  MCUs     ${int(written.mcus)} of ${int(written.total)} (${share}%)${written.complete ? '' : ' — partial: the job is not done, this is what is paid so far'}`,
    );
    this.say(`  results  ${int(written.entries)} -> ${shown(written.resultsPath)}`);
    if (written.renderPath) this.say(`  render   ${shown(written.renderPath)}`);
    return written;
  }
}
