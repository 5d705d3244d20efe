import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { nativeMap } from '../../src/engine/native/maps.js';
import { NativeStep } from '../../src/engine/native/step.js';
import { CholeskyKernel } from '../../src/engine/ops/cholesky-kernel.js';
import type { Activation } from '../../src/engine/ops/classifier-loss.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { Minibatches } from '../../src/engine/tasks/minibatches.js';
import { NativeClassifier } from '../../src/engine/tasks/mvn-classifier-native.js';
import { NativeScoreMatching } from '../../src/engine/tasks/score-matching-native.js';
import type { ParamGroup } from '../../src/engine/tasks/types.js';
import { OTHER_NATIVE_MAPS } from './configs.js';
import { uniform } from './fused.js';
import { fdGradient, inverse, logNormal, mismatches, randomSpd } from './reference64.js';

const [B, U, d, n, m] = [2, 3, 3, 6, 4];

/** Every parameterization with a native map, with the options of its test. */
const MAPS: readonly (readonly [string, Record<string, unknown>])[] = [
  ['full', {}],
  ['tril', {}],
  ['log-cholesky', {}],
  ...OTHER_NATIVE_MAPS,
];

/** Those whose raw block is Sigma itself: the engine gives the symmetric gradient. */
const SIGMA_RAW = new Set(['full', 'spd-riemannian', 'full-clip', 'full-jitter']);

/** Length of a raw block. */
const blockOf = (name: string, options: Record<string, unknown>) =>
  parameterization(name, options)
    .rawShape(d)
    .reduce((a, b) => a * b, 1);

/**
 * Float64 classifier loss of lane b on plain numbers (reference64.ts's LU log-density, no
 * Cholesky): the mean over the first m points of the softmax cross-entropy of W act, Sigma_u from
 * the raw blocks by the parameterization's float64 reference map.
 */
function loss64(
  o: {
    x: Float32Array;
    y: Int32Array;
    b: number;
    p: string;
    options: Record<string, unknown>;
    activation: Activation;
  },
  mu: number[],
  raw: number[],
  w: number[],
) {
  const p = parameterization(o.p, o.options);
  const size = blockOf(o.p, o.options);
  let total = 0;
  for (let i = 0; i < m; i++) {
    const x = o.x.subarray((o.b * n + i) * d, (o.b * n + i + 1) * d);
    const act = Array.from({ length: U }, (_, u) => {
      const sigma = p.covariance(raw.slice(u * size, (u + 1) * size), d);
      const logp = logNormal(x, mu.slice(u * d, (u + 1) * d), sigma, d);
      return o.activation === 'exp' ? Math.exp(logp) : logp;
    });
    const out = Array.from({ length: U }, (_, k) => act.reduce((s, a, j) => s + w[k * U + j] * a, 0));
    const max = Math.max(...out);
    total += max + Math.log(out.reduce((s, v) => s + Math.exp(v - max), 0)) - out[o.y[o.b * n + i]];
  }
  return total / m;
}

/**
 * The raw gradient the engine gives, from finite differences by every raw entry of a reference
 * that reads the lower triangle of a d x d block: where the block is Sigma, the symmetric one
 * (torch's), half the derivative by an off-diagonal entry on each side; for the others the upper
 * triangle is zero. lowrank's and diag's blocks are no d x d matrix: every entry counts.
 */
function rawGradient(fd: number[], name: string): number[] {
  if (name === 'lowrank' || name === 'diag') return fd;
  const sym = SIGMA_RAW.has(name);
  return fd.map((g, k) => {
    const [i, j] = [Math.floor(k / d) % d, k % d];
    if (j <= i) return sym && j < i ? g / 2 : g;
    return sym ? fd[k + (j - i) * (d - 1)] / 2 : 0;
  });
}

describe.each(MAPS)('native classifier step with %s %j', (name, options) => {
  it.each(['exp', 'log_prob'] as const)('gradients match float64 finite differences (%s)', (activation) => {
    const rng = seedrandom(`${name} ${activation}`);
    const p = parameterization(name, options);
    const size = blockOf(name, options);
    const x = uniform('x', B * n * d, -0.3, 0.3);
    const y = Int32Array.from({ length: B * n }, (_, i) => i % U);
    const mu = uniform('mu', B * U * d, -0.2, 0.2);
    const w = uniform('w', B * U * U, -2, 2);
    const raw = new Float32Array(B * U * size);
    for (let e = 0; e < B * U; e++) {
      const sigma = randomSpd(rng, d).map((v) => v * 0.05);
      raw.set(p.fromCovariance(sigma, d), e * size);
    }
    const groups: ParamGroup[] = [
      { name: 'means', group: 'mean', shape: [U, d], init: mu },
      { name: 'covariance', group: 'cov', shape: [U, ...p.rawShape(d)], init: raw },
      { name: 'weights', group: 'weights', shape: [U, U], init: w },
    ];
    const task = new NativeClassifier(x, y, n, d, U, B, m, activation, new Minibatches([0, 1], n, m, false));
    const step = new NativeStep(task, nativeMap(name, d, options)!, groups, B, U, d);
    step.evaluate(0, [mu, raw, w], Uint8Array.of(1, 1), true);
    const [gmu, graw, gw] = step.grads;
    for (let b = 0; b < B; b++) {
      const o = { x, y, b, p: name, options, activation };
      const [mub, rawb, wb] = [
        Array.from(mu.subarray(b * U * d, (b + 1) * U * d)),
        Array.from(raw.subarray(b * U * size, (b + 1) * U * size)),
        Array.from(w.subarray(b * U * U, (b + 1) * U * U)),
      ];
      expect(step.loss[b]).toBeCloseTo(loss64(o, mub, rawb, wb), 5);
      expect(
        mismatches(
          gmu.subarray(b * U * d, (b + 1) * U * d),
          fdGradient((v) => loss64(o, v, rawb, wb), mub),
          1e-4,
        ),
      ).toEqual([]);
      expect(
        mismatches(
          gw.subarray(b * U * U, (b + 1) * U * U),
          fdGradient((v) => loss64(o, mub, rawb, v), wb),
          1e-4,
        ),
      ).toEqual([]);
      const fd = fdGradient((v) => loss64(o, mub, v, wb), rawb);
      const want = rawGradient(fd, name);
      expect(mismatches(graw.subarray(b * U * size, (b + 1) * U * size), want, 1e-4)).toEqual([]);
    }
  });
});

/** Float64 score-matching loss on plain numbers, point by point: 1/(2n) sum_i |P r_i|^2 - tr(P). */
function scoreLoss64(
  x: Float32Array,
  np: number,
  p: string,
  options: Record<string, unknown>,
  mu: number[],
  raw: number[],
) {
  const prec = inverse(parameterization(p, options).covariance(raw, d), d);
  let fit = 0;
  for (let i = 0; i < np; i++) {
    const r = Array.from({ length: d }, (_, k) => x[i * d + k] - mu[k]);
    for (let a = 0; a < d; a++) fit += r.reduce((s, v, k) => s + prec[a * d + k] * v, 0) ** 2;
  }
  return fit / (2 * np) - Array.from({ length: d }, (_, k) => prec[k * d + k]).reduce((a, v) => a + v);
}

describe.each([...MAPS, ['precision-cholesky', {}] as const])(
  'native score matching with %s %j',
  (name, options) => {
    it('loss and gradients match float64 finite differences of the loss summed point by point', () => {
      const rng = seedrandom(name);
      const p = parameterization(name, options);
      const np = 7;
      const x = uniform('points', np * d, 0, 2);
      const mu = uniform('mu', d, 0.5, 1);
      const raw = Float32Array.from(p.fromCovariance(randomSpd(rng, d), d));
      const groups: ParamGroup[] = [
        { name: 'mean', group: 'mean', shape: [d], init: mu },
        { name: 'covariance', group: 'cov', shape: p.rawShape(d), init: raw },
      ];
      const task = new NativeScoreMatching(x, np, d, 1, p.factorOf);
      const step = new NativeStep(task, nativeMap(name, d, options)!, groups, 1, 1, d);
      step.evaluate(0, [mu, raw], Uint8Array.of(1), true);
      const [mub, rawb] = [Array.from(mu), Array.from(raw)];
      expect(step.loss[0]).toBeCloseTo(scoreLoss64(x, np, name, options, mub, rawb), 4);
      expect(
        mismatches(
          step.grads[0],
          fdGradient((v) => scoreLoss64(x, np, name, options, v, rawb), mub),
          1e-4,
        ),
      ).toEqual([]);
      const fd = fdGradient((v) => scoreLoss64(x, np, name, options, mub, v), rawb);
      const want = rawGradient(fd, name);
      expect(mismatches(step.grads[1], want, 1e-4)).toEqual([]);
    });
  },
);

describe.each([
  [9, true],
  [9, false],
  [16, true],
] as const)(
  'native score matching’s own d loss / d Sigma (from d = 8) at d = %i, WebAssembly %s',
  (dim, wasm) => {
    it.each(['full', 'full-jitter'])(
      '%s: matches float64 finite differences and the Cholesky backward of dL',
      (name) => {
        const rng = seedrandom(`sigma ${name} ${dim}`);
        const p = parameterization(name);
        const np = dim + 4;
        const x = uniform(`sigma points ${dim}`, np * dim, 0, 2);
        const mu = uniform(`sigma mu ${dim}`, dim, 0.5, 1);
        const raw = Float32Array.from(p.fromCovariance(randomSpd(rng, dim), dim));
        const loss64 = (sigma: ArrayLike<number>) => {
          const prec = inverse(sigma, dim);
          let fit = 0;
          for (let i = 0; i < np; i++) {
            const r = Array.from({ length: dim }, (_, k) => x[i * dim + k] - mu[k]);
            for (let a = 0; a < dim; a++) fit += r.reduce((s, v, k) => s + prec[a * dim + k] * v, 0) ** 2;
          }
          let trace = 0;
          for (let k = 0; k < dim; k++) trace += prec[k * dim + k];
          return fit / (2 * np) - trace;
        };
        const task = new NativeScoreMatching(x, np, dim, 1, p.factorOf, { wasm });
        expect(task.sigmaGradient).toBe(true);
        const groups: ParamGroup[] = [
          { name: 'mean', group: 'mean', shape: [dim], init: mu },
          { name: 'covariance', group: 'cov', shape: p.rawShape(dim), init: raw },
        ];
        const step = new NativeStep(task, nativeMap(name, dim)!, groups, 1, 1, dim);
        step.evaluate(0, [mu, raw], Uint8Array.of(1), true);
        // Symmetric perturbations of Sigma_ij = Sigma_ji: the symmetric gradient's entry, twice off the diagonal.
        const sigma = Array.from(raw);
        const fd = fdGradient((v) => {
          const s = [...v];
          for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) s[j * dim + i] = s[i * dim + j];
          return loss64(s);
        }, sigma);
        const want = sigma.map((_, k) => {
          const [i, j] = [Math.floor(k / dim), k % dim];
          return i === j ? fd[k] : fd[Math.max(i, j) * dim + Math.min(i, j)] / 2;
        });
        expect(mismatches(step.grads[1], want, 1e-4)).toEqual([]);
        // And the Cholesky kernel's backward of the lane's float32 dL, within float32 rounding.
        const chol = new CholeskyKernel(dim, { wasm: false });
        const l = new Float32Array(dim * dim);
        expect(chol.forward(raw, 0, l, 0, new Float32Array(dim), 0)).toBe(true);
        const dl = new Float32Array(dim * dim);
        task.lane(0, [mu], l, dl, [new Float32Array(dim), new Float32Array(0)]);
        const viaKernel = new Float32Array(dim * dim);
        chol.backward(l, 0, dl, 0, viaKernel, 0);
        expect(mismatches(step.grads[1], viaKernel, 1e-6)).toEqual([]);
      },
    );
  },
);
