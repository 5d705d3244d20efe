/**
 * Score matching's native lane for a diagonal covariance factor L (NativeMap.diagonal): the
 * numbers of NativeScoreMatching's dense lane, bit for bit, in O(d) a lane instead of O(d^3).
 *
 * Why the same numbers: with L diagonal (its off-diagonal entries +0, as the step's factor buffer
 * holds them) and positive, W = L^-1 and P = W^T W are diagonal with +0 off it, so every term of a
 * dense sum that reads an off-diagonal entry of L, W or P is a product of +0 with a finite number:
 * a zero. Every such sum starts from +0, and adding zeros to a sum that holds a +0 leaves its one
 * product term x unchanged unless x is itself zero, which then ends +0 whatever x's sign: `0 + x`,
 * written so below. Products of a zero with Inf or NaN are not zeros, so the lane goes back to the
 * dense path (returns undefined) unless every number that meets such a zero is finite: a bound on
 * them from the lane's largest |W|, |P e|, |e| and |C| (kept per lane), with a wide margin.
 *
 * dL: its diagonal is the dense path's; its off-diagonal entries are not written (the diagonal map
 * reads none; d loss / d L_ij for i != j is not zero, and costs O(d^2)).
 */
export class DiagonalScoreMatching {
  /** Per lane, the largest |C_ij| of its scatter C. */
  private readonly maxScatter: Float64Array;
  private readonly w: Float64Array;
  private readonly p: Float64Array;
  private readonly e: Float64Array;
  private readonly pe: Float64Array;

  constructor(
    private readonly xbar: Float64Array,
    private readonly scatter: Float64Array,
    private readonly n: number,
    private readonly d: number,
    lanes: number,
  ) {
    const dd = d * d;
    this.maxScatter = new Float64Array(lanes);
    for (let b = 0; b < lanes; b++) {
      let m = 0;
      for (let k = 0; k < dd; k++) m = Math.max(m, Math.abs(scatter[b * dd + k]));
      this.maxScatter[b] = m;
    }
    [this.w, this.p, this.e, this.pe] = [0, 1, 2, 3].map(() => new Float64Array(d));
  }

  /** Lane b's loss, d loss / d mu into grads[0] and dL's diagonal into dl; undefined: take the dense path. */
  lane(
    b: number,
    mu: Float32Array,
    l: Float32Array,
    dl: Float32Array,
    grads: Float32Array[] | undefined,
  ): number | undefined {
    const { n, d, w, p, e, pe, xbar, scatter } = this;
    const c = b * d * d;
    let maxW = 0;
    for (let j = 0; j < d; j++) {
      const ljj = l[j * d + j];
      // Not positive and finite (NaN fails too): W or P would hold zeros of another sign or
      // non-finite numbers, and the dense path's sums would not reduce to one term.
      if (!(ljj > 0 && ljj < Number.POSITIVE_INFINITY)) return undefined;
      // The dense path's W_jj = (1 - zeros) / L_jj and P_jj = 0 + W_jj W_jj + zeros.
      w[j] = 1 / ljj;
      p[j] = w[j] * w[j];
      maxW = Math.max(maxW, w[j]);
    }
    let maxE = 0;
    let maxPe = 0;
    for (let j = 0; j < d; j++) {
      e[j] = xbar[b * d + j] - mu[b * d + j];
      pe[j] = 0 + p[j] * e[j];
      maxE = Math.max(maxE, Math.abs(e[j]));
      maxPe = Math.max(maxPe, Math.abs(pe[j]));
    }
    // Every entry of P R = n (P e) e^T + P C, of G = (P R + R P) / (2n) - I, of dW = 2 W G and of
    // T = W^T dW is below these bounds (NaN fails the test, so it falls back as well).
    const pr = n * maxPe * maxE + maxW * maxW * this.maxScatter[b];
    if (!(4 * maxW * maxW * (pr / n + 1) < 1e300 && pr < 1e300)) return undefined;
    let fit = 0;
    let trace = 0;
    for (let j = 0; j < d; j++) {
      // (P R)_jj = n (P e)_j e_j + (0 + P_jj C_jj + zeros): one sum of two terms either way round.
      const prjj = n * pe[j] * e[j] + p[j] * scatter[c + j * d + j];
      // The dense sums over all d^2 entries of P R (.) P and of P's diagonal, row-major: the
      // diagonal terms in this order, zeros between.
      fit += prjj * p[j];
      trace += p[j];
      // Kept in e's place (e_j is read no more): G_jj.
      if (grads) e[j] = (prjj + prjj) / (2 * n) - 1;
    }
    const loss = fit / (2 * n) - trace;
    if (!grads) return loss;
    for (let i = 0; i < d; i++) {
      grads[0][b * d + i] = -(0 + p[i] * pe[i]);
      // dW_ii = 2 (0 + W_ii G_ii), T_ii = 0 + W_ii dW_ii, dL_ii = -(0 + T_ii W_ii).
      const dw = 2 * (0 + w[i] * e[i]);
      dl[i * d + i] = -(0 + (0 + w[i] * dw) * w[i]);
    }
    return loss;
  }
}
