export { formatAmount, LI_PER_ZI, MAX_AMOUNT, parseAmount } from './amount.js';
export { cidOfBytes, isCidOfBytes, RAW_CODEC, SHA2_256 } from './cid.js';
export { SpecError } from './errors.js';
