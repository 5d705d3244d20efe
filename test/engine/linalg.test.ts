import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { cholesky, triSolve } from '../../src/engine/ops/linalg.js';
import { BACKENDS, useBackend } from './backend.js';

type Mat = number[][];

// ---------------------------------------------------------------------------------------------
// float64 references, written independently of src/engine/ops/linalg.ts (row-oriented Cholesky,
// dense Gaussian elimination for solves), plain JS numbers throughout.

function zeros(r: number, c: number): Mat {
  return Array.from({ length: r }, () => new Array<number>(c).fill(0));
}

/** Cholesky-Banachiewicz (row by row) on the lower triangle; for positive-definite input only. */
function refCholesky(a: Mat): { l: Mat; pivots: number[] } {
  const d = a.length;
  const l = zeros(d, d);
  const pivots: number[] = [];
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        pivots.push(s);
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  return { l, pivots };
}

/** Solves m v = rhs by Gaussian elimination with partial pivoting. */
function gaussSolve(m: Mat, rhs: number[]): number[] {
  const d = rhs.length;
  const aug = m.map((row, i) => [...row, rhs[i]]);
  for (let c = 0; c < d; c++) {
    let best = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(aug[r][c]) > Math.abs(aug[best][c])) best = r;
    [aug[c], aug[best]] = [aug[best], aug[c]];
    for (let r = c + 1; r < d; r++) {
      const f = aug[r][c] / aug[c][c];
      for (let k = c; k <= d; k++) aug[r][k] -= f * aug[c][k];
    }
  }
  const v = new Array<number>(d).fill(0);
  for (let r = d - 1; r >= 0; r--) {
    let s = aug[r][d];
    for (let k = r + 1; k < d; k++) s -= aug[r][k] * v[k];
    v[r] = s / aug[r][r];
  }
  return v;
}

/** Row i of the result solves T z = b_i, T being tril(l) or its transpose, built explicitly. */
function refSolve(l: Mat, b: Mat, transpose: boolean): Mat {
  const d = l.length;
  const t = zeros(d, d);
  for (let p = 0; p < d; p++) {
    for (let q = 0; q <= p; q++) {
      if (transpose) t[q][p] = l[p][q];
      else t[p][q] = l[p][q];
    }
  }
  return b.map((row) => gaussSolve(t, row));
}

function dot(w: Mat, y: Mat): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) for (let j = 0; j < w[i].length; j++) s += w[i][j] * y[i][j];
  return s;
}

/** Central finite differences of f at x, entry by entry. */
function fdGrad(f: (x: Mat) => number, x: Mat, h = 1e-6): Mat {
  return x.map((row, i) =>
    row.map((_, j) => {
      const at = (delta: number) => f(x.map((r, p) => r.map((v, q) => (p === i && q === j ? v + delta : v))));
      return (at(h) - at(-h)) / (2 * h);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// data and comparison helpers

function randomMat(rng: seedrandom.PRNG, r: number, c: number): Mat {
  return zeros(r, c).map((row) => row.map(() => 2 * rng() - 1));
}

/** A = B B^T + d I with uniform B: well conditioned; rounded to float32 like the op's input. */
function randomSpd(rng: seedrandom.PRNG, d: number): Mat {
  const b = randomMat(rng, d, d);
  const a = zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = i === j ? d : 0;
      for (let k = 0; k < d; k++) s += b[i][k] * b[j][k];
      a[i][j] = Math.fround(s);
    }
  }
  return a;
}

/** A well-conditioned factor (of a random SPD matrix), rounded to float32, upper triangle zero. */
function randomFactor(rng: seedrandom.PRNG, d: number): Mat {
  return refCholesky(randomSpd(rng, d)).l.map((row) => row.map(Math.fround));
}

function tensor3(mats: Mat[]): tf.Tensor3D {
  return tf.tensor3d(mats.flat(2), [mats.length, mats[0].length, mats[0][0].length]);
}

function unpack(values: ArrayLike<number>, n: number, r: number, c: number): Mat[] {
  return Array.from({ length: n }, (_, e) =>
    Array.from({ length: r }, (_, i) => Array.from({ length: c }, (_, j) => values[(e * r + i) * c + j])),
  );
}

/** |got - want| <= rtol * max(|want|, 1% of want's largest magnitude), entry by entry. */
function expectClose(got: ArrayLike<number>, want: number[], rtol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  const floor = 1e-2 * Math.max(...want.map(Math.abs));
  const bad: string[] = [];
  for (let k = 0; k < want.length; k++) {
    if (!(Math.abs(got[k] - want[k]) <= rtol * Math.max(Math.abs(want[k]), floor))) {
      bad.push(`[${k}] got ${got[k]} want ${want[k]}`);
    }
  }
  expect(bad.slice(0, 5), what).toEqual([]);
}

/** The float32 bit patterns of entries [start, start + length) of a tensor's values. */
function bits(values: Float32Array, start: number, length: number): number[] {
  return Array.from(new Uint32Array(values.slice(start, start + length).buffer));
}

function choleskyData(a: Mat[]): { factor: Float32Array; pivots: Float32Array } {
  return tf.tidy(() => {
    const { factor, pivots } = cholesky(tensor3(a));
    return { factor: factor.dataSync() as Float32Array, pivots: pivots.dataSync() as Float32Array };
  });
}

/** Gradient of sum(w * cholesky(a).factor) with respect to a. */
function choleskyGrad(a: Mat[], w: Mat[]): Float32Array {
  return tf.tidy(() => {
    const wt = tensor3(w);
    const f = (x: tf.Tensor) => tf.sum(tf.mul(wt, cholesky(x as tf.Tensor3D).factor));
    const [grad] = tf.grads(f)([tensor3(a)]);
    return grad.dataSync() as Float32Array;
  });
}

/** Gradients of sum(w * triSolve(l, b, transpose)) with respect to l and b. */
function solveGrads(l: Mat[], b: Mat[], w: Mat[], transpose: boolean): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const wt = tensor3(w);
    const f = (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(wt, triSolve(x as tf.Tensor3D, y as tf.Tensor3D, transpose)));
    const [gl, gb] = tf.grads(f)([tensor3(l), tensor3(b)]);
    return [gl.dataSync() as Float32Array, gb.dataSync() as Float32Array];
  });
}

const N = 7;
const M = 3; // right-hand sides per element in solve tests
const DIMS = [1, 2, 3, 5, 8, 16];
const GRAD_DIMS = [2, 3, 5];

/** [[1,2],[2,1]]: L_00 = 1, L_10 = 2, pivot 1 = 1 - 2^2 = -3. */
const NOT_PD_2: Mat = [
  [1, 2],
  [2, 1],
];
/** Columns 0 and 1 factor as [2,1,1,0] and [1,2,0]; pivot 2 = 1 - 1^2 - 2^2 = -4. */
const NOT_PD_4: Mat = [
  [4, 2, 2, 0],
  [2, 2, 3, 0],
  [2, 3, 1, 0],
  [0, 0, 0, 1],
];

describe.each(BACKENDS)('linalg on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe('cholesky', () => {
    it.each(DIMS)('matches the float64 reference for d = %i', (d) => {
      const rng = seedrandom(`cholesky-forward-${d}`);
      const a = Array.from({ length: N }, () => randomSpd(rng, d));
      const { factor, pivots } = choleskyData(a);
      const refs = a.map(refCholesky);
      expectClose(factor, refs.map((r) => r.l).flat(2), 1e-5, 'factor');
      expectClose(
        pivots,
        refs.flatMap((r) => r.pivots),
        1e-5,
        'pivots',
      );
      // Independently of the reference's loop order: L L^T rebuilds A.
      const ls = unpack(factor, N, d, d);
      const rebuilt = ls.map((l) => l.map((li) => l.map((lj) => li.reduce((s, v, k) => s + v * lj[k], 0))));
      expectClose(rebuilt.flat(2), a.flat(2), 1e-5, 'L L^T');
      for (const l of ls) for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) expect(l[i][j]).toBe(0);
    });

    it('reads only the lower triangle', () => {
      const rng = seedrandom('cholesky-lower');
      const a = Array.from({ length: N }, () => randomSpd(rng, 5));
      const garbage = a.map((m) => m.map((row, i) => row.map((v, j) => (j > i ? Number.NaN : v))));
      const clean = choleskyData(a);
      const dirty = choleskyData(garbage);
      expect(bits(dirty.factor, 0, dirty.factor.length)).toEqual(bits(clean.factor, 0, clean.factor.length));
      expect(bits(dirty.pivots, 0, dirty.pivots.length)).toEqual(bits(clean.pivots, 0, clean.pivots.length));
    });

    it.each(GRAD_DIMS)('gradient matches finite differences of the reference for d = %i', (d) => {
      const rng = seedrandom(`cholesky-grad-${d}`);
      const a = Array.from({ length: N }, () => randomSpd(rng, d));
      const w = Array.from({ length: N }, () => randomMat(rng, d, d));
      const grad = unpack(choleskyGrad(a, w), N, d, d);
      // The reference reads only the lower triangle, so its derivative by a_ij (i > j) is the
      // sum of the symmetric gradient's two mirrored entries.
      const got: number[] = [];
      const want: number[] = [];
      for (let e = 0; e < N; e++) {
        const fd = fdGrad((x) => dot(w[e], refCholesky(x).l), a[e]);
        for (let i = 0; i < d; i++) {
          for (let j = 0; j <= i; j++) {
            got.push(i === j ? grad[e][i][i] : grad[e][i][j] + grad[e][j][i]);
            want.push(fd[i][j]);
          }
          for (let j = i + 1; j < d; j++) expect(grad[e][i][j], 'symmetric').toBe(grad[e][j][i]);
        }
      }
      expectClose(got, want, 1e-3, 'gradient');
    });

    it('reports a negative pivot exactly and NaN columns from it', () => {
      const { factor, pivots } = choleskyData([NOT_PD_2]);
      expect(Array.from(pivots)).toEqual([1, -3]);
      expect(Array.from(factor)).toEqual([1, 0, 2, Number.NaN]);

      const four = choleskyData([NOT_PD_4]);
      expect(Array.from(four.pivots)).toEqual([4, 1, -4, Number.NaN]);
      const nan = Number.NaN;
      expect(unpack(four.factor, 1, 4, 4)[0]).toEqual([
        [2, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 2, nan, 0],
        [0, 0, nan, nan],
      ]);
    });

    it('fails on a pivot that is positive in float64 but 0 as the reported float32', () => {
      // Found by search: for this c, pivot 1 of [[c, c], [c, c]] is about 2e-47 in float64.
      const c = Math.fround(1.0000399464691178e-31);
      const { factor, pivots } = choleskyData([
        [
          [c, c],
          [c, c],
        ],
      ]);
      expect(Array.from(pivots)).toEqual([c, 0]);
      expect(factor[3]).toBeNaN();
    });

    it('reports a NaN pivot for NaN input', () => {
      const rng = seedrandom('cholesky-nan');
      const a = randomSpd(rng, 3);
      const offDiagonal = a.map((row) => [...row]);
      offDiagonal[2][1] = Number.NaN;
      const diagonal = a.map((row) => [...row]);
      diagonal[0][0] = Number.NaN;
      const { pivots } = choleskyData([offDiagonal, diagonal]);
      const [off, diag] = unpack(pivots, 1, 2, 3)[0];
      // L_21 is NaN, so the pivot of column 2 (a_22 - L_20^2 - L_21^2) is the first failure.
      expect(off.slice(0, 2).every((p) => p > 0)).toBe(true);
      expect(off[2]).toBeNaN();
      expect(diag.every(Number.isNaN)).toBe(true);
    });

    it('gives each element the same bits alone as in a batch with failures', () => {
      const rng = seedrandom('cholesky-batch');
      const nanInput = randomSpd(rng, 4);
      nanInput[1][0] = Number.NaN;
      const a = [randomSpd(rng, 4), NOT_PD_4, randomSpd(rng, 4), nanInput, randomSpd(rng, 4)];
      const w = a.map(() => randomMat(rng, 4, 4));
      const batch = choleskyData(a);
      const batchGrad = choleskyGrad(a, w);
      a.forEach((ae, e) => {
        const alone = choleskyData([ae]);
        const aloneGrad = choleskyGrad([ae], [w[e]]);
        expect(bits(batch.factor, e * 16, 16), `factor ${e}`).toEqual(bits(alone.factor, 0, 16));
        expect(bits(batch.pivots, e * 4, 4), `pivots ${e}`).toEqual(bits(alone.pivots, 0, 4));
        expect(bits(batchGrad, e * 16, 16), `gradient ${e}`).toEqual(bits(aloneGrad, 0, 16));
      });
      // Failed elements get a zero gradient; healthy ones a finite one.
      const grads = unpack(batchGrad, a.length, 4, 4).map((g) => g.flat());
      for (const e of [1, 3]) expect(grads[e].every((v) => v === 0)).toBe(true);
      for (const e of [0, 2, 4]) expect(grads[e].every(Number.isFinite)).toBe(true);
    });

    it('rejects a non-square or non-float32 input', () => {
      tf.tidy(() => {
        expect(() => cholesky(tf.zeros([2, 3, 4]) as tf.Tensor3D)).toThrow(/\[N, d, d\]/);
        expect(() => cholesky(tf.zeros([2, 3, 3], 'int32') as tf.Tensor3D)).toThrow(/float32/);
      });
    });

    it('leaks no tensors', () => {
      const rng = seedrandom('cholesky-leak');
      const a = tensor3(Array.from({ length: N }, () => randomSpd(rng, 3)));
      const w = tensor3(Array.from({ length: N }, () => randomMat(rng, 3, 3)));
      const f = (x: tf.Tensor) => tf.sum(tf.mul(w, cholesky(x as tf.Tensor3D).factor));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) {
        tf.tidy(() => {
          cholesky(a);
          tf.grads(f)([a]);
        });
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, w]);
    });
  });

  describe.each([false, true])('triSolve (transpose = %s)', (transpose) => {
    it.each(DIMS)('matches the float64 reference for d = %i', (d) => {
      const rng = seedrandom(`solve-forward-${transpose}-${d}`);
      const l = Array.from({ length: N }, () => randomFactor(rng, d));
      const b = Array.from({ length: N }, () => randomMat(rng, M, d));
      const z = tf.tidy(() => triSolve(tensor3(l), tensor3(b), transpose).dataSync());
      const want = l.flatMap((le, e) => refSolve(le, b[e], transpose).flat());
      expectClose(z, want, 1e-5, 'z');
    });

    it('reads only the lower triangle of l', () => {
      const rng = seedrandom(`solve-lower-${transpose}`);
      const l = Array.from({ length: N }, () => randomFactor(rng, 5));
      const b = Array.from({ length: N }, () => randomMat(rng, M, 5));
      const garbage = l.map((m) => m.map((row, i) => row.map((v, j) => (j > i ? Number.NaN : v))));
      const solve = (lm: Mat[]) => tf.tidy(() => triSolve(tensor3(lm), tensor3(b), transpose).dataSync());
      const clean = solve(l) as Float32Array;
      const dirty = solve(garbage) as Float32Array;
      expect(bits(dirty, 0, dirty.length)).toEqual(bits(clean, 0, clean.length));
    });

    it.each(GRAD_DIMS)('gradients match finite differences of the reference for d = %i', (d) => {
      const rng = seedrandom(`solve-grad-${transpose}-${d}`);
      const l = Array.from({ length: N }, () => randomFactor(rng, d));
      const b = Array.from({ length: N }, () => randomMat(rng, M, d));
      const w = Array.from({ length: N }, () => randomMat(rng, M, d));
      const [gl, gb] = solveGrads(l, b, w, transpose);
      // The reference reads only tril(l), so the upper triangle's derivative is 0 as required.
      const fdL = l.map((le, e) => fdGrad((x) => dot(w[e], refSolve(x, b[e], transpose)), le));
      const fdB = b.map((be, e) => fdGrad((x) => dot(w[e], refSolve(l[e], x, transpose)), be));
      expectClose(gl, fdL.flat(2), 1e-3, 'gradient by l');
      expectClose(gb, fdB.flat(2), 1e-3, 'gradient by b');
      for (const g of unpack(gl, N, d, d)) {
        for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) expect(g[i][j]).toBe(0);
      }
    });

    it('gives each element the same bits alone as in a batch', () => {
      const rng = seedrandom(`solve-batch-${transpose}`);
      const l = Array.from({ length: N }, () => randomFactor(rng, 4));
      l[2][3][1] = Number.NaN; // a failed factor must not leak into its neighbours
      const b = Array.from({ length: N }, () => randomMat(rng, M, 4));
      const w = Array.from({ length: N }, () => randomMat(rng, M, 4));
      const solve = (lm: Mat[], bm: Mat[]) =>
        tf.tidy(() => triSolve(tensor3(lm), tensor3(bm), transpose).dataSync() as Float32Array);
      const z = solve(l, b);
      const [gl, gb] = solveGrads(l, b, w, transpose);
      for (let e = 0; e < N; e++) {
        const [glAlone, gbAlone] = solveGrads([l[e]], [b[e]], [w[e]], transpose);
        expect(bits(z, e * M * 4, M * 4), `z ${e}`).toEqual(bits(solve([l[e]], [b[e]]), 0, M * 4));
        expect(bits(gl, e * 16, 16), `gradient by l ${e}`).toEqual(bits(glAlone, 0, 16));
        expect(bits(gb, e * M * 4, M * 4), `gradient by b ${e}`).toEqual(bits(gbAlone, 0, M * 4));
      }
    });

    it('rejects a b that does not match l', () => {
      tf.tidy(() => {
        const l = tf.eye(3).reshape([1, 3, 3]) as tf.Tensor3D;
        expect(() => triSolve(l, tf.zeros([2, 1, 3]) as tf.Tensor3D, transpose)).toThrow(/\[1, m, 3\]/);
        expect(() => triSolve(l, tf.zeros([1, 1, 2]) as tf.Tensor3D, transpose)).toThrow(/\[1, m, 3\]/);
      });
    });

    it('leaks no tensors', () => {
      const rng = seedrandom(`solve-leak-${transpose}`);
      const l = tensor3(Array.from({ length: N }, () => randomFactor(rng, 3)));
      const b = tensor3(Array.from({ length: N }, () => randomMat(rng, M, 3)));
      const w = tensor3(Array.from({ length: N }, () => randomMat(rng, M, 3)));
      const f = (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(w, triSolve(x as tf.Tensor3D, y as tf.Tensor3D, transpose)));
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) {
        tf.tidy(() => {
          tf.grads(f)([l, b]);
        });
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([l, b, w]);
    });
  });
});
