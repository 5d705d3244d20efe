import { describe, expect, it } from 'vitest';
import { sampleGaussian } from '../../src/data/gaussian-sample.js';
import { stream } from '../../src/data/random.js';
import { gaussianData } from '../../src/engine/tasks/gaussian-fit-spec.js';
import { type ClassifierOptions, laneData } from '../../src/engine/tasks/mvn-classifier-spec.js';
import { cholesky64, gram, identity } from '../../src/ground/dense64.js';
import type { RunConfig } from '../../src/types.js';
import { bits, referenceStream } from './reference-stream.js';

type Reference = ReturnType<typeof referenceStream>;

/** n draws of N(mean, cov) as they were drawn before the block sampler: a fresh z per point. */
function referenceSample(rng: Reference, mean: Float64Array, cov: Float64Array, n: number, d: number) {
  const l = cholesky64(cov, d)!;
  const x = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    for (let a = 0; a < d; a++) {
      let t = mean[a];
      for (let k = 0; k <= a; k++) t += l[a * d + k] * z[k];
      x[i * d + a] = t;
    }
  }
  return x;
}

/** mvn-classifier's random categories and points as they were drawn, one number at a time. */
function referenceClassifier(units: number, n: number, d: number, seed: number) {
  const rng = referenceStream(seed, 'truth');
  const means: Float64Array[] = [];
  const covs: Float64Array[] = [];
  for (let u = 0; u < units; u++) {
    means.push(Float64Array.from({ length: d }, () => rng.uniform() - 0.5));
    const a = Float64Array.from({ length: d * d }, () => 2 * rng.uniform() - 1);
    const c = identity(d, 0.005);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        for (let k = 0; k < d; k++) c[i * d + j] += (0.02 / d) * a[i * d + k] * a[j * d + k];
    covs.push(c);
  }
  const data = referenceStream(seed, 'data');
  const points = means.map((m, u) => referenceSample(data, m, covs[u], n, d));
  return { means, covs, points: points.flatMap((p) => Array.from(p)) };
}

describe("both seed tasks' data, drawn in blocks", () => {
  it('sample Gaussians into any offset of a buffer as point after point would, the spare normal carried across calls', () => {
    for (const d of [1, 2, 3, 7]) {
      const rng = referenceStream(d, 'sample');
      const s = stream(d, 'sample');
      const mean = Float64Array.from({ length: d }, (_, i) => i - 1.5);
      const cov = gram(
        Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0.3 * Math.sin(k))),
        d,
      );
      // Odd n d leaves a spare normal that the next call's first point must use.
      // Eight points go together: n = 9 and 19 take blocks of eight and then single points.
      for (const n of [1, 5, 2, 9, 19]) {
        const out = new Float64Array((n + 2) * d).fill(7);
        sampleGaussian(s, mean, cov, n, d, out, d);
        expect(bits(out.subarray(d, (n + 1) * d))).toEqual(bits(referenceSample(rng, mean, cov, n, d)));
        expect([...out.subarray(0, d), ...out.subarray((n + 1) * d)]).toEqual(new Array(2 * d).fill(7));
      }
    }
  });

  it('mvn-classifier: the same random categories and points, bit for bit, at any dimension and unit count', () => {
    for (const [units, n, d] of [
      [2, 200, 3],
      [3, 7, 5],
      [2, 41, 8],
      [2, 200, 16],
      [4, 3, 17],
    ]) {
      for (const seed of [0, 1, 511]) {
        const o = { name: 'mvn-classifier', units, n_per_class: n } as ClassifierOptions;
        const lane = laneData(o, d, seed);
        const want = referenceClassifier(units, n, d, seed);
        expect(bits(lane.truth.means.flatMap((m) => Array.from(m)))).toEqual(
          bits(want.means.flatMap((m) => Array.from(m))),
        );
        expect(bits(lane.truth.covs.flatMap((c) => Array.from(c)))).toEqual(
          bits(want.covs.flatMap((c) => Array.from(c))),
        );
        expect(bits(lane.points)).toEqual(bits(want.points));
      }
    }
  });

  it("mvn-classifier's seed shape: seed 000's categories, the points drawn from the run's stream", () => {
    const o = { name: 'mvn-classifier', units: 2, n_per_class: 201 } as ClassifierOptions;
    const lane = laneData(o, 2, 9);
    const data = referenceStream(9, 'data');
    const want = lane.truth.means.flatMap((m, u) =>
      Array.from(referenceSample(data, m, lane.truth.covs[u], 201, 2)),
    );
    expect(Array.from(lane.truth.means[1])).toEqual([-0.25, -0.6]);
    expect(bits(lane.points)).toEqual(bits(want));
  });

  it('score-matching: the same true Gaussian and points, bit for bit', () => {
    for (const [n, d] of [
      [50, 2],
      [51, 5],
      [50, 16],
      [65, 33],
    ])
      for (const seed of [0, 3, 200]) {
        const c = {
          dim: d,
          seed,
          task: { name: 'score-matching', n_data: n, iterations: 1 },
        } as unknown as RunConfig;
        const got = gaussianData(c);
        const t = referenceStream(seed, 'truth');
        const mean = Float64Array.from({ length: d }, () => t.uniform());
        const cov = gram(
          Float64Array.from({ length: d * d }, () => t.uniform()),
          d,
        );
        expect(bits(got.mean)).toEqual(bits(mean));
        expect(bits(got.cov)).toEqual(bits(cov));
        expect(bits(got.points)).toEqual(
          bits(referenceSample(referenceStream(seed, 'data'), mean, cov, n, d)),
        );
      }
  });
});
