import { beforeAll, describe, expect, it } from 'vitest';
import { trainBatch } from '../../src/engine/train/train.js';
import { resultLine } from '../../src/results/jsonl.js';
import type { RunConfig, RunResult } from '../../src/types.js';
import { ENGINES, useBackend } from './backend.js';
import { batchOf, classifierConfig, scoreMatchingConfig } from './configs.js';

/** results.jsonl's line for a run, timing aside. */
const line = (r: RunResult) => resultLine({ ...r, seconds: 0 });

/**
 * 256 lanes of one shape: learning rates from harmless to breaking, so the
 * batch holds runs that end ok, singular and diverged at different steps.
 */
function lanes(make: (lr: number, seed: number) => RunConfig): RunConfig[] {
  return Array.from({ length: 256 }, (_, i) => make(10 ** (-5 + (i % 16) / 3), Math.floor(i / 16)));
}

describe.each(ENGINES)('a run gives the same bytes alone and inside a batch of 256 on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  const shapes: [string, (lr: number, seed: number) => RunConfig][] = [
    ...['full', 'tril', 'log-cholesky'].map(
      (parameterization) =>
        [
          `mvn-classifier ${parameterization}`,
          (lr: number, seed: number) => classifierConfig({ parameterization, lr, seed, epochs: 1 }),
        ] as [string, (lr: number, seed: number) => RunConfig],
    ),
    [
      'score-matching log-cholesky in 3-D',
      (lr, seed) =>
        scoreMatchingConfig({ parameterization: 'log-cholesky', lr, seed, dim: 3, iterations: 300 }),
    ],
    [
      'mvn-classifier full, adam',
      (lr, seed) => ({
        ...classifierConfig({ lr, seed, epochs: 1 }),
        optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      }),
    ],
    [
      'score-matching full-clip in 3-D, adam',
      (lr, seed) => ({
        ...scoreMatchingConfig({ parameterization: 'full-clip', lr, seed, dim: 3, iterations: 300 }),
        optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      }),
    ],
    [
      'score-matching spd-riemannian in 3-D',
      (lr, seed) =>
        scoreMatchingConfig({ parameterization: 'spd-riemannian', lr, seed, dim: 3, iterations: 300 }),
    ],
    // A map that keeps state per factor slot, one whose raw block is no d x d matrix, one with counters.
    ...['givens', 'lowrank'].map(
      (parameterization) =>
        [
          `score-matching ${parameterization} in 3-D`,
          (lr: number, seed: number) =>
            scoreMatchingConfig({ parameterization, lr: lr * 10, seed, dim: 3, iterations: 100 }),
        ] as [string, (lr: number, seed: number) => RunConfig],
    ),
    [
      'score-matching full-jitter in 3-D',
      (lr, seed) =>
        scoreMatchingConfig({ parameterization: 'full-jitter', lr, seed, dim: 3, iterations: 100 }),
    ],
    [
      'score-matching tril in 3-D, rmsprop',
      (lr, seed) => ({
        ...scoreMatchingConfig({ parameterization: 'tril', lr, seed, dim: 3, iterations: 300 }),
        optimizer: { name: 'rmsprop', alpha: 0.99, eps: 1e-8 },
      }),
    ],
  ];

  it.each(shapes)('%s', (_name, make) => {
    const configs = lanes(make);
    const together = trainBatch(batchOf(configs)).map(line);
    expect(new Set(together.map((l) => JSON.parse(l).outcome)).size).toBeGreaterThan(1);
    // Lanes from the start, the middle and the end of the batch, healthy and failing.
    for (const b of [0, 5, 15, 100, 137, 255]) {
      const [alone] = trainBatch(batchOf([configs[b]]));
      expect(line({ ...alone, id: `run${b}` })).toBe(together[b]);
    }
  });
});
