// Lets TypeScript (the tests, your editor) import a Zi contract: `zi build` and `zi test` compile
// `.zi` files into the same contract shape `defineContract` from @zi/sdk gives.
declare module '*.zi' {
  import type { Contract } from '@zi/sdk';

  const contract: Contract<unknown, unknown>;
  export default contract;
}
