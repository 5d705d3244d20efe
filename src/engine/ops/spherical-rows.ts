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
import { RowKernel } from './spherical-kernel.js';

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
    for (let e = 0; e < n; e++)
      for (let i = 0; i < d; i++) rows.forward(p, e * d * d + i * d, l, e * d * d + i * d, i);
    return {
      value: tf.tensor3d(l, [n, d, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const grad = new Float32Array(n * d * d);
        for (let e = 0; e < n; e++)
          for (let i = 0; i < d; i++) {
            const at = e * d * d + i * d;
            rows.backward(p, at, g, at, grad, at, i);
          }
        return tf.tensor3d(grad, [n, d, d]);
      },
    };
  });
  return op(raw) as tf.Tensor3D;
}
