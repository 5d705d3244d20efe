import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parameterization, parameterizations } from '../../src/engine/parameterizations/index.js';
import { Health } from '../../src/engine/train/health.js';
import { ENGINES, useBackend } from './backend.js';

const thresholds = { divergence_bound: 1e8, max_condition: 2 ** 23 };

/** 2-D raw blocks (row-major, as rawShape(2) lays them out) whose map fails in float32, and the reason. */
const CASES: [string, number[], RegExp][] = [
  // Pivot 2 of [[1,2],[2,1]] is -3, and no jitter up to 1e-4 helps.
  ['full', [1, 2, 2, 1], /^cholesky failed at step 7: pivot 2 = -3$/],
  ['full-jitter', [1, 2, 2, 1], /^cholesky failed at step 7: pivot 2 = -3$/],
  // These two keep P positive definite by their update, but their map is still full's Cholesky.
  ['spd-riemannian', [1, 2, 2, 1], /^cholesky failed at step 7: pivot 2 = -3$/],
  ['full-clip', [1, 2, 2, 1], /^cholesky failed at step 7: pivot 2 = -3$/],
  ['tril', [0.5, 0, 1, 0], /^factor diagonal not positive at step 7: L\[2,2\] = 0$/],
  // exp(-200) underflows to 0 in float32.
  ['log-cholesky', [0, 0, 1, -200], /L\[2,2\] = 0$/],
  ['precision-cholesky', [-200, 0, 1, 0], /L\[1,1\] = 0$/],
  ['softplus-cholesky', [0, 0, 0, Number.NaN], /L\[2,2\] = NaN$/],
  ['diag', [-300, 0], /L\[1,1\] = 0$/],
  // W W^T = 1e8 [[1,1],[1,1]] swamps exp(v) = 1e-13: singular in float32.
  ['lowrank', [1e4, -30, 1e4, -30], /^cholesky failed at step 7: pivot 2 = 0$/],
  // S with eigenvalues +-50 along the diagonals: Sigma ~ 2.6e21 [[1,1],[1,1]] + 2e-22 [[1,-1],[-1,1]].
  ['matrix-exp', [0, 0, 50, 0], /^cholesky failed at step 7: pivot 2 = /],
  // Eigenvalues e^50 and e^-50 rotated by pi/4: the fused op's float64 Sigma leaves pivot 2 a
  // tiny positive number, so the condition check is what reports it: cond e^100 is past float64.
  [
    'givens',
    [50, 0, Math.PI / 4, -50],
    /^covariance ill-conditioned at step 7: condition number beyond float64/,
  ],
  // A row length exp(-200) underflows to 0 in float32 (an extreme angle no longer fails: the
  // fused op's float64 sine stays positive, see spherical-rows.ts).
  ['spherical', [0, 0, 1, -200], /^factor diagonal not positive at step 7: L\[2,2\] = 0$/],
];

describe.each(ENGINES)('a parameterization reports its own failure on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('%s', (name, raw, reason) => {
    const p = parameterization(name);
    const checks = tf.tidy(() => p.factor(tf.tensor(raw, [1, ...p.rawShape(2)]), 2).checks.dataSync());
    const h = new Health(1, 1, p, [thresholds], 2);
    h.observe(7, [1], checks, [0], raw);
    const [end] = h.finish(10);
    expect(end.outcome).toBe('singular');
    expect(end.reason).toMatch(reason);
    // A failed run's metrics come from the float64 reference: it must give numbers, not throw.
    expect(p.covariance(raw, 2)).toHaveLength(4);
  });

  it('full reports the first failing pivot of a larger matrix, for the right unit', () => {
    const p = parameterization('full');
    // Columns 1 and 2 factor as [2,1,1,0] and [1,2,0]; pivot 3 = 1 - 1^2 - 2^2 = -4.
    const bad = [4, 2, 2, 0, 2, 2, 3, 0, 2, 3, 1, 0, 0, 0, 0, 1];
    const good = [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2];
    const checks = tf.tidy(() => p.factor(tf.tensor([...good, ...bad], [2, 4, 4]), 4).checks.dataSync());
    const h = new Health(1, 2, p, [thresholds], 4);
    h.observe(3, [1], checks, [0], [...good, ...bad]);
    expect(h.finish(10)[0].reason).toBe('cholesky failed for unit 2 at step 3: pivot 3 = -4');
  });

  it.each([...parameterizations.keys()])(
    '%s: the float64 reference gives numbers for a NaN raw block',
    (name) => {
      // A failed run's metrics are computed from its raw parameters too; an exception there
      // would fail every run of its batch.
      const p = parameterization(name);
      const raw = new Array(p.rawShape(3).reduce((a, b) => a * b, 1)).fill(Number.NaN);
      expect(p.covariance(raw, 3)).toHaveLength(9);
    },
  );
});
