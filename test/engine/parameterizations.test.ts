import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { logDensity } from '../../src/engine/ops/gaussian.js';
import { parameterization, parameterizations } from '../../src/engine/parameterizations/index.js';
import type { Parameterization } from '../../src/engine/parameterizations/types.js';
import { loadPlugin } from '../../src/engine/plugins/load.js';
import { BACKENDS, useBackend } from './backend.js';
import { bits, fdGradient, gram, inverse, logNormal, mismatches, randomSpd } from './reference64.js';

const DIMS = [2, 3, 5, 8];
const PLUGIN = join(import.meta.dirname, '..', '..', 'examples', 'gp-regression', 'softplus-variance.mjs');
/** Raw blocks per batch and points per block in the NLL. */
const N = 3;
const M = 4;

/** Every registered parameterization with its defaults, and some with options set. */
const VARIANTS: [string, Parameterization][] = [
  ...[...parameterizations.values()].map((p): [string, Parameterization] => [p.name, p]),
  ['lowrank, rank 3', parameterization('lowrank', { rank: 3 })],
  ['lowrank, rank 9 (dim is the cap)', parameterization('lowrank', { rank: 9 })],
  ['full-jitter, relative', parameterization('full-jitter', { jitter_relative: true })],
  ['softplus-cholesky, shift 0.1', parameterization('softplus-cholesky', { softplus_shift: 0.1 })],
  ['full-clip, kappa 10, floor 0.5', parameterization('full-clip', { clip_kappa_max: 10, clip_floor: 0.5 })],
  // A plugin parameterization (examples/gp-regression) is held to the built-ins' checks.
  [
    'softplus-variance (plugin)',
    (await loadPlugin(PLUGIN, 'parameterizations')).plugin.parameterizations![0],
  ],
];

const size = (p: Parameterization, d: number) => p.rawShape(d).reduce((a, b) => a * b, 1);

/**
 * Raw parameters near a random well-conditioned covariance (eigenvalues in [1, 1 + d]): its
 * fromCovariance, every entry moved by up to 0.1 so that angles, W and the like are generic,
 * rounded to float32 so that both sides see the same numbers. The move keeps `full`'s P
 * positive definite (its eigenvalues shift by at most 0.1 d < 1).
 */
function randomRaw(p: Parameterization, d: number, rng: seedrandom.PRNG): number[] {
  return Array.from(p.fromCovariance(randomSpd(rng, d), d), (v) => Math.fround(v + 0.1 * (2 * rng() - 1)));
}

/** Sigma from the tfjs factor path, in float64: L L^T, or its inverse for a precision factor. */
function sigmaOfFactor(p: Parameterization, l: ArrayLike<number>, d: number): number[] {
  const g = gram(l, d);
  return p.factorOf === 'covariance' ? g : inverse(g, d);
}

/** -sum_i log N(x_i | mu, Sigma(raw)) through the engine: factor, then its logDensity. */
function nll(p: Parameterization, d: number, x: tf.Tensor3D, mu: tf.Tensor2D) {
  return (raw: tf.Tensor) => tf.neg(tf.sum(logDensity(x, mu, p.factor(raw, d).factor, p))) as tf.Scalar;
}

/** The same NLL on plain numbers: the float64 reference map and the closed-form density. */
function nll64(p: Parameterization, d: number, x: number[], mu: number[]) {
  return (raw: ArrayLike<number>) => {
    const sigma = p.covariance(raw, d);
    let s = 0;
    for (let i = 0; i < M; i++) s -= logNormal(x.slice(i * d, (i + 1) * d), mu, sigma, d);
    return s;
  };
}

/** Those whose raw block is Sigma itself, read through its lower triangle by the Cholesky. */
const SIGMA_ITSELF = new Set(['full', 'full-jitter', 'spd-riemannian', 'full-clip']);

/**
 * Those of SIGMA_ITSELF read only P's lower triangle but give the symmetric gradient on
 * purpose (so that P stays symmetric), so the derivative by P_ij, i > j, is the sum of the two
 * mirrored entries and the upper triangle's is 0.
 */
function asPartials(p: Parameterization, g: number[], d: number): number[] {
  if (!SIGMA_ITSELF.has(p.name)) return g;
  const out = [...g];
  for (let i = 0; i < d; i++)
    for (let j = 0; j < i; j++) {
      out[i * d + j] = g[i * d + j] + g[j * d + i];
      out[j * d + i] = 0;
    }
  return out;
}

/** The engine's NLL gradient by raw against central differences of the float64 reference, per element. */
function checkGradient(p: Parameterization, d: number, raws: number[][], rng: seedrandom.PRNG) {
  const n = raws.length;
  const xs = Array.from({ length: n }, () => Array.from({ length: M * d }, () => Math.fround(2 * rng() - 1)));
  const mus = Array.from({ length: n }, () => Array.from({ length: d }, () => Math.fround(rng() - 0.5)));
  const grad = tf.tidy(() => {
    const f = nll(p, d, tf.tensor3d(xs.flat(), [n, M, d]), tf.tensor2d(mus.flat(), [n, d]));
    return tf
      .grad(f)(tf.tensor(raws.flat(), [n, ...p.rawShape(d)]))
      .dataSync();
  });
  const k = size(p, d);
  for (let e = 0; e < n; e++) {
    const got = asPartials(p, Array.from(grad.slice(e * k, (e + 1) * k)), d);
    const want = fdGradient(nll64(p, d, xs[e], mus[e]), raws[e]);
    expect(mismatches(got, want, 1e-3), `element ${e}`).toEqual([]);
  }
}

describe.each(BACKENDS)('parameterizations on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(VARIANTS)('%s', (_label, p) => {
    it.each(DIMS)('maps raw -> Sigma as its float64 reference does, d = %i', (d) => {
      const rng = seedrandom(`${p.name}-map-${d}`);
      const raws = Array.from({ length: N }, () => randomRaw(p, d, rng));
      const { factor, checks } = tf.tidy(() => {
        const out = p.factor(tf.tensor(raws.flat(), [N, ...p.rawShape(d)]), d);
        return { factor: out.factor.dataSync(), checks: out.checks.dataSync() };
      });
      for (let e = 0; e < N; e++) {
        const l = factor.slice(e * d * d, (e + 1) * d * d);
        for (let i = 0; i < d; i++)
          for (let j = i + 1; j < d; j++) expect(l[i * d + j] === 0, 'upper').toBe(true);
        expect(mismatches(sigmaOfFactor(p, l, d), p.covariance(raws[e], d), 1e-4), `element ${e}`).toEqual(
          [],
        );
      }
      expect(Array.from(checks).every((c) => c > 0)).toBe(true);
    });

    it.each(DIMS)('gradient of a Gaussian NLL matches finite differences of the reference, d = %i', (d) => {
      const rng = seedrandom(`${p.name}-grad-${d}`);
      checkGradient(
        p,
        d,
        Array.from({ length: N }, () => randomRaw(p, d, rng)),
        rng,
      );
    });

    it.each([2, 5])(
      'gradient is right at the starting covariance c I (repeated eigenvalues), d = %i',
      (d) => {
        const rng = seedrandom(`${p.name}-start-${d}`);
        const start = (c: number) =>
          Array.from(
            p.fromCovariance(
              Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) ? 0 : c)),
              d,
            ),
            Math.fround,
          );
        checkGradient(p, d, [start(0.02), start(1), start(3)], rng);
      },
    );

    it('gives each element the same bits alone as in a batch, value and gradient', () => {
      const d = 4;
      const rng = seedrandom(`${p.name}-lanes`);
      const raws = Array.from({ length: 5 }, () => randomRaw(p, d, rng));
      const x = Array.from({ length: M * d }, () => 2 * rng() - 1);
      const run = (rs: number[][]) =>
        tf.tidy(() => {
          const n = rs.length;
          const raw = tf.tensor(rs.flat(), [n, ...p.rawShape(d)]);
          const { factor, checks } = p.factor(raw, d);
          const xt = tf.tensor3d(new Array(n).fill(x).flat(), [n, M, d]);
          const grad = tf.grad(nll(p, d, xt, tf.zeros([n, d]) as tf.Tensor2D))(raw);
          return { factor: factor.dataSync(), checks: checks.dataSync(), grad: grad.dataSync() };
        });
      const batch = run(raws);
      const k = size(p, d);
      raws.forEach((r, e) => {
        const alone = run([r]);
        expect(bits(batch.factor, e * d * d, d * d), `factor ${e}`).toEqual(bits(alone.factor));
        expect(bits(batch.checks, e * d, d), `checks ${e}`).toEqual(bits(alone.checks));
        expect(bits(batch.grad, e * k, k), `gradient ${e}`).toEqual(bits(alone.grad));
      });
    });

    it.each(DIMS)('fromCovariance round-trips through the reference map, d = %i', (d) => {
      const rng = seedrandom(`${p.name}-roundtrip-${d}`);
      for (let t = 0; t < 3; t++) {
        let sigma = randomSpd(rng, d);
        // diag, lowrank and softplus-variance hold a general Sigma only approximately; diagonal ones exactly.
        if (p.name === 'diag' || p.name === 'lowrank' || p.name === 'softplus-variance')
          sigma = sigma.map((v, i) => (i % (d + 1) === 0 ? v : 0));
        expect(mismatches(p.covariance(p.fromCovariance(sigma, d), d), sigma, 1e-10)).toEqual([]);
      }
      // Every run starts from c I: exactly representable by each.
      const start = Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? 0.02 : 0));
      expect(mismatches(p.covariance(p.fromCovariance(start, d), d), start, 1e-12)).toEqual([]);
    });
  });
});
