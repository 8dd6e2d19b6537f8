import { createHash } from 'node:crypto';
import { addressOf, devnetGenesis, type GenesisConfig, LI_PER_ZI, publicKeyOf, utf8Bytes } from '@zi/spec';

/** A prefunded devnet account: its address and the secret key that signs for it. */
export interface DevAccount {
  address: string;
  secretKey: Uint8Array;
}

/**
 * The genesis time of {@link devnetConfig} when none is given: fixed, so the same options always
 * give the same genesis and a devnet data directory can be reopened.
 */
export const DEVNET_TIME = Date.UTC(2025, 0, 1);

/**
 * `count` deterministic devnet accounts: the secret key of account `i` is
 * `sha256("zi-devnet-account/" + i)`. Everybody knows these keys; they are for local work only.
 *
 * @example
 * const [alice, bob] = devAccounts(2);
 */
export function devAccounts(count = 10): DevAccount[] {
  if (!Number.isSafeInteger(count) || count < 0 || count > 10_000)
    throw new RangeError('devAccounts: count must be an integer from 0 to 10000');
  const accounts: DevAccount[] = [];
  for (let i = 0; i < count; i++) {
    const secretKey = new Uint8Array(
      createHash('sha256')
        .update(utf8Bytes(`zi-devnet-account/${i}`))
        .digest(),
    );
    accounts.push({ address: addressOf(publicKeyOf(secretKey)), secretKey });
  }
  return accounts;
}

export interface DevnetConfigOptions {
  /** how many dev accounts to fund (default 10) */
  count?: number;
  /** Li each dev account starts with (default 10,000 Zi) */
  balance?: bigint;
  /** further allocations, e.g. a wallet of your own */
  extraAlloc?: readonly { address: string; amount: bigint }[];
  /** the genesis time in ms (default {@link DEVNET_TIME}) */
  time?: number;
}

/**
 * A devnet genesis (GEN-5 `devnet` preset) funding the dev accounts, and those accounts.
 *
 * @example
 * const { genesis, accounts } = devnetConfig({ count: 3 });
 * const node = await startNode({ dataDir, genesis, devAccounts: accounts, mining: { mode: 'instant' } });
 */
export function devnetConfig(options: DevnetConfigOptions = {}): { genesis: GenesisConfig; accounts: DevAccount[] } {
  const accounts = devAccounts(options.count ?? 10);
  const balance = options.balance ?? 10_000n * LI_PER_ZI;
  const alloc = [...accounts.map((account) => ({ address: account.address, amount: balance })), ...(options.extraAlloc ?? [])];
  return { genesis: devnetGenesis({ time: options.time ?? DEVNET_TIME, alloc }), accounts };
}
