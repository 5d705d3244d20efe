/**
 * L from raw blocks in spherical coordinates (the `spherical` parameterization), as one fused
 * tfjs op (`tf.customGrad`) looping over the elements' memory, like linalg.ts. Composed from
 * tfjs ops, the products of sines along each row take log2(d) rounds of padded, shifted copies
 * forward and back, a dozen ops at least per step for a map that is O(d^2) per element.
 *
 * Arithmetic in float64, rounded once to float32 on output; each element is computed from its
 * own memory only, by the same code path, so its result is bit-identical whatever batch it
 * rides in. Where the plain form's float32 ops round theta to just past pi (phi beyond ~19), its
 * sine is -4.4e-8 and L_ii negative; in float64 the sine stays positive, down to 6.1e-17 (phi
 * beyond ~38), so such a row's L_ii is tiny and positive instead. A product of a few such sines
 * underflows float32 to 0, which is reported.
 */
import { tf } from '../tf.js';
import { squareBatch, values } from './fused.js';

/**
 * L [N, d, d] from raw [N, d, d]: row i has length exp(raw_ii) and angles
 * theta_ij = pi sigmoid(raw_ij), j < i, with L_ij = r_i cos(theta_ij) prod_{k<j} sin(theta_ik)
 * and L_ii = r_i prod_{k<i} sin(theta_ik). The upper triangles of raw are unused (zero gradient)
 * and of L zero. Differentiable with respect to raw.
 */
export function sphericalFactor(raw: tf.Tensor3D): tf.Tensor3D {
  const [n, d] = squareBatch(raw, 'sphericalFactor', 'raw');
  const op = tf.customGrad((x) => {
    const p = values(x);
    const rows = new RowKernel(d);
    const l = new Float32Array(n * d * d);
    for (let e = 0; e < n; e++) for (let i = 0; i < d; i++) rows.forward(p, l, e * d * d + i * d, i);
    return {
      value: tf.tensor3d(l, [n, d, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const grad = new Float32Array(n * d * d);
        for (let e = 0; e < n; e++)
          for (let i = 0; i < d; i++) rows.backward(p, g, grad, e * d * d + i * d, i);
        return tf.tensor3d(grad, [n, d, d]);
      },
    };
  });
  return op(raw) as tf.Tensor3D;
}

/** One row at a time, its float64 intermediates kept in scratch allocated once per call. */
class RowKernel {
  /** The running product r prod_{k<j} sin(theta_k) before angle j (scale[0] = r), then L_ii at index i. */
  private readonly scale: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** tanh(phi_j / 2), for d theta / d phi. */
  private readonly tanh: Float64Array;

  constructor(d: number) {
    this.scale = new Float64Array(d);
    this.cos = new Float64Array(d);
    this.sin = new Float64Array(d);
    this.tanh = new Float64Array(d);
  }

  /**
   * Row i (starting at offset `at`) into the scratch and, when `l` is given, into L.
   * theta = pi/2 + u with u = (pi/2) tanh(phi/2), so cos(theta) = -sin(u) and sin(theta) = cos(u):
   * exact 0 and 1 at phi = 0, where cos of the rounded pi/2 would not be 0.
   */
  forward(p: Float32Array, l: Float32Array | undefined, at: number, i: number): void {
    const { scale, cos, sin, tanh } = this;
    let s = Math.exp(p[at + i]);
    for (let j = 0; j < i; j++) {
      const t = Math.tanh(p[at + j] / 2);
      const u = (Math.PI / 2) * t;
      tanh[j] = t;
      cos[j] = -Math.sin(u);
      sin[j] = Math.cos(u);
      scale[j] = s;
      if (l) l[at + j] = s * cos[j];
      s *= sin[j];
    }
    scale[i] = s;
    if (l) l[at + i] = s;
  }

  /**
   * Row i's gradient from G = dLoss/dL, backwards along the row: with s_{j+1} = s_j sin_j and
   * L_ij = s_j cos_j, sbar_j = G_ij cos_j + sbar_{j+1} sin_j starting from sbar_i = G_ii;
   * thetabar_j = -sin_j s_j G_ij + cos_j s_j sbar_{j+1}; d theta / d phi = (pi/4) (1 - tanh^2);
   * and d s_0 / d raw_ii = s_0.
   */
  backward(p: Float32Array, g: Float32Array, grad: Float32Array, at: number, i: number): void {
    this.forward(p, undefined, at, i);
    const { scale, cos, sin, tanh } = this;
    let sbar = g[at + i];
    for (let j = i - 1; j >= 0; j--) {
      const gij = g[at + j];
      const thetabar = scale[j] * (cos[j] * sbar - sin[j] * gij);
      grad[at + j] = thetabar * (Math.PI / 4) * (1 - tanh[j] * tanh[j]);
      sbar = gij * cos[j] + sbar * sin[j];
    }
    grad[at + i] = sbar * scale[0];
  }
}
