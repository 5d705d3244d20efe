import { describe, expect, it } from 'vitest';
import { wasmKernelsFor } from '../../src/engine/ops/wasm.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { logDensities64, logDensitiesOfUnits, logDensity64 } from '../../src/engine/tasks/gaussian64.js';
import { mvnClassifier } from '../../src/engine/tasks/mvn-classifier.js';
import { laneData } from '../../src/engine/tasks/mvn-classifier-spec.js';
import { taskOptions } from '../../src/engine/tasks/types.js';
import { cholesky64 } from '../../src/ground/dense64.js';
import { classifierConfig } from './configs.js';

describe("the classifier's metrics", () => {
  it('read every point in place as they would a copy of it, into every stride-th slot', () => {
    const sigma = [2, 0.3, 0.3, 1];
    const points = [5, 5, 0.4, 0.7, -1.2, 0.05];
    const out = new Float64Array(7);
    logDensities64(points, 3, [0.1, -0.2], sigma, 2, out, 1, 2);
    for (const p of [0, 1, 2])
      expect(out[1 + 2 * p]).toBe(logDensity64(points.slice(2 * p, 2 * p + 2), [0.1, -0.2], sigma, 2));
    // The log density by its definition: -|L^-1 (x - mu)|^2 / 2 - log det L - log(2 pi).
    const [a, b] = [0.4 - 0.1, 0.7 + 0.2];
    const l00 = Math.sqrt(2);
    const l10 = 0.3 / l00;
    const l11 = Math.sqrt(1 - l10 * l10);
    const z0 = a / l00;
    const z1 = (b - l10 * z0) / l11;
    expect(out[3]).toBeCloseTo(-(z0 * z0 + z1 * z1) / 2 - Math.log(l00 * l11) - Math.log(2 * Math.PI), 12);
    expect([out[0], out[2], out[4], out[6]]).toEqual([0, 0, 0, 0]);
  });

  it('give every point, taken four at a time or alone, the bits of a point-by-point substitution', () => {
    // The substitution as it was written point by point (the reference the interleaved one keeps).
    const reference = (x: number[], mu: number[], l: Float64Array, d: number) => {
      const z = new Float64Array(d);
      let maha = 0;
      for (let i = 0; i < d; i++) {
        let t = x[i] - mu[i];
        for (let k = 0; k < i; k++) t -= l[i * d + k] * z[k];
        z[i] = t / l[i * d + i];
        maha += z[i] * z[i];
      }
      let logDet = 0;
      for (let i = 0; i < d; i++) logDet += Math.log(l[i * d + i]);
      return -0.5 * maha - logDet - 0.5 * d * Math.log(2 * Math.PI);
    };
    let state = 7;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32 - 0.5;
    };
    for (const d of [1, 3, 8, 17])
      for (const count of [1, 3, 4, 6, 9]) {
        // sigma = A A^T + I: positive definite, with correlations.
        const a = Array.from({ length: d * d }, random);
        const sigma = Array.from({ length: d * d }, (_, ij) => {
          const [i, j] = [Math.floor(ij / d), ij % d];
          let s = i === j ? 1 : 0;
          for (let k = 0; k < d; k++) s += a[i * d + k] * a[j * d + k];
          return s;
        });
        const l = cholesky64(sigma, d)!;
        const mu = Array.from({ length: d }, random);
        const points = Array.from({ length: count * d }, () => 3 * random());
        const out = new Float64Array(2 * count + 1);
        logDensities64(points, count, mu, sigma, d, out, 1, 2);
        for (let p = 0; p < count; p++)
          expect(out[1 + 2 * p]).toBe(reference(points.slice(p * d, (p + 1) * d), mu, l, d));
        expect(out[0]).toBe(0);
      }
  });

  it("give every unit's points on WebAssembly (d >= 8) the bits of the JavaScript kernel", () => {
    // The built module (npm run build) is there, so d >= 8 takes the WebAssembly kernel.
    expect(wasmKernelsFor(8)?.exports.mahalanobisBlocks).toBeTypeOf('function');
    let state = 11;
    const random = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32 - 0.5;
    };
    for (const d of [2, 7, 8, 9, 16, 17])
      for (const count of [1, 2, 3, 4, 5, 11, 400]) {
        // Two positive definite units (A A^T + I) and one that is not (its last pivot is 0).
        const spd = () => {
          const a = Array.from({ length: d * d }, random);
          return Array.from({ length: d * d }, (_, ij) => {
            const [i, j] = [Math.floor(ij / d), ij % d];
            let s = i === j ? 1 : 0;
            for (let k = 0; k < d; k++) s += a[i * d + k] * a[j * d + k];
            return s;
          });
        };
        const singular = Array.from({ length: d * d }, (_, ij) =>
          ij === d * d - 1 ? 0 : ij % (d + 1) ? 0 : 1,
        );
        const covs = [spd(), singular, spd()];
        const means = covs.map(() => Float64Array.from({ length: d }, random));
        const points = Float64Array.from({ length: count * d }, () => 3 * random());
        const out = new Float64Array(3 * count);
        logDensitiesOfUnits(points, count, means, covs, d, out);
        const expected = new Float64Array(3 * count);
        for (let u = 0; u < 3; u++) logDensities64(points, count, means[u], covs[u], d, expected, u, 3);
        expect(out).toEqual(expected);
        for (let i = 0; i < out.length; i++) expect(Object.is(out[i], expected[i])).toBe(true);
        expect(Number.isNaN(out[1])).toBe(true);
      }
  });

  it('are NaN for every point when sigma is not positive definite', () => {
    const out = new Float64Array(2);
    logDensities64([0, 0, 1, 1], 2, [0, 0], [1, 2, 2, 1], 2, out);
    expect([...out]).toEqual([Number.NaN, Number.NaN]);
  });

  it("count as correct the points whose largest output is their class's, per lane", () => {
    const configs = [classifierConfig({ seed: 3 }), { ...classifierConfig({ seed: 8 }), dim: 4 }].map(
      (c) => ({
        ...c,
        task: { ...c.task, n_per_class: 30 },
      }),
    );
    for (const config of configs) {
      const d = config.dim;
      const p = parameterization('full');
      const batch = mvnClassifier.create([config], p);
      const { truth, points, labels } = laneData(taskOptions(config), d, config.seed);
      // Means off the truth and a covariance wider than it, so that some points are misread;
      // a non-symmetric output layer, so that the units' order matters.
      const mu = Float64Array.from(
        [...truth.means[0], ...truth.means[1]],
        (v, i) => v + 0.3 * Math.sin(i + 1),
      );
      const covs = truth.covs.map((c) => c.map((v, i) => (i % (d + 1) === 0 ? 2 * v : v)));
      const raw = Float64Array.from(covs.flatMap((c) => Array.from(p.fromCovariance(c, d))));
      // The output layer read straight, then with its rows swapped: a point is correct in one.
      const accuracies = [
        [1, 0.3, 0.2, 0.9],
        [0.2, 0.9, 1, 0.3],
      ].map((weights) => {
        const w = Float64Array.from(weights);
        const { accuracy } = batch.metrics(0, [mu, raw, w]);
        let correct = 0;
        for (let i = 0; i < labels.length; i++) {
          const x = points.slice(i * d, (i + 1) * d);
          const act = [0, 1].map((u) => {
            const cov = p.covariance(raw.subarray(u * d * d, (u + 1) * d * d), d);
            return Math.exp(logDensity64(x, mu.subarray(u * d, (u + 1) * d), cov, d));
          });
          const out = [0, 1].map((k) => w[k * 2] * act[0] + w[k * 2 + 1] * act[1]);
          if ((out[1] > out[0] ? 1 : 0) === labels[i]) correct++;
        }
        expect(accuracy).toBe(correct / labels.length);
        return accuracy;
      });
      expect(accuracies[0] + accuracies[1]).toBeCloseTo(1, 12);
    }
  });
});
