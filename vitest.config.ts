import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{spec,sdk,language,runtime,node,cli}/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'templates/**'],
    pool: 'forks',
    // isolated-vm needs it on Node 20 (sandboxes run in worker processes, but any test process
    // that loads isolated-vm must have it too).
    execArgv: ['--no-node-snapshot'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
