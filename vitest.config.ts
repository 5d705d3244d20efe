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
    // Engine tests train real batches and end-to-end tests spawn the built CLI:
    // give them room on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
