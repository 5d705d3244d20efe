import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Engine tests train real batches and end-to-end tests spawn the built CLI: give them room
    // on a shared 2-core machine. These limits only catch hangs; at 120 s, shard-merge's setup
    // (four CLI runs) timed out with the cores shared some fifteen ways.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Vitest 4: a test that keeps its worker's event loop busy for over a minute (a long
    // training on a loaded machine) no longer fails the run with "Timeout calling onTaskUpdate"
    // (vitest 3's fixed 60 s worker RPC timeout, vitest issues 6479 and 8164).
    pool: 'forks',
    maxWorkers: 2,
  },
});
