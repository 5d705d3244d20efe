/**
 * Batched linear algebra for the lane engine: Cholesky factorisation with per-element pivots,
 * and triangular solves. Every tensor has a leading batch axis N (lanes x units, flattened).
 *
 * Each op is ONE tfjs op (`tf.customGrad`) whose forward and backward loop over the batch
 * elements' memory in plain JS: the fused hot block of DESIGN.md ("Lanes"). At ~10 µs per tfjs
 * op, a d x d Cholesky and its gradient written as tiny tf ops would cost dozens of ops per
 * training step, each doing a few flops per element.
 *
 * Arithmetic is done in float64 JS numbers and rounded once to float32 on output. Each element
 * is computed from its own memory only, by the same code path, so its result is bit-identical
 * whatever batch it rides in. Scratch buffers are allocated once per call, never per element.
 */
import { tf } from '../tf.js';
import { CholeskyKernel } from './cholesky-kernel.js';
import { requireFloat32, squareBatch, values } from './fused.js';

export interface CholeskyResult {
  /** Lower-triangular L with L L^T = A, [N, d, d]; the upper triangle is zero. */
  factor: tf.Tensor3D;
  /** pivots[n, j] = a_jj - sum_{k<j} L_jk^2, whose square root is L_jj; [N, d]. */
  pivots: tf.Tensor2D;
}

/**
 * Cholesky factors of a batch of symmetric matrices [N, d, d], reading only their lower
 * triangles (like LAPACK potrf 'L' or torch.linalg.cholesky).
 *
 * Failure is per element: when the pivot of column j is <= 0 or NaN (as float32), that
 * element's factorisation stops. pivots[n, j] holds the failing value and pivots[n, j+1..] are
 * NaN; the factor's columns < j are complete and correct, and its lower-triangle entries in
 * columns >= j are NaN so that anything computed from them shows the failure. The caller
 * classifies the element from its first pivot that is <= 0 or NaN.
 *
 * Differentiable with respect to `a` through `factor` (Murray 2016, as torch's
 * cholesky_backward); the gradient is symmetric, and zero for failed elements. `pivots` carries
 * no gradient.
 */
export function cholesky(a: tf.Tensor3D): CholeskyResult {
  const [n, d] = squareBatch(a, 'cholesky', 'a');
  // Filled by the forward pass and wrapped as a tensor outside it: a tensor made inside
  // customGrad's forward is disposed by that op's internal tidy unless kept, and a kept tensor
  // would escape the caller's tidy.
  const pivots = new Float32Array(n * d);
  const op = tf.customGrad((x) => {
    const factor = new Float32Array(n * d * d);
    const ok = choleskyForward(values(x), factor, pivots, n, d);
    return {
      value: tf.tensor3d(factor, [n, d, d]),
      gradFunc: (dy: tf.Tensor) => tf.tensor3d(choleskyBackward(factor, ok, values(dy), n, d), [n, d, d]),
    };
  });
  return { factor: op(a) as tf.Tensor3D, pivots: tf.tensor2d(pivots, [n, d]) };
}

/**
 * Solves, for each batch element and each of the m rows b_i of b [N, m, d], L z_i = b_i
 * (forward substitution) or, with `transpose`, L^T z_i = b_i (back substitution). Reads only
 * the lower triangle of l [N, d, d]. b must have l's N (callers tile).
 *
 * No failure check: a zero or NaN diagonal in L gives Inf/NaN in z, which is the caller's
 * factor failing (already reported by its pivots or its parameterization's health check).
 *
 * Differentiable with respect to both l (the gradient's upper triangle is zero) and b.
 */
export function triSolve(l: tf.Tensor3D, b: tf.Tensor3D, transpose = false): tf.Tensor3D {
  const [n, d] = squareBatch(l, 'triSolve', 'l');
  if (b.rank !== 3 || b.shape[0] !== n || b.shape[2] !== d) {
    throw new Error(`triSolve: b must have shape [${n}, m, ${d}] to match l, got [${b.shape}]`);
  }
  requireFloat32(b, 'triSolve', 'b');
  const m = b.shape[1];
  const op = tf.customGrad((lt, bt) => {
    const lv = values(lt);
    const z = new Float32Array(n * m * d);
    solveForward(lv, values(bt), z, n, m, d, transpose);
    return {
      value: tf.tensor3d(z, [n, m, d]),
      gradFunc: (dy: tf.Tensor) => {
        const bbar = new Float32Array(n * m * d);
        const lbar = new Float32Array(n * d * d);
        solveBackward(lv, z, values(dy), bbar, lbar, n, m, d, transpose);
        return [tf.tensor3d(lbar, [n, d, d]), tf.tensor3d(bbar, [n, m, d])];
      },
    };
  });
  return op(l, b) as tf.Tensor3D;
}

/**
 * Left-looking, column by column (native/cholesky.ts, one element at a time): when column j
 * fails, every earlier column is finished in every row, so exactly the columns >= j are unknown.
 * Writes factor and pivots; returns, per element, 1 if it succeeded.
 */
function choleskyForward(
  a: Float32Array,
  factor: Float32Array,
  pivots: Float32Array,
  n: number,
  d: number,
): Uint8Array {
  const ok = new Uint8Array(n);
  const k = new CholeskyKernel(d);
  for (let e = 0; e < n; e++) ok[e] = k.forward(a, e * d * d, factor, e * d * d, pivots, e * d) ? 1 : 0;
  return ok;
}

/** The symmetric gradient of every element that succeeded (native/cholesky.ts); zeros for the others. */
function choleskyBackward(l: Float32Array, ok: Uint8Array, lbar: Float32Array, n: number, d: number) {
  const abar = new Float32Array(n * d * d);
  const k = new CholeskyKernel(d);
  for (let e = 0; e < n; e++) if (ok[e]) k.backward(l, e * d * d, lbar, e * d * d, abar, e * d * d);
  return abar;
}

/**
 * x = L^{-1} r (forward substitution) or, with transpose, x = L^{-T} r (back substitution),
 * for the d x d lower triangle of l at offset lb and the d-vector of r at offset rb.
 */
function substitute(
  l: Float32Array,
  lb: number,
  r: Float32Array,
  rb: number,
  x: Float64Array,
  d: number,
  transpose: boolean,
): void {
  if (transpose) {
    for (let p = d - 1; p >= 0; p--) {
      let s = r[rb + p];
      for (let q = p + 1; q < d; q++) s -= l[lb + q * d + p] * x[q];
      x[p] = s / l[lb + p * d + p];
    }
  } else {
    for (let p = 0; p < d; p++) {
      let s = r[rb + p];
      for (let q = 0; q < p; q++) s -= l[lb + p * d + q] * x[q];
      x[p] = s / l[lb + p * d + p];
    }
  }
}

function solveForward(
  l: Float32Array,
  b: Float32Array,
  z: Float32Array,
  n: number,
  m: number,
  d: number,
  transpose: boolean,
): void {
  const x = new Float64Array(d);
  for (let e = 0; e < n; e++) {
    for (let i = 0; i < m; i++) {
      const rb = (e * m + i) * d;
      substitute(l, e * d * d, b, rb, x, d, transpose);
      // A loop, not z.set(x, rb): a Float64Array -> Float32Array set costs ~40 ns a call.
      for (let p = 0; p < d; p++) z[rb + p] = x[p];
    }
  }
}

/**
 * For L z = b: bbar = L^{-T} zbar and Lbar = -tril(sum_i bbar_i z_i^T), since
 * dz = -L^{-1} dL z. For L^T z = b: bbar = L^{-1} zbar and Lbar = -tril(sum_i z_i bbar_i^T),
 * since dz = -L^{-T} dL^T z, so zbar . dz = -bbar . dL^T z = -z . dL bbar.
 */
function solveBackward(
  l: Float32Array,
  z: Float32Array,
  zbar: Float32Array,
  bbar: Float32Array,
  lbar: Float32Array,
  n: number,
  m: number,
  d: number,
  transpose: boolean,
): void {
  const x = new Float64Array(d); // bbar_i, kept in float64 for Lbar
  const acc = new Float64Array(d * d);
  for (let e = 0; e < n; e++) {
    const lb = e * d * d;
    acc.fill(0);
    for (let i = 0; i < m; i++) {
      const rb = (e * m + i) * d;
      substitute(l, lb, zbar, rb, x, d, !transpose);
      for (let p = 0; p < d; p++) bbar[rb + p] = x[p];
      if (transpose) {
        for (let p = 0; p < d; p++) {
          const zp = z[rb + p];
          for (let q = 0; q <= p; q++) acc[p * d + q] -= zp * x[q];
        }
      } else {
        for (let p = 0; p < d; p++) {
          const bp = x[p];
          for (let q = 0; q <= p; q++) acc[p * d + q] -= bp * z[rb + q];
        }
      }
    }
    for (let p = 0; p < d; p++) {
      for (let q = 0; q <= p; q++) lbar[lb + p * d + q] = acc[p * d + q];
    }
  }
}
