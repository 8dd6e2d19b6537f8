import { Flags } from '@oclif/core';
import { publishFields } from '@zi/node';
import { buildContract, readProject, writeBuild } from '@zi/runtime';
import { minimumEscrow } from '@zi/spec';
import { amountFlag, amountText, ChainCommand, sendFlags } from '../chain.js';
import { CliError, EXIT } from '../errors.js';
import { int } from '../format.js';

/** What `zi publish --json` prints. */
export interface PublishResult {
  contract: string;
  tx: string;
  status: 'pending' | 'included';
  escrow: string;
  price: string;
  mcus: number;
  height: number | null;
  bidder: string;
  bundle: string;
  manifest: string;
  inline: boolean;
}

export default class Publish extends ChainCommand {
  static override summary = 'Build the contract and publish it on chain, its budget locked in escrow';
  static override description =
    'Builds the project exactly as `zi build` does, then signs a publish transaction (bundle CID, the bundle itself when at most 1 MiB, manifest CID, name, MCUs, gas per MCU, price, budget) and waits for a block to include it. The contract id is the transaction id. The signer is --wallet, else the keystore’s only or "default" wallet, else on a devnet the node’s first dev account.';
  static override examples = [
    '<%= config.bin %> publish',
    '<%= config.bin %> publish --budget "0.5 Zi" --wallet bidder',
    '<%= config.bin %> publish --rpc http://127.0.0.1:8645 --json',
  ];
  static override flags = {
    dir: Flags.string({ char: 'd', description: 'project folder', default: '.' }),
    budget: Flags.string({ description: 'Li locked in escrow [default: price × MCUs, the whole job]' }),
    price: Flags.string({ description: 'price per MCU [default: the contract’s own price]' }),
    mcus: Flags.integer({
      description: 'size of the input space [default: the contract’s inputs count; required for generator inputs]',
      min: 1,
    }),
    ...sendFlags,
  };

  async run(): Promise<PublishResult> {
    const { flags } = await this.parse(Publish);
    const fee = amountFlag(flags.fee, 'fee');
    const priceOverride = flags.price === undefined ? undefined : amountFlag(flags.price, 'price');
    const budgetFlag = flags.budget === undefined ? undefined : amountFlag(flags.budget, 'budget');
    const project = await readProject(flags.dir);
    // Ask the node first: no point building for a node that is not there.
    const client = this.rpcClient(flags);
    const chain = await this.chainInfo(client);

    const built = await buildContract({ projectDir: project.dir, entry: project.entry, pool: this.openPool(1) });
    const m = built.manifest;
    await writeBuild(project, built);

    const mcus = flags.mcus ?? m.inputs.count;
    if (mcus === null) {
      throw new CliError(
        'CLI_MCUS_REQUIRED',
        `${m.name} has generator inputs, so the size of its input space is not known`,
        'give it with --mcus N (indices 0 … N-1)',
        EXIT.usage,
      );
    }
    if (m.inputs.count !== null && mcus > m.inputs.count) {
      throw new CliError(
        'CLI_BAD_MCUS',
        `--mcus ${mcus} is more than the contract's ${int(m.inputs.count)} inputs`,
        `give at most --mcus ${m.inputs.count}`,
        EXIT.usage,
      );
    }
    const price = priceOverride ?? BigInt(m.price);
    if (price < 1n)
      throw new CliError(
        'CLI_BAD_PRICE',
        'the price per MCU is 0',
        'a contract needs a price of at least 1 Li (PUB-3): pass --price',
        EXIT.usage,
      );
    const budget = budgetFlag ?? price * BigInt(mcus);
    // PUB-4: escrow ≥ price × min(mcus, minEscrowMcus); checked here so a refusal costs nothing.
    const minEscrowMcus = chain.genesis.market.minEscrowMcus;
    const minimum = minimumEscrow(price, mcus, minEscrowMcus);
    if (budget < minimum) {
      throw new CliError(
        'CLI_BUDGET_TOO_LOW',
        `a budget of ${amountText(budget)} is below the minimum escrow of ${amountText(minimum)} (price ${amountText(price)} × ${int(Math.min(mcus, minEscrowMcus))} MCUs, PUB-4)`,
        `raise --budget to at least "${minimum} Li" (the default, price × MCUs = ${amountText(price * BigInt(mcus))}, pays for the whole job)`,
        EXIT.badInput,
      );
    }

    const signer = await this.signer(client, chain, flags);
    const fields = publishFields(built, { mcus, price, budget });
    const inline = fields.code !== undefined;
    const bundleBytes = fields.code?.length ?? new TextEncoder().encode(built.bundle.code).length;
    this.say(`Publishing ${m.name}@${m.version} (${m.cid}) to ${chain.chain} as ${signer.label}`);
    const sent = await this.signAndSend(
      client,
      chain,
      signer,
      {
        type: 'publish',
        fee,
        ...fields,
      },
      { wait: flags.wait, timeoutSeconds: flags.timeout },
    );

    let escrow = budget.toString();
    let height: number | null = sent.height ?? null;
    if (sent.status === 'included') {
      const contract = await client.call('zi_contract', { id: sent.id });
      escrow = contract.escrow;
      height = contract.height;
    }
    this.say(`${sent.status === 'included' ? 'Published' : 'Sent (not yet in a block)'} ${m.name}`);
    this.say(`  contract  ${sent.id}`);
    this.say(`  escrow    ${amountText(escrow)}`);
    this.say(`  price     ${amountText(price)} per MCU`);
    this.say(`  MCUs      ${int(mcus)}`);
    this.say(`  fee       ${amountText(fee)}`);
    this.say(`  bundle    ${m.cid} (${int(bundleBytes)} bytes, ${inline ? 'inline' : 'by CID only: over 1 MiB'})`);
    this.say(height === null ? '  block     pending (--no-wait)' : `  block     ${height}`);
    return {
      contract: sent.id,
      tx: sent.id,
      status: sent.status,
      escrow,
      price: price.toString(),
      mcus,
      height,
      bidder: signer.address,
      bundle: m.cid,
      manifest: fields.manifest,
      inline,
    };
  }
}
