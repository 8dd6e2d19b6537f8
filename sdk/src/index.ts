export type {
  Contract,
  ContractDefinition,
  ContractLimits,
  GeneratorInputs,
  ImageOutput,
  IndexedInputs,
  RenderOutput,
  ResultEntry,
  ValidateContext,
  Verdict,
} from './contract.js';
export { defineContract, SDK_VERSION } from './contract.js';
export { deepEqual } from './equal.js';
export { createImage, setPixel } from './image.js';
export { createPrng, type Prng } from './prng.js';
export { sample, sampleIndices } from './sample.js';
export { defaultUnion, UnionConflictError } from './union.js';
export { defaultValidate } from './validate.js';
