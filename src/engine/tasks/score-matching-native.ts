import type { Parameterization } from '../parameterizations/types.js';
import type { NativeTask } from './types.js';

/**
 * Score matching for the native step, through each lane's data moments: with r_i = x_i - mu and
 * P the precision, sum_i |P r_i|^2 = tr(P R P) where R = sum_i r_i r_i^T = C + n e e^T, C the
 * scatter of the points about their mean xbar and e = xbar - mu. So the loss
 * tr(P R P) / (2n) - tr(P) costs O(d^3) a step instead of O(n d^2) (score-matching-fused.ts, the
 * tfjs op's kernel, walks the points); the moments are computed once, in float64, centred so
 * that nothing cancels. Gradients: d / d mu = -P^2 e; d / dP = G = (P R + R P) / (2n) - I, then
 * through P = W^T W with W = L^-1 (a covariance factor: dW = 2 W G, dL = -W^T dW W^T) or P = L L^T
 * (a precision factor: dL = 2 G L), lower triangles only.
 */
export class NativeScoreMatching implements NativeTask {
  readonly counters = [];
  private readonly xbar: Float64Array;
  private readonly scatter: Float64Array;
  /** W (lower), P, P R, G and dW, row-major d x d; e and P e. */
  private readonly w: Float64Array;
  private readonly p: Float64Array;
  private readonly pr: Float64Array;
  private readonly g: Float64Array;
  private readonly dw: Float64Array;
  private readonly e: Float64Array;
  private readonly pe: Float64Array;

  constructor(
    x: Float32Array,
    private readonly n: number,
    private readonly d: number,
    lanes: number,
    private readonly of: Parameterization['factorOf'],
  ) {
    this.xbar = new Float64Array(lanes * d);
    this.scatter = new Float64Array(lanes * d * d);
    for (let b = 0; b < lanes; b++) {
      const mean = this.xbar.subarray(b * d, (b + 1) * d);
      for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) mean[p] += x[(b * n + i) * d + p];
      for (let p = 0; p < d; p++) mean[p] /= n;
      const c = this.scatter.subarray(b * d * d, (b + 1) * d * d);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < d; p++) {
          const rp = x[(b * n + i) * d + p] - mean[p];
          for (let q = 0; q < d; q++) c[p * d + q] += rp * (x[(b * n + i) * d + q] - mean[q]);
        }
    }
    const dd = d * d;
    [this.w, this.p, this.pr, this.g, this.dw] = [0, 1, 2, 3, 4].map(() => new Float64Array(dd));
    this.e = new Float64Array(d);
    this.pe = new Float64Array(d);
  }

  begin(): void {}

  lane(
    b: number,
    [mu]: Float32Array[],
    l: Float32Array,
    dl: Float32Array,
    grads: Float32Array[] | undefined,
  ) {
    const { n, d, w, p, pr, g, e, pe } = this;
    this.precision(l);
    for (let k = 0; k < d; k++) e[k] = this.xbar[b * d + k] - mu[b * d + k];
    // P R = P C + n (P e) e^T.
    const c = b * d * d;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += p[i * d + k] * e[k];
      pe[i] = s;
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = n * pe[i] * e[j];
        for (let k = 0; k < d; k++) s += p[i * d + k] * this.scatter[c + k * d + j];
        pr[i * d + j] = s;
      }
    let fit = 0;
    let trace = 0;
    for (let k = 0; k < d * d; k++) fit += pr[k] * p[k];
    for (let k = 0; k < d; k++) trace += p[k * d + k];
    const loss = fit / (2 * n) - trace;
    if (!grads) return loss;
    const dmu = grads[0];
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += p[i * d + k] * pe[k];
      dmu[b * d + i] = -s;
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        g[i * d + j] = (pr[i * d + j] + pr[j * d + i]) / (2 * n) - (i === j ? 1 : 0);
    if (this.of === 'precision') {
      // dL = 2 G L, lower triangle: (G L)_ij = sum_{k >= j} G_ik L_kj.
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = j; k < d; k++) s += g[i * d + k] * l[k * d + j];
          dl[i * d + j] = 2 * s;
        }
      return loss;
    }
    // dW = 2 W G (lower triangle): (W G)_ij = sum_{k <= i} W_ik G_kj.
    const dw = this.dw;
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += w[i * d + k] * g[k * d + j];
        dw[i * d + j] = 2 * s;
      }
    // dL = -W^T dW W^T, lower triangle; T = W^T dW (in pr, no longer needed):
    // T_ij = sum_{k >= max(i, j)} W_ki dW_kj.
    const t = pr;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = Math.max(i, j); k < d; k++) s += w[k * d + i] * dw[k * d + j];
        t[i * d + j] = s;
      }
    // dL_ij = -sum_{k <= j} T_ik W_jk, for j <= i.
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += t[i * d + k] * w[j * d + k];
        dl[i * d + j] = -s;
      }
    return loss;
  }

  /** P (full, symmetric) of the factor l; for a covariance factor also W = L^-1 (lower). */
  private precision(l: Float32Array) {
    const { d, w, p } = this;
    if (this.of === 'precision') {
      // P = L L^T: P_ij = sum_{k <= min(i, j)} L_ik L_jk.
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += l[i * d + k] * l[j * d + k];
          p[i * d + j] = p[j * d + i] = s;
        }
      return;
    }
    // Row i of W: W_ij = (delta_ij - sum_{j <= k < i} L_ik W_kj) / L_ii.
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        if (j > i) {
          w[i * d + j] = 0;
          continue;
        }
        let s = i === j ? 1 : 0;
        for (let k = j; k < i; k++) s -= l[i * d + k] * w[k * d + j];
        w[i * d + j] = s / l[i * d + i];
      }
    // P = W^T W: P_ij = sum_{k >= max(i, j)} W_ki W_kj.
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = i; k < d; k++) s += w[k * d + i] * w[k * d + j];
        p[i * d + j] = p[j * d + i] = s;
      }
  }
}
