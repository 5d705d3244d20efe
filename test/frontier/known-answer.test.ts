import { beforeAll, describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { task } from '../../src/engine/tasks/index.js';
import { trainBatch } from '../../src/engine/train/train.js';
import { type FrontierExperiment, frontierRecords } from '../../src/frontier/summary.js';
import { pack } from '../../src/plan/pack.js';
import { searchFrontier } from '../../src/session/frontier.js';
import type { RunResult } from '../../src/types.js';
import { useBackend } from '../engine/backend.js';

/**
 * The known answer: learning only the mean by full-batch gradient descent on the mean Gaussian
 * NLL with the covariance fixed at Sigma, the error e = mu - mean(x) steps as e <- (I - lr
 * Sigma^-1) e, whose factor along the eigenvector of eigenvalue lambda is |1 - lr / lambda|: the
 * run diverges exactly when lr > 2 lambda_min(Sigma).
 *
 * Just above the boundary the error grows slowly: at lr = 2 lambda (1 + delta) by a factor
 * about 1 + 2 delta per step, so it needs about ln(bound / e0) / (2 delta) steps to pass the
 * divergence bound. A run of N steps therefore ends ok up to delta ~ ln(bound / e0) / (2 N),
 * some 10 / N here (bound 1e8 on the loss or |mu|, e0 >= 1e-4): that is how far above the
 * boundary the largest ok value may lie, 0.5% at N = 2000, far inside the 5% asked for.
 */
const ITERATIONS = 2000;
const SLACK = 1 + 10 / ITERATIONS;
const PRECISION = 1.05;

/** Sigma = Q diag(lambdas) Q^T with Q = I - 2 v v^T / v^T v (Householder, v = 1..d): eigenvalues known by construction. */
function sigmaWith(lambdas: number[]): number[][] {
  const d = lambdas.length;
  const v = lambdas.map((_, i) => i + 1);
  const vv = v.reduce((s, x) => s + x * x, 0);
  const q = v.map((vi, i) => v.map((vj, j) => (i === j ? 1 : 0) - (2 * vi * vj) / vv));
  const s = q.map(() => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += q[i][k] * lambdas[k] * q[j][k];
      // Mirrored, so the matrix is symmetric to the bit.
      s[i][j] = sum;
      s[j][i] = sum;
    }
  return s;
}

function experiment(lambdas: number[]): FrontierExperiment {
  const sigma = sigmaWith(lambdas);
  const text = [
    'name: known-answer',
    'task:',
    '  name: mle',
    '  n_data: 40',
    `  iterations: ${ITERATIONS}`,
    `  init_covariance: ${JSON.stringify(sigma)}`,
    `dim: ${lambdas.length}`,
    'lr: { cov: 0, mean: 1 }',
    'sweep:',
    '  seed: 2',
    `frontier: { setting: lr.mean, min: 1.0e-3, max: 100, precision: ${PRECISION}, points: 4 }`,
  ].join('\n');
  return parseExperiment(text, 'known-answer.yaml') as FrontierExperiment;
}

/** The searches of `e` trained in this process, as lane batches of the real engine. */
async function frontierOf(e: FrontierExperiment) {
  const results: RunResult[] = [];
  await searchFrontier([e], results, async (runs) => {
    for (const batch of pack(runs, { workers: 1, steps: (c) => task(c.task.name).steps(c) }))
      results.push(...trainBatch(batch));
    return 0;
  });
  return frontierRecords(e, results);
}

describe('the frontier of the mean learning rate with a fixed covariance', () => {
  beforeAll(() => useBackend('cpu'));

  it.each([[[0.3, 1.7]], [[2, 0.05, 0.5, 1]], [[1.5, 0.9, 2.5, 0.4, 3, 1, 0.7, 2]]])(
    'is 2 lambda_min(Sigma) to the precision, for eigenvalues %j',
    async (lambdas) => {
      const critical = 2 * Math.min(...lambdas);
      const records = await frontierOf(experiment(lambdas));
      expect(records).toHaveLength(2);
      for (const r of records) {
        expect(r.done).toBe(true);
        expect(r.failed! / r.ok!).toBeLessThanOrEqual(PRECISION);
        // Below 2 lambda_min every factor is < 1: no run there may fail.
        expect(r.failed!).toBeGreaterThan(critical);
        expect(r.ok!).toBeLessThanOrEqual(critical * SLACK);
        expect(r.ok!).toBeGreaterThanOrEqual(critical / PRECISION);
        expect(r.outcome).toBe('diverged');
        expect(r.ok_above).toEqual([]);
      }
    },
  );
});
