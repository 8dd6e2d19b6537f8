import { type BuiltContract, manifestText } from '@zi/runtime';
import { cidOfBytes, MAX_INLINE_BUNDLE_BYTES, type PublishTx, utf8Bytes } from '@zi/spec';

/** The contract fields of a publish transaction (PUB-1), without the sender's fields. */
export type PublishFields = Pick<PublishTx, 'bundle' | 'code' | 'manifest' | 'name' | 'mcus' | 'gasPerMcu' | 'price' | 'budget'>;

export interface PublishFieldOptions {
  /** the size of the input space; required when the contract's inputs are a generator */
  mcus?: number;
  /** Li per MCU (default: the manifest's price) */
  price?: bigint;
  /** Li locked in escrow (default: price × mcus, the whole job) */
  budget?: bigint;
}

/**
 * The publish fields of a built contract: the bundle CID, the bundle itself when it fits inline
 * (PUB-2), the CID of the `manifest.json` bytes `zi build` writes, and the job's size and price.
 * Budget rules (PUB-4) are the chain's to check; see `minimumEscrow` in @zi/spec.
 *
 * @throws RangeError when the contract has generator inputs and no `mcus` is given
 */
export function publishFields(built: BuiltContract, options: PublishFieldOptions = {}): PublishFields {
  const { manifest } = built;
  const mcus = options.mcus ?? manifest.inputs.count;
  if (mcus === null) throw new RangeError('publishFields: the contract has generator inputs; give options.mcus');
  const price = options.price ?? BigInt(manifest.price);
  const code = utf8Bytes(built.bundle.code);
  return {
    bundle: manifest.cid,
    ...(code.length <= MAX_INLINE_BUNDLE_BYTES ? { code } : {}),
    manifest: cidOfBytes(utf8Bytes(manifestText(manifest))),
    name: manifest.name,
    mcus,
    gasPerMcu: manifest.limits.gasPerMcu,
    price,
    budget: options.budget ?? price * BigInt(mcus),
  };
}
