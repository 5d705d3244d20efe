import { tf } from '../tf.js';
import type { FactorOf } from './factor-of.js';
import { values } from './fused.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log N(x | mu, Sigma) for N Gaussians with lower-triangular factors L
 * [N, d, d], each at m points x [N, m, d] -> [N, m], as one fused op (see
 * fused.ts): the same function as `logDensity`'s plain form, with exact
 * gradients for x, mu and the lower triangle of L.
 *
 * With r = x - mu, a covariance factor (Sigma = L L^T) whitens z = L^-1 r and
 * has log|Sigma|^(1/2) = sum log L_jj; a precision factor (Sigma^-1 = L L^T)
 * whitens z = L^T r and has log|Sigma|^(1/2) = -sum log L_jj. Then
 * log p = -|z|^2 / 2 - log|Sigma|^(1/2) - d/2 log 2 pi.
 */
export function fusedLogDensity(x: tf.Tensor3D, mu: tf.Tensor2D, l: tf.Tensor3D, of: FactorOf): tf.Tensor2D {
  const [n, m, d] = x.shape;
  const op = tf.customGrad((xt, mt, lt) => {
    const [xv, mv, lv] = [values(xt), values(mt), values(lt)];
    const out = new Float32Array(n * m);
    const k = new DensityKernel(d, of);
    for (let e = 0; e < n; e++) k.forward(xv, mv, lv, e, m, out);
    return {
      value: tf.tensor2d(out, [n, m]),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const dx = new Float32Array(n * m * d);
        const dmu = new Float32Array(n * d);
        const dl = new Float32Array(n * d * d);
        for (let e = 0; e < n; e++) k.backward(xv, mv, lv, e, m, g, dx, dmu, dl);
        return [tf.tensor3d(dx, [n, m, d]), tf.tensor2d(dmu, [n, d]), tf.tensor3d(dl, [n, d, d])];
      },
    };
  });
  return op(x, mu, l) as tf.Tensor2D;
}

/**
 * One element's log-density and its gradient, for fused ops (this one, the
 * classifier's loss); scratch vectors are allocated once per op call.
 */
export class DensityKernel {
  private readonly r: Float64Array;
  private readonly z: Float64Array;
  /** Sigma^-1 r: the gradient of -|z|^2 / 2 with respect to mu. */
  private readonly s: Float64Array;
  private readonly dl: Float64Array;
  private readonly dmu: Float64Array;

  constructor(
    private readonly d: number,
    private readonly of: FactorOf,
  ) {
    this.r = new Float64Array(d);
    this.z = new Float64Array(d);
    this.s = new Float64Array(d);
    this.dl = new Float64Array(d * d);
    this.dmu = new Float64Array(d);
  }

  forward(
    x: Float32Array,
    mu: Float32Array,
    l: Float32Array,
    e: number,
    m: number,
    out: Float32Array | Float64Array,
  ) {
    const { d, z } = this;
    const half = this.halfLogDet(l, e);
    for (let i = 0; i < m; i++) {
      this.whiten(x, mu, l, e, (e * m + i) * d);
      let maha = 0;
      for (let p = 0; p < d; p++) maha += z[p] * z[p];
      out[e * m + i] = -0.5 * maha - half - d * HALF_LOG_2PI;
    }
  }

  backward(
    x: Float32Array,
    mu: Float32Array,
    l: Float32Array,
    e: number,
    m: number,
    gy: Float32Array | Float64Array,
    dx: Float32Array,
    dmu: Float32Array,
    dl: Float32Array,
  ) {
    const { d, r, z, s } = this;
    const lb = e * d * d;
    const { dl: acc, dmu: accMu } = this;
    // Loops, not fill(): a builtin call costs more than zeroing a few entries.
    for (let k = 0; k < d * d; k++) acc[k] = 0;
    for (let k = 0; k < d; k++) accMu[k] = 0;
    const covariance = this.of === 'covariance';
    let gsum = 0;
    for (let i = 0; i < m; i++) {
      const g = gy[e * m + i];
      gsum += g;
      const xb = (e * m + i) * d;
      this.whiten(x, mu, l, e, xb);
      if (covariance) {
        // s = L^-T z = Sigma^-1 r (back substitution); d(-|z|^2/2)/dL_pq = s_p z_q.
        for (let p = d - 1; p >= 0; p--) {
          let t = z[p];
          for (let q = p + 1; q < d; q++) t -= l[lb + q * d + p] * s[q];
          s[p] = t / l[lb + p * d + p];
        }
        for (let p = 0; p < d; p++) for (let q = 0; q <= p; q++) acc[p * d + q] += g * s[p] * z[q];
      } else {
        // s = L z = Sigma^-1 r; d(-|z|^2/2)/dL_pq = -r_p z_q.
        for (let p = 0; p < d; p++) {
          let t = 0;
          for (let q = 0; q <= p; q++) t += l[lb + p * d + q] * z[q];
          s[p] = t;
        }
        for (let p = 0; p < d; p++) for (let q = 0; q <= p; q++) acc[p * d + q] -= g * r[p] * z[q];
      }
      for (let p = 0; p < d; p++) {
        accMu[p] += g * s[p];
        dx[xb + p] = -g * s[p];
      }
    }
    // The log-determinant term: -+ sum log L_jj, so -+ 1 / L_jj per unit of gy.
    for (let j = 0; j < d; j++) acc[j * d + j] += (covariance ? -gsum : gsum) / l[lb + j * d + j];
    for (let p = 0; p < d; p++) {
      dmu[e * d + p] = accMu[p];
      for (let q = 0; q <= p; q++) dl[lb + p * d + q] = acc[p * d + q];
    }
  }

  /** log|Sigma|^(1/2) of element e. */
  private halfLogDet(l: Float32Array, e: number): number {
    const { d } = this;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += Math.log(l[e * d * d + j * d + j]);
    return this.of === 'covariance' ? sum : -sum;
  }

  /** r = x_i - mu and its whitened z, for the point at offset xb of element e. */
  private whiten(x: Float32Array, mu: Float32Array, l: Float32Array, e: number, xb: number) {
    const { d, r, z } = this;
    const lb = e * d * d;
    for (let p = 0; p < d; p++) r[p] = x[xb + p] - mu[e * d + p];
    if (this.of === 'covariance') {
      // z = L^-1 r by forward substitution.
      for (let p = 0; p < d; p++) {
        let t = r[p];
        for (let q = 0; q < p; q++) t -= l[lb + p * d + q] * z[q];
        z[p] = t / l[lb + p * d + p];
      }
    } else {
      // z = L^T r: z_q = sum_{p >= q} L_pq r_p.
      for (let q = 0; q < d; q++) {
        let t = 0;
        for (let p = q; p < d; p++) t += l[lb + p * d + q] * r[p];
        z[q] = t;
      }
    }
  }
}
