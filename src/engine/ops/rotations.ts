/**
 * Sigma = U diag(exp(l)) U^T with U = G_1 ... G_K a product of Givens rotations (the `givens`
 * parameterization), for a batch of raw blocks, as one fused tfjs op (`tf.customGrad`) looping
 * over the elements' memory, like linalg.ts and expm.ts. Composed from tfjs ops, the K = d(d-1)/2
 * rotations cost a [N, K, d, d] tensor and log K rounds of batched matMuls forward and back
 * (about 140 lane-steps/s at d = 8); here each rotation touches only its two columns of U, so
 * the whole map is O(d^3) per element, forward and backward.
 *
 * Arithmetic in float64, rounded once to float32 on output; each element is computed from its
 * own memory only, by the same code path, so its result is bit-identical whatever batch it
 * rides in.
 */
import { tf } from '../tf.js';
import { squareBatch, values } from './fused.js';

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
 * Sigma [N, d, d] from raw blocks [N, d, d]: l on the diagonal, theta_cr at (r, c), the upper
 * triangle unused (its gradient is zero). Differentiable with respect to raw; Sigma's gradient
 * may be any matrix (the Cholesky that follows gives a symmetric one).
 */
export function givensCovariance(raw: tf.Tensor3D): tf.Tensor3D {
  const [n, d] = squareBatch(raw, 'givensCovariance', 'raw');
  const op = tf.customGrad((x) => {
    const p = values(x);
    // V = U^T of every element in float64, kept for the gradient: twice the size of Sigma's
    // float32 output, and it saves recomputing the rotations.
    const u = new Float64Array(n * d * d);
    const sigma = new Float32Array(n * d * d);
    const kernel = new GivensKernel(d);
    for (let e = 0; e < n; e++) kernel.forward(p, u, sigma, e * d * d);
    return {
      value: tf.tensor3d(sigma, [n, d, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const grad = new Float32Array(n * d * d);
        for (let e = 0; e < n; e++) kernel.backward(p, u, g, grad, e * d * d);
        return tf.tensor3d(grad, [n, d, d]);
      },
    };
  });
  return op(raw) as tf.Tensor3D;
}

/**
 * The per-element computation, with its float64 scratch allocated once per call. It holds
 * V = U^T rather than U: a rotation mixes two columns of U, which are two contiguous rows of V.
 */
class GivensKernel {
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

  /** V = U^T and Sigma of the element at offset `at`. */
  forward(p: Float32Array, v: Float64Array, sigma: Float32Array, at: number): void {
    const { d, pairs, scale, acc } = this;
    for (let i = 0; i < d; i++) v[at + i * d + i] = 1;
    // U <- U G(c, r, theta): column c of U becomes cos u_c + sin u_r, column r -sin u_c + cos u_r.
    for (const [c, r] of pairs) {
      const theta = p[at + r * d + c];
      const cos = Math.cos(theta);
      const sin = Math.sin(theta);
      const vc = at + c * d;
      const vr = at + r * d;
      for (let i = 0; i < d; i++) {
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
      const vk = at + k * d;
      for (let i = 0; i < d; i++) {
        const a = s * v[vk + i];
        for (let j = 0; j <= i; j++) acc[i * d + j] += a * v[vk + j];
      }
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        sigma[at + i * d + j] = acc[i * d + j];
        sigma[at + j * d + i] = acc[i * d + j];
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
  backward(p: Float32Array, v: Float64Array, g: Float32Array, grad: Float32Array, at: number): void {
    const { d, pairs, scale, acc, w, wbar } = this;
    for (let k = 0; k < d; k++) scale[k] = Math.exp(p[at + k * d + k]);
    for (let i = 0; i < d * d; i++) w[i] = v[at + i];
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) acc[i * d + j] = g[at + i * d + j] + g[at + j * d + i];
    wbar.fill(0);
    for (let k = 0; k < d; k++) {
      const rk = k * d;
      for (let j = 0; j < d; j++) {
        const a = scale[k] * w[rk + j];
        for (let i = 0; i < d; i++) wbar[rk + i] += a * acc[j * d + i];
      }
      let s = 0;
      for (let i = 0; i < d; i++) s += w[rk + i] * wbar[rk + i];
      grad[at + rk + k] = s / 2;
    }
    for (let q = pairs.length - 1; q >= 0; q--) {
      const [c, r] = pairs[q];
      const theta = p[at + r * d + c];
      const cos = Math.cos(theta);
      const sin = Math.sin(theta);
      const rc = c * d;
      const rr = r * d;
      let s = 0;
      for (let i = 0; i < d; i++) {
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
      grad[at + rr + c] = s;
    }
  }
}
