export {
  ADDRESS_PREFIX,
  type Address,
  addressBytes,
  addressOf,
  isAddress,
  normalizeAddress,
  STAKE_ADDRESS,
  STAKE_ADDRESS_ALIAS,
  STAKE_ADDRESS_BYTES,
} from './address.js';
export { formatAmount, LI_PER_ZI, MAX_AMOUNT, parseAmount } from './amount.js';
export { bytesEqual, concatBytes, fromHex, toHex, utf8Bytes } from './bytes.js';
export { cidOfBytes, isCidOfBytes, RAW_CODEC, SHA2_256 } from './cid.js';
export { SpecError } from './errors.js';
export {
  assertSignature,
  GROUP_ORDER,
  isCanonicalPoint,
  isValidPublicKey,
  PUBLIC_KEY_BYTES,
  publicKeyOf,
  randomSecretKey,
  SECRET_KEY_BYTES,
  SIGNATURE_BYTES,
  secretKeyFromHex,
  sign,
  verify,
} from './keys.js';
