import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { withPlainOps } from '../../src/engine/ops/fused.js';
import { negLogLikelihood } from '../../src/engine/ops/nll.js';
import { parameterizations } from '../../src/engine/parameterizations/index.js';
import { logCholesky } from '../../src/engine/parameterizations/log-cholesky.js';
import type { Parameterization } from '../../src/engine/parameterizations/types.js';
import { task } from '../../src/engine/tasks/index.js';
import { trainBatch } from '../../src/engine/train/train.js';
import { symmetricEigenvalues } from '../../src/ground/dense64.js';
import type { RunConfig } from '../../src/types.js';
import { BACKENDS, useBackend } from './backend.js';
import { batchOf, classifierConfig, mleConfig } from './configs.js';
import { factors, uniform } from './fused.js';
import { fdGradient, gram, inverse, logNormal, mismatches } from './reference64.js';

/** Float64 mean NLL of m points of lane e, Sigma from the lower triangle of L (covariance or precision factor). */
function nll64(
  x: ArrayLike<number>,
  m: number,
  mu: ArrayLike<number>,
  l: ArrayLike<number>,
  d: number,
  of: string,
) {
  const lower = Array.from(l, (v, k) => (k % d <= Math.floor(k / d) ? v : 0));
  const sigma = of === 'covariance' ? gram(lower, d) : inverse(gram(lower, d), d);
  let sum = 0;
  for (let i = 0; i < m; i++) sum -= logNormal(Array.from(x).slice(i * d, (i + 1) * d), mu, sigma, d);
  return sum / m;
}

const precision: Parameterization = { ...logCholesky, name: 'precision factor', factorOf: 'precision' };

describe.each(BACKENDS)('the negative log-likelihood op on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each([
    ['fused', <T>(f: () => T) => f()],
    ['plain', withPlainOps],
  ] as const)('%s form', (_form, mode) => {
    it.each([
      [2, logCholesky],
      [3, precision],
      [5, logCholesky],
      [8, precision],
    ])('d = %i (%s): loss and gradients agree with float64 and finite differences', (d, p) => {
      const B = 3;
      const m = 7;
      const x = uniform(`x${d}`, B * m * d, -2, 2);
      const mu = uniform(`mu${d}`, B * d, -0.5, 0.5);
      const lt = factors(`l${d}`, B, d);
      const l = lt.dataSync() as Float32Array;
      const { value, grads } = mode(() =>
        tf.tidy(() => {
          const w = tf.tensor1d(uniform('w', B, 0.5, 1.5));
          const f = (a: tf.Tensor, b: tf.Tensor) =>
            negLogLikelihood(x, m, a as tf.Tensor2D, b as tf.Tensor3D, p as Parameterization);
          const loss = f(tf.tensor2d(mu, [B, d]), lt);
          const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), w)))([
            tf.tensor2d(mu, [B, d]),
            lt,
          ]);
          return { value: loss.dataSync(), grads: g.map((t) => t.dataSync()) };
        }),
      );
      const weights = uniform('w', B, 0.5, 1.5);
      for (let b = 0; b < B; b++) {
        const xb = x.subarray(b * m * d, (b + 1) * m * d);
        const mub = Array.from(mu.subarray(b * d, (b + 1) * d));
        const lb = Array.from(l.subarray(b * d * d, (b + 1) * d * d));
        const of = (p as Parameterization).factorOf;
        expect(value[b]).toBeCloseTo(nll64(xb, m, mub, lb, d, of), 4);
        const dmu = fdGradient((v) => weights[b] * nll64(xb, m, v, lb, d, of), mub);
        const dl = fdGradient((v) => weights[b] * nll64(xb, m, mub, v, d, of), lb);
        // Only the lower triangle is L's: the upper is not read (its finite differences are 0).
        const got = Array.from(grads[1].subarray(b * d * d, (b + 1) * d * d));
        const lowerGot = got.filter((_, k) => k % d <= Math.floor(k / d));
        const lowerWant = dl.filter((_, k) => k % d <= Math.floor(k / d));
        expect(mismatches(grads[0].subarray(b * d, (b + 1) * d), dmu, 1e-4)).toEqual([]);
        expect(mismatches(lowerGot, lowerWant, 1e-4)).toEqual([]);
      }
      lt.dispose();
    });
  });
});

describe('mle training', () => {
  beforeAll(() => useBackend('wasm'));

  it.each([
    [2, [1, 2]],
    [4, [2, 4]],
    [8, [0, 1]],
  ])('lands on the closed-form optimum (sample mean, 1/N sample covariance) in d = %i', (dim, seeds) => {
    // Seeds whose sample covariances are conditioned well enough (at most ~700) to converge in
    // 3000 heavy-ball steps; T T^T with uniform T often has eigenvalues near 1e-4, where gradient
    // descent from Sigma = I crawls. Momentum 0.9 at lr 1e-2: the mean's curvature 1/lambda_min
    // stays below the heavy ball's bound 2 (1 + 0.9) / lr = 380. 3000 steps, not more: by then
    // every run sits at its float32 floor (its errors at 5000 and 7000 steps agree with
    // those at 3000 to two digits; d = 8: 5.5e-5 and 2.3e-5 for the covariance), so longer runs
    // test nothing more.
    const configs = seeds.map((seed) => {
      const c = mleConfig({ seed, dim, iterations: 3000, n_data: 200 });
      return { ...c, optimizer: { ...c.optimizer, momentum: 0.9 } };
    });
    for (const r of trainBatch(batchOf(configs))) {
      expect(r.outcome).toBe('ok');
      // Reached (from errors near 1 at the start) to about float32 precision of the parameters.
      expect(r.metrics.opt_mean_error).toBeLessThan(2e-5);
      expect(r.metrics.opt_cov_error).toBeLessThan(1e-4);
    }
  });
});

describe('mle minibatches', () => {
  beforeAll(() => useBackend('cpu'));

  /** The loss of every step of the first two epochs at the initial parameters. */
  function losses(c: RunConfig, steps: number) {
    const t = task('mle').create([c], logCholesky);
    try {
      const ps = t.params.map((g) => tf.tensor(g.init, [1, ...g.shape]));
      const out = Array.from({ length: steps }, (_, s) => t.loss(s, ps).loss.dataSync()[0]);
      tf.dispose(ps);
      return out;
    } finally {
      t.dispose();
    }
  }

  it('slices each epoch in order (shuffle false) or in a new order per epoch; every point once per epoch', () => {
    const base = mleConfig({ seed: 3, n_data: 10 });
    const { points } = task('mle').dataPoints!(base);
    const seen = Float32Array.from(points);
    const [mu0, sigma0] = [
      [0, 0],
      [1, 0, 0, 1],
    ];
    const sliceNll = (from: number, to: number) =>
      nll64(seen.subarray(from * 2, to * 2), to - from, mu0, sigma0, 2, 'covariance');
    const inOrder = losses({ ...base, task: { ...base.task, batch_size: 4, shuffle: false } }, 6);
    // 10 points in slices of 4: 0-3, 4-7, 8-9, then the same again.
    const want = [sliceNll(0, 4), sliceNll(4, 8), sliceNll(8, 10)];
    for (const [s, v] of inOrder.entries()) expect(v).toBeCloseTo(want[s % 3], 5);
    const shuffled = losses({ ...base, task: { ...base.task, batch_size: 4, shuffle: true } }, 6);
    const full = sliceNll(0, 10);
    for (const epoch of [0, 1]) {
      const [a, b, c] = shuffled.slice(epoch * 3, epoch * 3 + 3);
      expect((4 * a + 4 * b + 2 * c) / 10).toBeCloseTo(full, 5);
    }
    expect(shuffled.slice(0, 3)).not.toEqual(shuffled.slice(3, 6));
    expect(shuffled.slice(0, 3)).not.toEqual(inOrder.slice(0, 3));
    // An earlier step asked for again gets its own batch back.
    const t = task('mle').create([{ ...base, task: { ...base.task, batch_size: 4 } }], logCholesky);
    const ps = t.params.map((g) => tf.tensor(g.init, [1, ...g.shape]));
    const late = t.loss(5, ps).loss.dataSync()[0];
    expect(t.loss(1, ps).loss.dataSync()[0]).toBe(shuffled[1]);
    expect(late).toBe(shuffled[5]);
    tf.dispose(ps);
  });
});

describe('explicit starting points and frozen groups', () => {
  beforeAll(() => useBackend('cpu'));
  const S0 = [
    [0.5, 0.2],
    [0.2, 0.3],
  ];
  const lambdaMin = symmetricEigenvalues(Float64Array.from(S0.flat()), 2).reduce((a, b) => Math.min(a, b));

  it('every task starts from the given means and covariances, in every parameterization', () => {
    // What each can start from: diag keeps only the variances, and lowrank's starting point is
    // exact only for diagonal covariances (it keeps the variances, see lowrank.ts): those two are
    // compared on the diagonal.
    const seen = (p: string, m: ArrayLike<number>) =>
      Array.from(m).filter((_, k) => !['diag', 'lowrank'].includes(p) || k % 3 === 0);
    for (const p of parameterizations.values()) {
      for (const name of ['mle', 'score-matching']) {
        const c = mleConfig({ parameterization: p.name });
        const t = task(name).create(
          [{ ...c, task: { ...c.task, name, init_mean: [0.5, -1], init_covariance: S0 } }],
          p,
        );
        expect(Array.from(t.params[0].init)).toEqual([0.5, -1]);
        expect(Array.from(p.covariance(t.params[1].init, 2))).toEqual(
          Array.from(p.covariance(Float32Array.from(p.fromCovariance(Float64Array.from(S0.flat()), 2)), 2)),
        );
        expect(
          mismatches(seen(p.name, p.covariance(t.params[1].init, 2)), seen(p.name, S0.flat()), 1e-5),
          p.name,
        ).toEqual([]);
        t.dispose();
      }
      const c = classifierConfig({ parameterization: p.name });
      const covs = [
        S0,
        [
          [0.02, 0],
          [0, 0.03],
        ],
      ];
      const t = task('mvn-classifier').create([{ ...c, task: { ...c.task, init_covariances: covs } }], p);
      const size = t.params[1].init.length / 2;
      for (const u of [0, 1])
        expect(
          mismatches(
            seen(p.name, p.covariance(t.params[1].init.subarray(u * size, (u + 1) * size), 2)),
            seen(p.name, covs[u].flat()),
            1e-5,
          ),
          p.name,
        ).toEqual([]);
      t.dispose();
    }
  });

  /** mle learning only the mean, at a fixed Sigma = S0. */
  const meanOnly = (lrMean: number, parameterization: string) => {
    const c = mleConfig({ parameterization, seed: 4, iterations: 2000 });
    return { ...c, task: { ...c.task, init_covariance: S0 }, lr: { ...c.lr, cov: 0, mean: lrMean } };
  };

  it.each(['full', 'log-cholesky'])(
    'lr.cov 0 keeps the covariance exactly (%s); the mean alone converges below 2 lambda_min(Sigma) and diverges above',
    (p) => {
      const [below, above] = trainBatch(
        batchOf([meanOnly(1.9 * lambdaMin, p), meanOnly(2.1 * lambdaMin, p)]),
      );
      expect(below.outcome).toBe('ok');
      // The mean's optimum does not depend on Sigma: the sample mean.
      expect(below.metrics.opt_mean_error).toBeLessThan(1e-5);
      const pz = parameterizations.get(p)!;
      const start = pz.covariance(Float32Array.from(pz.fromCovariance(Float64Array.from(S0.flat()), 2)), 2);
      expect(below.gaussians?.learned.covariances[0].flat()).toEqual(Array.from(start));
      // Along Sigma's smallest eigenvector each step multiplies the mean's error by 1 - lr / lambda_min = -1.1.
      expect(above.outcome).toBe('diverged');
    },
  );
});
