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
import { GivensKernel } from './givens-kernel.js';

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
    for (let e = 0; e < n; e++) kernel.forward(p, e * d * d, u, e * d * d, sigma, e * d * d);
    return {
      value: tf.tensor3d(sigma, [n, d, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const grad = new Float32Array(n * d * d);
        for (let e = 0; e < n; e++)
          kernel.backward(p, e * d * d, u, e * d * d, g, e * d * d, grad, e * d * d);
        return tf.tensor3d(grad, [n, d, d]);
      },
    };
  });
  return op(raw) as tf.Tensor3D;
}
