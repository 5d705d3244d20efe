/**
 * One row of the `spherical` parameterization's L and its backward, in float64 with float32 input
 * and output: what spherical-rows.ts's fused op runs for each row, and what the native step's
 * spherical map runs (so both give a lane the same numbers). Its float64 intermediates are kept in
 * scratch allocated once per kernel: one row's, or with `rows` > 1 each of that many rows', so
 * that a backward can read its row's forward instead of redoing its sines and cosines.
 */
export class RowKernel {
  /** The running product r prod_{k<j} sin(theta_k) before angle j (scale[0] = r), then L_ii at index i. */
  private readonly scale: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** tanh(phi_j / 2), for d theta / d phi. */
  private readonly tanh: Float64Array;

  constructor(
    private readonly d: number,
    rows = 1,
  ) {
    this.scale = new Float64Array(rows * d);
    this.cos = new Float64Array(rows * d);
    this.sin = new Float64Array(rows * d);
    this.tanh = new Float64Array(rows * d);
  }

  /**
   * Row i of the raw block (the row starting at p[pa..]) into the scratch and, when `l` is given,
   * into the row of L starting at l[lo..]; its intermediates into scratch row `slot`.
   * theta = pi/2 + u with u = (pi/2) tanh(phi/2), so cos(theta) = -sin(u) and sin(theta) = cos(u):
   * exact 0 and 1 at phi = 0, where cos of the rounded pi/2 would not be 0.
   */
  forward(p: Float32Array, pa: number, l: Float32Array | undefined, lo: number, i: number, slot = 0): void {
    const { scale, cos, sin, tanh } = this;
    const o = slot * this.d;
    let s = Math.exp(p[pa + i]);
    for (let j = 0; j < i; j++) {
      const t = Math.tanh(p[pa + j] / 2);
      const u = (Math.PI / 2) * t;
      tanh[o + j] = t;
      cos[o + j] = -Math.sin(u);
      sin[o + j] = Math.cos(u);
      scale[o + j] = s;
      if (l) l[lo + j] = s * cos[o + j];
      s *= sin[o + j];
    }
    scale[o + i] = s;
    if (l) l[lo + i] = s;
  }

  /**
   * Row i's gradient (into the row at grad[gra..]) from G = dLoss/dL (its row at g[ga..]), backwards along the row: with s_{j+1} = s_j sin_j and
   * L_ij = s_j cos_j, sbar_j = G_ij cos_j + sbar_{j+1} sin_j starting from sbar_i = G_ii;
   * thetabar_j = -sin_j s_j G_ij + cos_j s_j sbar_{j+1}; d theta / d phi = (pi/4) (1 - tanh^2);
   * and d s_0 / d raw_ii = s_0. With `kept`, the scratch row where `forward` left this row's
   * intermediates (the same raw row): they are read, not recomputed.
   */
  backward(
    p: Float32Array,
    pa: number,
    g: Float32Array,
    ga: number,
    grad: Float32Array,
    gra: number,
    i: number,
    kept?: number,
  ): void {
    if (kept === undefined) this.forward(p, pa, undefined, 0, i);
    const { scale, cos, sin, tanh } = this;
    const o = (kept ?? 0) * this.d;
    let sbar = g[ga + i];
    for (let j = i - 1; j >= 0; j--) {
      const gij = g[ga + j];
      const thetabar = scale[o + j] * (cos[o + j] * sbar - sin[o + j] * gij);
      grad[gra + j] = thetabar * (Math.PI / 4) * (1 - tanh[o + j] * tanh[o + j]);
      sbar = gij * cos[o + j] + sbar * sin[o + j];
    }
    grad[gra + i] = sbar * scale[o];
  }
}
