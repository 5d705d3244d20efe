import { tf } from '../tf.js';
import type { FactorOf } from './factor-of.js';
import { values } from './fused.js';

/**
 * The Hyvarinen score-matching loss of every lane, as one fused op (see
 * fused.ts): 1/(2n) sum_i |P r_i|^2 - tr(P) with r_i = x_i - mu and P the
 * precision; x [B, n, d] is the lanes' data in host memory, mu [B, d], L
 * [B, d, d] lower triangular; returns [B], with exact gradients for mu and
 * the lower triangle of L.
 *
 * Both factor kinds write P = W^T W with W lower triangular... up to a
 * transpose: a covariance factor has W = L^-1 (z = W r, s = W^T z = P r), a
 * precision factor W = L^T, kept as L (z = L^T r, s = L z). Either way
 * tr(P) = |W|_F^2. Inverting L once per lane and multiplying costs what the
 * triangular solves would, with contiguous row-major loops; per lane and step
 * it is 3 n d^2 + O(d^3) multiply-adds.
 */
export function fusedScoreMatching(
  x: Float32Array,
  n: number,
  mu: tf.Tensor2D,
  l: tf.Tensor3D,
  of: FactorOf,
) {
  const [B, d] = mu.shape;
  const op = tf.customGrad((mt, lt) => {
    const [mv, lv] = [values(mt), values(lt)];
    const k = new Kernel(x, n, d, of);
    const loss = new Float32Array(B);
    for (let b = 0; b < B; b++) loss[b] = k.forward(mv, lv, b);
    return {
      value: tf.tensor1d(loss),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const dmu = new Float32Array(B * d);
        const dl = new Float32Array(B * d * d);
        for (let b = 0; b < B; b++) k.backward(mv, lv, b, g[b], dmu, dl);
        return [tf.tensor2d(dmu, [B, d]), tf.tensor3d(dl, [B, d, d])];
      },
    };
  });
  return op(mu, l) as tf.Tensor1D;
}

/** One lane's loss and gradient in float64; scratch is allocated once per call of the op. */
class Kernel {
  /** W, lower triangular, row-major. */
  private readonly w: Float64Array;
  private readonly dw: Float64Array;
  private readonly t: Float64Array;
  private readonly r: Float64Array;
  private readonly z: Float64Array;
  private readonly s: Float64Array;
  private readonly dz: Float64Array;
  private readonly dmu: Float64Array;

  constructor(
    private readonly x: Float32Array,
    private readonly n: number,
    private readonly d: number,
    private readonly of: FactorOf,
  ) {
    this.w = new Float64Array(d * d);
    this.dw = new Float64Array(d * d);
    this.t = new Float64Array(d * d);
    this.r = new Float64Array(d);
    this.z = new Float64Array(d);
    this.s = new Float64Array(d);
    this.dz = new Float64Array(d);
    this.dmu = new Float64Array(d);
  }

  forward(mu: Float32Array, l: Float32Array, b: number): number {
    const { n, d, w, s } = this;
    this.loadW(l, b);
    let fit = 0;
    for (let i = 0; i < n; i++) {
      this.scoreOf(mu, b, i);
      for (let p = 0; p < d; p++) fit += s[p] * s[p];
    }
    let trace = 0;
    for (let k = 0; k < d * d; k++) trace += w[k] * w[k];
    return (0.5 * fit) / n - trace;
  }

  /**
   * Backward through s = P r in the order it was built: for a covariance
   * factor s = W^T z, z = W r; for a precision factor s = L z, z = L^T r.
   * The gradient with respect to W is then mapped to L.
   */
  backward(mu: Float32Array, l: Float32Array, b: number, g: number, dmu: Float32Array, dl: Float32Array) {
    const { n, d, w, dw, r, z, s, dz } = this;
    const covariance = this.of === 'covariance';
    const accMu = this.dmu;
    this.loadW(l, b);
    // d(-|W|_F^2) = -2 W.
    for (let k = 0; k < d * d; k++) dw[k] = -2 * g * w[k];
    for (let p = 0; p < d; p++) accMu[p] = 0;
    for (let i = 0; i < n; i++) {
      this.scoreOf(mu, b, i);
      // ds = g s / n, kept in s.
      for (let p = 0; p < d; p++) s[p] *= g / n;
      if (covariance) {
        lowerTimes(w, s, dz, d); // s = W^T z: dz = W ds, dW += z ds^T
        addOuterLower(dw, z, s, d);
        addOuterLower(dw, dz, r, d); // z = W r: dW += dz r^T, dr = W^T dz
        lowerTransposedTimes(w, dz, s, d);
      } else {
        lowerTransposedTimes(w, s, dz, d); // s = L z: dz = L^T ds, dL += ds z^T
        addOuterLower(dw, s, z, d);
        addOuterLower(dw, r, dz, d); // z = L^T r: dL += r dz^T, dr = L dz
        lowerTimes(w, dz, s, d);
      }
      // dr is in s; r = x - mu.
      for (let p = 0; p < d; p++) accMu[p] -= s[p];
    }
    for (let p = 0; p < d; p++) dmu[b * d + p] = accMu[p];
    const at = b * d * d;
    if (!covariance) {
      for (let p = 0; p < d; p++) for (let q = 0; q <= p; q++) dl[at + p * d + q] = dw[p * d + q];
      return;
    }
    // W = L^-1: dW = -W dL W, so dL = -W^T dW W^T, of which only the lower triangle is L's.
    // T = W^T dW: T_ij = sum_{k >= max(i, j)} W_ki dW_kj.
    const t = this.t;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) t[i * d + j] = 0;
    for (let k = 0; k < d; k++)
      for (let i = 0; i <= k; i++) {
        const wki = w[k * d + i];
        for (let j = 0; j <= k; j++) t[i * d + j] += wki * dw[k * d + j];
      }
    // dL_ij = -sum_{k <= j} T_ik W_jk, for j <= i.
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let sum = 0;
        for (let k = 0; k <= j; k++) sum += t[i * d + k] * w[j * d + k];
        dl[at + i * d + j] = -sum;
      }
  }

  /** W of lane b: L^-1 (by columns of the identity, forward substitution) or L itself. */
  private loadW(l: Float32Array, b: number) {
    const { d, w } = this;
    const at = b * d * d;
    if (this.of === 'precision') {
      for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) w[p * d + q] = q <= p ? l[at + p * d + q] : 0;
      return;
    }
    for (let k = 0; k < d * d; k++) w[k] = 0;
    // Row p of W: W_pq = (delta_pq - sum_{q <= k < p} L_pk W_kq) / L_pp, for q <= p.
    for (let p = 0; p < d; p++) {
      const lpp = l[at + p * d + p];
      for (let k = 0; k < p; k++) {
        const lpk = l[at + p * d + k];
        for (let q = 0; q <= k; q++) w[p * d + q] -= lpk * w[k * d + q];
      }
      w[p * d + p] += 1;
      for (let q = 0; q <= p; q++) w[p * d + q] /= lpp;
    }
  }

  /** r = x_i - mu, z and s = P r of point i of lane b, into the scratch vectors. */
  private scoreOf(mu: Float32Array, b: number, i: number) {
    const { x, n, d, w, r, z, s } = this;
    const at = (b * n + i) * d;
    for (let p = 0; p < d; p++) r[p] = x[at + p] - mu[b * d + p];
    if (this.of === 'covariance') {
      lowerTimes(w, r, z, d);
      lowerTransposedTimes(w, z, s, d);
    } else {
      lowerTransposedTimes(w, r, z, d);
      lowerTimes(w, z, s, d);
    }
  }
}

/** out = W v for lower-triangular W: row by row. */
function lowerTimes(w: Float64Array, v: Float64Array, out: Float64Array, d: number) {
  for (let p = 0; p < d; p++) {
    let sum = 0;
    for (let q = 0; q <= p; q++) sum += w[p * d + q] * v[q];
    out[p] = sum;
  }
}

/** out = W^T v for lower-triangular W: row p of W scaled by v_p, added up (rows stay contiguous). */
function lowerTransposedTimes(w: Float64Array, v: Float64Array, out: Float64Array, d: number) {
  for (let q = 0; q < d; q++) out[q] = 0;
  for (let p = 0; p < d; p++) {
    const vp = v[p];
    for (let q = 0; q <= p; q++) out[q] += w[p * d + q] * vp;
  }
}

/** The lower triangle of m += a b^T. */
function addOuterLower(m: Float64Array, a: Float64Array, b: Float64Array, d: number) {
  for (let p = 0; p < d; p++) {
    const ap = a[p];
    for (let q = 0; q <= p; q++) m[p * d + q] += ap * b[q];
  }
}
