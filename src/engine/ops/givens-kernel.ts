/** The rotations of the `givens` parameterization and their arithmetic on host memory. */

/**
 * The pairs (c, r), c < r, in the order the rotations multiply: (0,1), (0,2), ..., (0,d-1),
 * (1,2), ... G(c, r, theta) is I with cos theta at (c,c) and (r,r), -sin theta at (c,r) and
 * sin theta at (r,c).
 */
export function rotationPairs(d: number): [number, number][] {
  const out: [number, number][] = [];
  for (let c = 0; c < d; c++) for (let r = c + 1; r < d; r++) out.push([c, r]);
  return out;
}

/**
 * Sigma = U diag(exp(l)) U^T of one raw block of the `givens` parameterization and its backward,
 * in float64 with float32 input and output: what rotations.ts's fused op runs for each element,
 * and what the native step's givens map runs (so both give a lane the same numbers). Float64
 * scratch is allocated once per kernel. It holds V = U^T rather than U: a rotation mixes two
 * columns of U, which are two contiguous rows of V.
 */
export class GivensKernel {
  private readonly pairs: [number, number][];
  /** exp(l) of the current element. */
  private readonly scale: Float64Array;
  /** Sigma of the element in float64. */
  private readonly acc: Float64Array;
  /** V of the element, rotated back to the identity during the backward pass. */
  private readonly w: Float64Array;
  /** The gradient by V, carried back through the rotations. */
  private readonly wbar: Float64Array;

  constructor(private readonly d: number) {
    this.pairs = rotationPairs(d);
    this.scale = new Float64Array(d);
    this.acc = new Float64Array(d * d);
    this.w = new Float64Array(d * d);
    this.wbar = new Float64Array(d * d);
  }

  /** V = U^T into v[vo..] and Sigma into sigma[so..] of the raw block at p[at..]. */
  forward(p: Float32Array, at: number, v: Float64Array, vo: number, sigma: Float32Array, so: number): void {
    const { d, pairs, scale, acc } = this;
    for (let i = 0; i < d * d; i++) v[vo + i] = 0;
    for (let i = 0; i < d; i++) v[vo + i * d + i] = 1;
    // U <- U G(c, r, theta): column c of U becomes cos u_c + sin u_r, column r -sin u_c + cos u_r.
    // Rows c and r of V are zero beyond entry r until this rotation (supported), so it touches
    // entries 0..r only: a third fewer operations than whole rows, and the same numbers.
    for (const [c, r] of pairs) {
      const theta = p[at + r * d + c];
      const cos = Math.cos(theta);
      const sin = Math.sin(theta);
      const vc = vo + c * d;
      const vr = vo + r * d;
      for (let i = 0; i <= r; i++) {
        const a = v[vc + i];
        const b = v[vr + i];
        v[vc + i] = cos * a + sin * b;
        v[vr + i] = -sin * a + cos * b;
      }
    }
    // Sigma = sum_k exp(l_k) u_k u_k^T, u_k = row k of V; the lower triangle, then mirrored.
    acc.fill(0);
    for (let k = 0; k < d; k++) {
      const s = Math.exp(p[at + k * d + k]);
      scale[k] = s;
      const vk = vo + k * d;
      for (let i = 0; i < d; i++) {
        const a = s * v[vk + i];
        for (let j = 0; j <= i; j++) acc[i * d + j] += a * v[vk + j];
      }
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        sigma[so + i * d + j] = acc[i * d + j];
        sigma[so + j * d + i] = acc[i * d + j];
      }
  }

  /**
   * The gradient by raw from G = dLoss/dSigma. With E = diag(exp(l)):
   * dSigma = dU E U^T + U E dU^T + U dE U^T, so Ubar = (G + G^T) U E, that is
   * Vbar = E V (G + G^T), and lbar_k = (U^T G U)_kk exp(l_k) = (V Vbar^T)_kk / 2. Then back
   * through U_k = U_{k-1} G_k, last rotation first: d U_k / d theta_k has column c = U_k's
   * column r and column r = -U_k's column c, so thetabar_k = <Vbar_c, V_r> - <Vbar_r, V_c> (rows);
   * Ubar_{k-1} = Ubar_k G_k^T, and U_{k-1} = U_k G_k^T (orthogonal: undoing a rotation loses
   * only float64 rounding).
   */
  backward(
    p: Float32Array,
    at: number,
    v: Float64Array,
    vo: number,
    g: Float32Array,
    go: number,
    grad: Float32Array,
    gro: number,
  ): void {
    const { d, pairs, scale, acc, w, wbar } = this;
    for (let k = 0; k < d; k++) scale[k] = Math.exp(p[at + k * d + k]);
    for (let i = 0; i < d * d; i++) w[i] = v[vo + i];
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) acc[i * d + j] = g[go + i * d + j] + g[go + j * d + i];
    wbar.fill(0);
    for (let k = 0; k < d; k++) {
      const rk = k * d;
      for (let j = 0; j < d; j++) {
        const a = scale[k] * w[rk + j];
        for (let i = 0; i < d; i++) wbar[rk + i] += a * acc[j * d + i];
      }
      let s = 0;
      for (let i = 0; i < d; i++) s += w[rk + i] * wbar[rk + i];
      grad[gro + rk + k] = s / 2;
    }
    for (let q = pairs.length - 1; q >= 0; q--) {
      const [c, r] = pairs[q];
      const theta = p[at + r * d + c];
      const cos = Math.cos(theta);
      const sin = Math.sin(theta);
      const rc = c * d;
      const rr = r * d;
      let s = 0;
      // Rows c and r of V_k are zero beyond entry r in exact arithmetic (the forward's
      // support); undoing later rotations leaves float64 rounding there, which is left out.
      for (let i = 0; i <= r; i++) {
        const wc = w[rc + i];
        const wr = w[rr + i];
        const bc = wbar[rc + i];
        const br = wbar[rr + i];
        s += bc * wr - br * wc;
        // Times G^T: column c of U gets cos u_c - sin u_r, column r sin u_c + cos u_r.
        w[rc + i] = cos * wc - sin * wr;
        w[rr + i] = sin * wc + cos * wr;
        wbar[rc + i] = cos * bc - sin * br;
        wbar[rr + i] = sin * bc + cos * br;
      }
      for (let i = r + 1; i < d; i++) {
        const bc = wbar[rc + i];
        const br = wbar[rr + i];
        wbar[rc + i] = cos * bc - sin * br;
        wbar[rr + i] = sin * bc + cos * br;
      }
      grad[gro + rr + c] = s;
    }
  }
}
