import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Activation, classifierLoss, isDead } from '../../src/engine/ops/classifier-loss.js';
import { withPlainOps } from '../../src/engine/ops/fused.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { logCholesky } from '../../src/engine/parameterizations/log-cholesky.js';
import type { Parameterization } from '../../src/engine/parameterizations/types.js';
import { task } from '../../src/engine/tasks/index.js';
import { classifierLane, mvnClassifier } from '../../src/engine/tasks/mvn-classifier.js';
import { trainBatch } from '../../src/engine/train/train.js';
import type { RunConfig } from '../../src/types.js';
import { BACKENDS, useBackend } from './backend.js';
import { batchOf, classifierConfig } from './configs.js';
import { factors, uniform } from './fused.js';
import { fdGradient, gram, inverse, logNormal, mismatches } from './reference64.js';

const forms = [
  ['fused', <T>(f: () => T) => f()],
  ['plain', withPlainOps],
] as const;

/**
 * Float64 classifier loss of one lane on plain numbers: the mean over its m trials of the softmax
 * cross-entropy of W act, act_j = exp(log N(x | mu_j, Sigma_j)) or log N itself, Sigma_j from the
 * lower triangle of L_j (a covariance or a precision factor).
 */
function loss64(
  o: { x: number[][]; labels: number[]; U: number; K: number; d: number; of: string; activation: Activation },
  mu: number[],
  l: number[],
  w: number[],
) {
  const { U, K, d } = o;
  let total = 0;
  o.x.forEach((x, i) => {
    const act = Array.from({ length: U }, (_, j) => {
      const lj = l.slice(j * d * d, (j + 1) * d * d).map((v, k) => (k % d <= Math.floor(k / d) ? v : 0));
      const sigma = o.of === 'covariance' ? gram(lj, d) : inverse(gram(lj, d), d);
      const logp = logNormal(x, mu.slice(j * d, (j + 1) * d), sigma, d);
      return o.activation === 'exp' ? Math.exp(logp) : logp;
    });
    const out = Array.from({ length: K }, (_, k) => act.reduce((s, a, j) => s + w[k * U + j] * a, 0));
    const max = Math.max(...out);
    total += max + Math.log(out.reduce((s, v) => s + Math.exp(v - max), 0)) - out[o.labels[i]];
  });
  return total / o.x.length;
}

const precision: Parameterization = { ...logCholesky, name: 'precision factor', factorOf: 'precision' };

describe.each(BACKENDS)('the classifier loss on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(forms)('%s form', (_form, mode) => {
    it.each([
      ['exp', 1, 'tril'],
      ['exp', 4, 'precision'],
      ['log_prob', 1, 'precision'],
      ['log_prob', 4, 'tril'],
    ] as const)(
      'activation %s, %i trial(s) per step (%s): loss and gradients agree with float64 and finite differences',
      (activation, m, factorName) => {
        const p = factorName === 'tril' ? parameterization('tril') : precision;
        const [B, U, K, d] = [2, 3, 3, 3];
        const points = uniform(`x${m}`, B * m * d, -1, 1);
        const labels = Int32Array.from(uniform(`y${m}`, B * m, 0, K), Math.floor);
        // Every unit sees the lane's points: [B * U, m, d].
        const x = new Float32Array(B * U * m * d);
        for (let b = 0; b < B; b++)
          for (let u = 0; u < U; u++) x.set(points.subarray(b * m * d, (b + 1) * m * d), (b * U + u) * m * d);
        const mu = uniform('mu', B * U * d, -0.5, 0.5);
        const lt = factors('l', B * U, d);
        const l = lt.dataSync() as Float32Array;
        const w = uniform('w', B * K * U, -3, 3);
        const weights = uniform('weights', B, 0.5, 1.5);
        const { value, dead, grads } = mode(() =>
          tf.tidy(() => {
            const f = (a: tf.Tensor, c: tf.Tensor, v: tf.Tensor) =>
              classifierLoss(
                { x, labels, m },
                a as tf.Tensor3D,
                c as tf.Tensor3D,
                v as tf.Tensor3D,
                p,
                activation,
              );
            const inputs = [tf.tensor3d(mu, [B, U, d]), lt, tf.tensor3d(w, [B, K, U])];
            const { loss, deadUnits } = f(inputs[0], inputs[1], inputs[2]);
            const g = tf.grads((a: tf.Tensor, c: tf.Tensor, v: tf.Tensor) =>
              tf.sum(tf.mul(f(a, c, v).loss, tf.tensor1d(weights))),
            )(inputs);
            return { value: loss.dataSync(), dead: deadUnits.dataSync(), grads: g.map((t) => t.dataSync()) };
          }),
        );
        expect(Array.from(dead)).toEqual([0, 0]);
        for (let b = 0; b < B; b++) {
          const o = {
            x: Array.from({ length: m }, (_, i) =>
              Array.from(points.subarray((b * m + i) * d, (b * m + i + 1) * d)),
            ),
            labels: Array.from(labels.subarray(b * m, (b + 1) * m)),
            U,
            K,
            d,
            of: p.factorOf,
            activation,
          };
          const [mub, lb, wb] = [
            Array.from(mu.subarray(b * U * d, (b + 1) * U * d)),
            Array.from(l.subarray(b * U * d * d, (b + 1) * U * d * d)),
            Array.from(w.subarray(b * K * U, (b + 1) * K * U)),
          ];
          expect(value[b]).toBeCloseTo(loss64(o, mub, lb, wb), 5);
          const dmu = fdGradient((v) => weights[b] * loss64(o, v, lb, wb), mub);
          const dl = fdGradient((v) => weights[b] * loss64(o, mub, v, wb), lb);
          const dw = fdGradient((v) => weights[b] * loss64(o, mub, lb, v), wb);
          // Only the lower triangle of each unit's L is read (the plain precision form's gradient has an upper one).
          const lower = (_: number, k: number) => k % d <= Math.floor(k / d) % d;
          const gotL = Array.from(grads[1].subarray(b * U * d * d, (b + 1) * U * d * d));
          expect(mismatches(grads[0].subarray(b * U * d, (b + 1) * U * d), dmu, 1e-4)).toEqual([]);
          expect(mismatches(gotL.filter(lower), dl.filter(lower), 1e-4)).toEqual([]);
          expect(mismatches(grads[2].subarray(b * K * U, (b + 1) * K * U), dw, 1e-4)).toEqual([]);
        }
        lt.dispose();
      },
    );

    it('a unit whose float32 activation underflows to 0 is dead: counted, and no gradient reaches it', () => {
      const p = parameterization('tril');
      const [U, K, d, m] = [2, 2, 2, 3];
      // Unit 0 at the points (log p about 0), unit 1 with sd 0.05 at distance 0.74-0.75: log p
      // -105.4 to -107.4, just past the edge, where the float64 density (about 1e-46) times
      // Sigma^-1 r (about 300) would still be a float32 subnormal gradient if it were not 0.
      const pts = [0, 0, 0, 0.1, 0, -0.1];
      const x = Float32Array.from([...pts, ...pts]);
      const mu = Float32Array.from([0, 0, 0.74, 0]);
      const l = Float32Array.from([1, 0, 0, 1, 0.05, 0, 0, 0.05]);
      const w = Float32Array.from([1, -1, -1, 1]);
      const labels = Int32Array.from([0, 1, 0]);
      const { dead, grads } = mode(() =>
        tf.tidy(() => {
          const inputs = [tf.tensor3d(mu, [1, U, d]), tf.tensor3d(l, [U, d, d]), tf.tensor3d(w, [1, K, U])];
          const f = (a: tf.Tensor, c: tf.Tensor, v: tf.Tensor) =>
            classifierLoss({ x, labels, m }, a as tf.Tensor3D, c as tf.Tensor3D, v as tf.Tensor3D, p, 'exp');
          const g = tf.grads((a: tf.Tensor, c: tf.Tensor, v: tf.Tensor) => tf.sum(f(a, c, v).loss))(inputs);
          return {
            dead: f(inputs[0], inputs[1], inputs[2]).deadUnits.dataSync(),
            grads: g.map((t) => t.dataSync()),
          };
        }),
      );
      expect(Array.from(dead)).toEqual([3]);
      // Exactly 0 (-0 from the plain form's products).
      expect(Array.from(grads[0].subarray(2, 4), Math.abs)).toEqual([0, 0]);
      expect(Array.from(grads[1].subarray(4, 8), Math.abs)).toEqual([0, 0, 0, 0]);
      // Unit 0 still learns.
      expect(Math.abs(grads[0][0]) + Math.abs(grads[0][1])).toBeGreaterThan(0);
    });
  });
});

describe('isDead', () => {
  it('is float32 rounding exp(log p) to 0: at log p <= -150 ln 2 = -103.97, not above', () => {
    const edge = -150 * Math.LN2;
    expect(isDead(Math.exp(edge - 1e-9))).toBe(true);
    expect(isDead(Math.exp(edge + 1e-9))).toBe(false);
    // A subnormal float32 (below ln 2^-126 = -87.34) is small but alive.
    expect(isDead(Math.exp(-100))).toBe(false);
    expect(Math.fround(Math.exp(edge + 1e-9))).toBe(2 ** -149);
  });
});

/** classifierConfig with task options merged in. */
function withTask(c: RunConfig, options: Record<string, unknown>): RunConfig {
  return { ...c, task: { ...c.task, ...options } };
}

describe('minibatches of the classifier', () => {
  beforeAll(() => useBackend('cpu'));

  it.each([false, true])(
    'take ceil(n / batch_size) steps an epoch, each the mean loss of the same trials trial by trial would see (shuffle %s)',
    (shuffle) => {
      const c = withTask(classifierConfig({ parameterization: 'tril', epochs: 2, seed: 5 }), {
        n_per_class: 5,
        shuffle,
      });
      const four = withTask(c, { batch_size: 4 });
      expect(mvnClassifier.steps(c)).toBe(20);
      expect(mvnClassifier.steps(four)).toBe(6);
      const p = parameterization('tril');
      const [one, batched] = [c, four].map((cfg) => task('mvn-classifier').create([cfg], p));
      const params = one.params.map((g, i) =>
        tf.tensor(i === 2 ? uniform('w', g.init.length, -3, 3) : g.init, [1, ...g.shape]),
      );
      const single = Array.from({ length: 20 }, (_, s) => one.loss(s, params).loss.dataSync()[0]);
      // Each epoch of 10 trials: trials 0-3, 4-7, then the last two; epoch 1 in its own order.
      const slices = [0, 10].flatMap((e) => [
        [e, e + 4],
        [e + 4, e + 8],
        [e + 8, e + 10],
      ]);
      const means = slices.map(([a, b]) => single.slice(a, b).reduce((x, y) => x + y) / (b - a));
      const got = slices.map((_, s) => batched.loss(s, params).loss.dataSync()[0]);
      expect(mismatches(got, means, 1e-6)).toEqual([]);
      tf.dispose(params);
      one.dispose();
      batched.dispose();
    },
  );
});

describe('dead units', () => {
  beforeAll(() => useBackend('cpu'));

  it('counts the steps on which a unit density underflows to 0 in float32, the same in the fused and plain forms', () => {
    const c = classifierConfig({ parameterization: 'tril', epochs: 1, lr: 1e-4 });
    // A tiny starting covariance far from half the points: their log-density is far below -103.
    const tight = withTask(c, { init_cov_scale: 1e-4 });
    const fused = trainBatch(batchOf([tight]))[0];
    const plain = withPlainOps(() => trainBatch(batchOf([tight]))[0]);
    expect(fused.metrics.dead_unit_steps).toBeGreaterThan(0);
    expect(plain.metrics.dead_unit_steps).toBe(fused.metrics.dead_unit_steps);
    const healthy = trainBatch(batchOf([c]))[0];
    expect(healthy.metrics.dead_unit_steps).toBe(0);
    const logProb = withTask(tight, { activation: 'log_prob' });
    expect(trainBatch(batchOf([logProb]))[0].metrics.dead_unit_steps).toBe(0);
  });

  it('counts exactly the (unit, trial) pairs whose float64 log-density is below -150 ln 2, at fixed parameters', () => {
    // Every learning rate 0: the parameters stay at their start, so each epoch sees the same
    // densities, computed here in float64 on plain numbers.
    const base = classifierConfig({ parameterization: 'tril', epochs: 3, seed: 2 });
    const c = withTask(
      { ...base, lr: { cov: 0, mean: 0, weights: 0 } },
      { n_per_class: 40, init_cov_scale: 2e-3 },
    );
    const lane = classifierLane(c, parameterization('tril'));
    const sigma = [2e-3, 0, 0, 2e-3];
    const edge = -150 * Math.LN2;
    let perEpoch = 0;
    let margin = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 80; i++)
      for (let u = 0; u < 2; u++) {
        const logp = logNormal(
          lane.points.subarray(i * 2, i * 2 + 2),
          lane.means.subarray(u * 2, u * 2 + 2),
          sigma,
          2,
        );
        if (logp <= edge) perEpoch++;
        margin = Math.min(margin, Math.abs(logp - edge));
      }
    // Not a boundary case that float32 rounding of log p could tip, and neither none nor all.
    expect(margin).toBeGreaterThan(1e-3);
    expect(perEpoch).toBeGreaterThan(10);
    expect(perEpoch).toBeLessThan(150);
    for (const options of [{}, { batch_size: 7 }, { batch_size: 4, shuffle: false }]) {
      const run = withTask(c, options);
      for (const mode of [<T>(f: () => T) => f(), withPlainOps]) {
        const [r] = mode(() => trainBatch(batchOf([run])));
        expect(r.outcome).toBe('ok');
        expect(r.metrics.dead_unit_steps, JSON.stringify(options)).toBe(3 * perEpoch);
      }
    }
    const [logProb] = trainBatch(batchOf([withTask(c, { activation: 'log_prob' })]));
    expect(logProb.metrics.dead_unit_steps).toBe(0);
  });
});
