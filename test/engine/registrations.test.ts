import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { closedForm, gradientCase } from '../fixtures/gradient-case.mjs';
import { BACKENDS, useBackend } from './backend.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * covsweep registers tfjs-core's gradients and chained ops itself (not through the umbrella
 * @tensorflow/tfjs); the build bundles them with esbuild, and vitest uses that bundle once built
 * (vitest.config.ts). The gradients must match the closed form on each backend, and plain Node
 * loading the built engine must give the same numbers.
 */
describe('tfjs-core gradient registrations', () => {
  const expected = closedForm();

  it.each(BACKENDS)("through the engine's backend setup, on %s: the closed form", async (backend) => {
    await useBackend(backend);
    const g = gradientCase(tf);
    for (const [i, v] of g.entries()) expect(v).toBeCloseTo(expected[i], 4);
  });

  it('in plain Node from the built engine (dist/), on cpu and wasm: the same numbers', async () => {
    const built = JSON.parse(
      execFileSync(process.execPath, [join(ROOT, 'test', 'fixtures', 'built-gradients.mjs')], {
        cwd: ROOT,
        encoding: 'utf8',
      }),
    );
    expect(Object.keys(built)).toEqual(['cpu', 'wasm']);
    for (const backend of BACKENDS) {
      await useBackend(backend);
      expect(built[backend]).toEqual(gradientCase(tf));
    }
  });
});
