import { HALF_LOG_2PI } from './mvn-classifier-wasm.js';

/** Whether some v[from..to) has its sign bit set (negative, or -0). */
function anySignBit(v: Float64Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (v[k] < 0 || Object.is(v[k], -0)) return true;
  return false;
}

/**
 * The classifier's densities and their backward for a diagonal covariance factor L
 * (NativeMap.diagonal): NativeClassifier's `density` and `densityBackward` (without the Sigma
 * route) in O(d) a trial instead of O(d^2), with their numbers bit for bit.
 *
 * Why the same numbers: the dense substitutions t = r_p - sum_{q < p} L_pq z_q (and s's, from the
 * other end) subtract products of an off-diagonal L_pq = +0 with a finite z_q, that is a zero
 * with z_q's sign. Subtracting a zero leaves t as it is, except that -0 - (-0) is +0: t = r_p = -0
 * turns +0 when some earlier z_q has its sign bit set, and so it does here. A z or s that is not
 * finite would make NaN of those products, so a unit whose L has a zero or non-finite diagonal
 * entry, or whose z is not all finite, takes the dense path (`forward` returns false). The sums
 * over trials, of g s_p z_p on the diagonal and of g s_p for mu, are the dense path's own.
 *
 * dL: its diagonal is the dense path's; its off-diagonal entries are not written (the diagonal
 * map reads none; d loss / d L_pq for p > q is sum_i g_i s_p z_q, not zero, and costs O(d^2) a
 * trial).
 */
export class DiagonalDensities {
  private readonly s: Float64Array;
  private readonly acc: Float64Array;
  private readonly accMu: Float64Array;

  constructor(
    private readonly d: number,
    private readonly units: number,
    /** NativeClassifier's points, z of the current lane (at (u m + i) d), log p and d loss / d log p. */
    private readonly points: Float32Array,
    private readonly zs: Float64Array,
    private readonly logp: Float64Array,
    private readonly dlogp: Float64Array,
  ) {
    [this.s, this.acc, this.accMu] = [0, 1, 2].map(() => new Float64Array(d));
  }

  /**
   * log N(x_i | mu_u, L_u L_u^T) of lane b's m trials into logp, z into zs; false when unit u must
   * take the dense path (then nothing it wrote is read).
   */
  forward(b: number, u: number, m: number, mu: Float32Array, l: Float32Array): boolean {
    const { d, zs, points } = this;
    const lo = u * d * d;
    const mo = (b * this.units + u) * d;
    let half = 0;
    for (let j = 0; j < d; j++) {
      const ljj = l[lo + j * d + j];
      if (ljj === 0 || !Number.isFinite(ljj)) return false;
      half += Math.log(ljj);
    }
    let finite = true;
    for (let i = 0; i < m; i++) {
      const xo = (b * m + i) * d;
      const zo = (u * m + i) * d;
      let maha = 0;
      for (let p = 0; p < d; p++) {
        let t = points[xo + p] - mu[mo + p];
        if (t === 0 && anySignBit(zs, zo, zo + p)) t = 0;
        const zp = t / l[lo + p * d + p];
        zs[zo + p] = zp;
        maha += zp * zp;
      }
      // maha is finite exactly when every z_p is.
      finite &&= Number.isFinite(maha);
      this.logp[(b * this.units + u) * m + i] = -0.5 * maha - half - d * HALF_LOG_2PI;
    }
    return finite;
  }

  /** d loss / d mu_u into dmu and dL_u's diagonal into dl (nothing off it), after `forward` gave true. */
  backward(b: number, u: number, m: number, l: Float32Array, dl: Float32Array, dmu: Float32Array) {
    const { d, zs, s, acc, accMu, dlogp } = this;
    const lo = u * d * d;
    const mo = (b * this.units + u) * d;
    let gsum = 0;
    for (let i = 0; i < m; i++) {
      const g = dlogp[(b * this.units + u) * m + i];
      gsum += g;
      const zo = (u * m + i) * d;
      for (let p = d - 1; p >= 0; p--) {
        let t = zs[zo + p];
        if (t === 0 && anySignBit(s, p + 1, d)) t = 0;
        s[p] = t / l[lo + p * d + p];
      }
      // As the dense path: the first trial's terms added to 0, the last trial's sums to dl and dmu.
      const first = i === 0;
      const last = i === m - 1;
      for (let p = 0; p < d; p++) {
        const gs = g * s[p];
        const sum = (first ? 0 : acc[p]) + gs * zs[zo + p];
        if (last) dl[lo + p * d + p] = sum + -gsum / l[lo + p * d + p];
        else acc[p] = sum;
        const sumMu = (first ? 0 : accMu[p]) + gs;
        if (last) dmu[mo + p] = sumMu;
        else accMu[p] = sumMu;
      }
    }
  }
}
