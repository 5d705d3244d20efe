import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { expm } from '../../src/engine/ops/expm.js';
import { ExpmKernel } from '../../src/engine/ops/expm-kernel.js';
import { BACKENDS, useBackend } from './backend.js';
import { bits, fdGradient, mismatches } from './reference64.js';

/**
 * e^A in float64 by its Taylor series on A / 2^s (||A / 2^s||_max * d <= 1/2, 30 terms) and s
 * squarings: a different approximant from the op's Pade one, for any square A.
 */
function expmTaylor(a: ArrayLike<number>, d: number): number[] {
  let big = 0;
  for (let i = 0; i < d * d; i++) big = Math.max(big, Math.abs(a[i]) * d);
  const s = Math.max(0, Math.ceil(Math.log2(big / 0.5)));
  const x = Array.from(a, (v) => v / 2 ** s);
  const mul = (p: number[], q: number[]) =>
    p.map((_, k) => {
      const [i, j] = [Math.floor(k / d), k % d];
      let t = 0;
      for (let m = 0; m < d; m++) t += p[i * d + m] * q[m * d + j];
      return t;
    });
  let term: number[] = Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0));
  let sum: number[] = [...term];
  for (let n = 1; n <= 30; n++) {
    term = mul(term, x).map((v) => v / n);
    sum = sum.map((v, k) => v + term[k]);
  }
  for (let k = 0; k < s; k++) sum = mul(sum, sum);
  return sum;
}

function randomMatrix(rng: seedrandom.PRNG, d: number, scale: number): number[] {
  return Array.from({ length: d * d }, () => Math.fround(scale * (2 * rng() - 1)));
}

const run = (mats: number[][], d: number) =>
  tf.tidy(() => expm(tf.tensor3d(mats.flat(), [mats.length, d, d])).dataSync());

/** Gradient of sum(W * expm(A)) by A. */
const grad = (mats: number[][], w: number[][], d: number) =>
  tf.tidy(() => {
    const wt = tf.tensor3d(w.flat(), [w.length, d, d]);
    const f = (a: tf.Tensor) => tf.sum(tf.mul(wt, expm(a as tf.Tensor3D)));
    return tf
      .grad(f)(tf.tensor3d(mats.flat(), [mats.length, d, d]))
      .dataSync();
  });

/** Each element's e^A against the float64 Taylor reference, and the gradient of sum(W * e^A) against finite differences of it. */
function expectValueAndGradient(mats: number[][], w: number[][], d: number): void {
  const out = run(mats, d);
  const g = grad(mats, w, d);
  mats.forEach((a, e) => {
    expect(mismatches(out.slice(e * d * d, (e + 1) * d * d), expmTaylor(a, d), 1e-5), `value ${e}`).toEqual(
      [],
    );
    const f = (x: number[]) => expmTaylor(x, d).reduce((s, v, k) => s + v * w[e][k], 0);
    expect(mismatches(g.slice(e * d * d, (e + 1) * d * d), fdGradient(f, a), 1e-4), `gradient ${e}`).toEqual(
      [],
    );
  });
}

describe.each(BACKENDS)('expm on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  // Norms from far below the Pade threshold to ones needing several squarings.
  it.each([
    [2, 1e-3],
    [3, 1],
    [5, 3],
    [8, 2],
    [4, 20],
  ])('matches a float64 Taylor reference for general A, d = %i, entries up to %f', (d, scale) => {
    const rng = seedrandom(`expm-${d}-${scale}`);
    const mats = Array.from({ length: 4 }, () => randomMatrix(rng, d, scale));
    const out = run(mats, d);
    mats.forEach((a, e) => {
      expect(
        mismatches(out.slice(e * d * d, (e + 1) * d * d), expmTaylor(a, d), 1e-5),
        `element ${e}`,
      ).toEqual([]);
    });
  });

  it.each([2, 3, 5])('gradient matches finite differences for general (non-symmetric) A, d = %i', (d) => {
    const rng = seedrandom(`expm-grad-${d}`);
    const mats = Array.from({ length: 3 }, () => randomMatrix(rng, d, 1.5));
    const w = Array.from({ length: 3 }, () => randomMatrix(rng, d, 1));
    const g = grad(mats, w, d);
    mats.forEach((a, e) => {
      const f = (x: number[]) => expmTaylor(x, d).reduce((s, v, k) => s + v * w[e][k], 0);
      expect(mismatches(g.slice(e * d * d, (e + 1) * d * d), fdGradient(f, a), 1e-4), `element ${e}`).toEqual(
        [],
      );
    });
  });

  // matrix-exp's case, which takes the kernel's half-cost products (every power of A symmetric).
  it.each([
    [3, 1],
    [5, 3],
    [8, 2],
    [4, 20],
  ])('value and gradient for a symmetric A and a symmetric weight, d = %i, entries up to %f', (d, scale) => {
    const rng = seedrandom(`expm-sym-${d}-${scale}`);
    const sym = (m: number[]) => m.map((_, k) => (m[k] + m[(k % d) * d + Math.floor(k / d)]) / 2);
    const mats = Array.from({ length: 3 }, () => sym(randomMatrix(rng, d, scale)).map(Math.fround));
    const w = Array.from({ length: 3 }, () => sym(randomMatrix(rng, d, 1)).map(Math.fround));
    expectValueAndGradient(mats, w, d);
  });

  // The eigendecomposition path's hard cases: eigenvalues a hair apart (the divided differences
  // near 0 / 0, the eigenvectors ill-determined) and a larger d.
  it.each([
    [6, 1e-4, Math.log(0.02)],
    [4, 1e-7, 0],
    [16, 0.5, 0],
  ])('d = %i: symmetric A = c I + entries up to %f, value and gradient', (d, scale, c) => {
    const rng = seedrandom(`expm-close-${d}-${scale}`);
    const sym = (m: number[]) => m.map((_, k) => (m[k] + m[(k % d) * d + Math.floor(k / d)]) / 2);
    const shift = (m: number[]) => m.map((v, k) => (k % (d + 1) === 0 ? v + c : v));
    const mats = Array.from({ length: 2 }, () => shift(sym(randomMatrix(rng, d, scale))).map(Math.fround));
    const w = Array.from({ length: 2 }, () => randomMatrix(rng, d, 1));
    expectValueAndGradient(mats, w, d);
  });

  it('gradient at c I, a repeated eigenvalue, is e^c W', () => {
    // L(cI, E) = e^c E, so the gradient of sum(W * expm(A)) is e^c W.
    const d = 3;
    const rng = seedrandom('expm-identity');
    const w = [randomMatrix(rng, d, 1), randomMatrix(rng, d, 1)];
    const c = Math.fround(Math.log(0.02));
    const ident = (v: number) => Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? v : 0));
    const g = grad([ident(c), ident(0)], w, d);
    expect(
      mismatches(
        g.slice(0, d * d),
        w[0].map((v) => Math.exp(c) * v),
        1e-6,
      ),
    ).toEqual([]);
    expect(mismatches(g.slice(d * d), w[1], 1e-6)).toEqual([]);
  });

  it('gives NaN for non-finite input, and each element the same bits alone as in a batch', () => {
    const d = 4;
    const rng = seedrandom('expm-lanes');
    const mats = [randomMatrix(rng, d, 0.1), randomMatrix(rng, d, 30), randomMatrix(rng, d, 1)];
    mats.push(mats[2].map((v, k) => (k === 5 ? Number.NaN : v)));
    const w = mats.map(() => randomMatrix(rng, d, 1));
    const out = run(mats, d);
    const g = grad(mats, w, d);
    expect(Array.from(out.slice(3 * d * d)).every(Number.isNaN)).toBe(true);
    mats.forEach((a, e) => {
      expect(bits(out, e * d * d, d * d), `value ${e}`).toEqual(bits(run([a], d)));
      expect(bits(g, e * d * d, d * d), `gradient ${e}`).toEqual(bits(grad([a], [w[e]], d)));
    });
  });

  it('leaks no tensors', () => {
    const a = tf.tensor3d(randomMatrix(seedrandom('expm-leak'), 3, 1), [1, 3, 3]);
    const f = (x: tf.Tensor) => tf.sum(expm(x as tf.Tensor3D));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        tf.grad(f)(a);
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
  });
});

describe('the expm kernel', () => {
  it("gives a symmetric element's gradient the same bits from the kept decomposition as from a new one", () => {
    const d = 7;
    const rng = seedrandom('expm-keep');
    const raw = randomMatrix(rng, d, 2);
    const a = Float32Array.from(
      raw,
      (_, k) => raw[Math.max(k % d, Math.floor(k / d)) * d + Math.min(k % d, Math.floor(k / d))],
    );
    const g = Float32Array.from(randomMatrix(rng, d, 1));
    const kernel = new ExpmKernel(d);
    const keep = new Float64Array(ExpmKernel.keepSize(d) + 3);
    const value = new Float32Array(d * d);
    kernel.forward(a, 0, value, 0, keep, 3);
    const [kept, fresh] = [new Float32Array(d * d), new Float32Array(d * d)];
    kernel.backward(a, 0, g, 0, kept, 0, keep, 3);
    kernel.backward(a, 0, g, 0, fresh, 0);
    expect(bits(kept, 0, d * d)).toEqual(bits(fresh, 0, d * d));
    expect(value.every(Number.isFinite)).toBe(true);
  });
});
