import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// tfjs-core's gradient and chained-op registrations are hundreds of extensionless ES modules, which
// vitest would transform and evaluate one by one in every test file (seconds each); the build's
// bundle of them (scripts/bundle-registrations.mjs) is one file. Source is the fallback before a build.
const bundle = join(import.meta.dirname, 'dist', 'engine', 'tfjs-registrations.js');
const registrations = existsSync(bundle)
  ? [{ find: /^\.\/tfjs-registrations\.js$/, replacement: bundle }]
  : [];

export default defineConfig({
  resolve: { alias: registrations },
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
