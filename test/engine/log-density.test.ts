import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { logDensity } from '../../src/engine/ops/gaussian.js';
import { cholesky } from '../../src/engine/ops/linalg.js';
import { diagPart } from '../../src/engine/ops/masks.js';
import { parameterizations } from '../../src/engine/parameterizations/index.js';
import { BACKENDS, useBackend } from './backend.js';
import { logNormal, lu, mismatches, randomSpd } from './reference64.js';

describe.each(BACKENDS)('log-determinant and log-density on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([1, 2, 3, 5, 8, 16])('log det A = 2 sum log diag chol(A) matches LU in float64, d = %i', (d) => {
    const rng = seedrandom(`logdet-${d}`);
    const mats = Array.from({ length: 5 }, () => Array.from(randomSpd(rng, d), Math.fround));
    // Spread the scales so that log det is both positive and negative.
    for (const [e, m] of mats.entries()) for (const k of m.keys()) m[k] = Math.fround(m[k] * 10 ** (e - 2));
    const got = tf.tidy(() => {
      const { factor } = cholesky(tf.tensor3d(mats.flat(), [mats.length, d, d]));
      return tf.mul(tf.sum(tf.log(diagPart(factor)), 1), 2).dataSync();
    });
    const want = mats.map((m) => lu(m, d).logAbsDet);
    // Absolute: float32 log of each L_jj is good to about 1e-7, summed over d columns.
    for (const [e, g] of got.entries()) expect(Math.abs(g - want[e]), `element ${e}`).toBeLessThan(1e-5 * d);
  });

  describe.each([...parameterizations.values()])('$name', (p) => {
    it.each([2, 3, 5, 8])('log N(x | mu, Sigma) agrees with the closed form, d = %i', (d) => {
      const rng = seedrandom(`logprob-${p.name}-${d}`);
      const n = 3;
      const m = 5;
      const raws = Array.from({ length: n }, () =>
        Array.from(p.fromCovariance(randomSpd(rng, d), d), Math.fround),
      );
      const x = Array.from({ length: n * m * d }, () => Math.fround(3 * (2 * rng() - 1)));
      const mu = Array.from({ length: n * d }, () => Math.fround(rng() - 0.5));
      const got = tf.tidy(() => {
        const { factor } = p.factor(tf.tensor(raws.flat(), [n, ...p.rawShape(d)]), d);
        return logDensity(tf.tensor3d(x, [n, m, d]), tf.tensor2d(mu, [n, d]), factor, p).dataSync();
      });
      const want = raws.flatMap((raw, e) => {
        const sigma = p.covariance(raw, d);
        return Array.from({ length: m }, (_, i) =>
          logNormal(x.slice((e * m + i) * d, (e * m + i + 1) * d), mu.slice(e * d, (e + 1) * d), sigma, d),
        );
      });
      expect(mismatches(got, want, 1e-5)).toEqual([]);
    });
  });
});
