import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/engine/backend.js';
import { trainBatch } from '../../src/engine/train/train.js';
import { gram } from '../../src/ground/dense64.js';
import type { RunConfig } from '../../src/types.js';
import { ANY_START, batchOf, classifierConfig, scoreMatchingConfig } from './configs.js';

const r = 1 - 3 * 2 ** -24;
const b100 = [
  [1, 100],
  [100, 10001],
];
const unit30 = (() => {
  const l = new Float64Array([1, 0, 0, 30, 1, 0, 30, 30, 1]);
  const s = gram(l, 3);
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => s[i * 3 + j]));
})();

// Issue 14's covariances that ended `ok` under the old diagonal estimate, frozen (lr.cov 0):
// true condition numbers 1.0e8, 1.8e9, 1.1e7 and 1.0e8.
const FROZEN: [string, number, number[][]][] = [
  ['L = [[1, 0], [100, 1]]', 2, b100],
  ['3x3 unit lower triangular L with 30s', 3, unit30],
  [
    '[[1, r], [r, 1]], r = 1 - 3 * 2^-24',
    2,
    [
      [1, r],
      [r, 1],
    ],
  ],
];

function frozen(c: RunConfig): RunConfig {
  return { ...c, lr: { ...c.lr, cov: 0 } };
}

// wasm: the host check alone; native: the native step's bounds first (native/condition-bound.ts).
describe.each(['wasm', 'native'] as const)(
  '%s: frozen ill-conditioned covariances end singular, with the condition number and step',
  (backend) => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it.each(FROZEN)('score-matching from %s', (_, d, sigma) => {
      const configs = ANY_START.map((p) =>
        frozen({
          ...scoreMatchingConfig({ parameterization: p, dim: d, iterations: 3 }),
          task: { name: 'score-matching', n_data: 50, iterations: 3, init_covariance: sigma },
        }),
      );
      for (const p of ANY_START) {
        const [result] = trainBatch(batchOf(configs.filter((c) => c.parameterization === p)));
        expect(result.outcome, p).toBe('singular');
        expect(result.step, p).toBe(0);
        if (result.outcome === 'singular')
          expect(result.reason, p).toMatch(
            /ill-conditioned at step 0: condition number [0-9.]+e\+[0-9]+ \(limit 8\.4e\+6\)$/,
          );
      }
    });

    it('a classifier unit at 4e-4 times L = [[1, 0], [100, 1]] L^T', () => {
      const small = b100.map((row) => row.map((v) => 4e-4 * v));
      const well = [
        [4e-4, 0],
        [0, 4e-4],
      ];
      for (const p of ['full', 'tril', 'log-cholesky']) {
        const base = classifierConfig({ parameterization: p, epochs: 1 });
        const c = frozen({
          ...base,
          task: { ...base.task, n_per_class: 5, init_covariances: [well, small] },
        });
        const [result] = trainBatch(batchOf([c]));
        expect(result.outcome, p).toBe('singular');
        if (result.outcome === 'singular')
          expect(result.reason, p).toMatch(
            /^covariance for unit 2 ill-conditioned at step 0: condition number 1\.0e\+8 /,
          );
      }
    });

    it('well-conditioned frozen covariances stay ok', () => {
      const configs = ANY_START.map((p) =>
        frozen({
          ...scoreMatchingConfig({ parameterization: p, dim: 2, iterations: 3 }),
          task: {
            name: 'score-matching',
            n_data: 50,
            iterations: 3,
            init_covariance: [
              [1, 0.9],
              [0.9, 1],
            ],
          },
        }),
      );
      for (const p of ANY_START)
        expect(trainBatch(batchOf(configs.filter((c) => c.parameterization === p)))[0].outcome, p).toBe('ok');
    });
  },
);
