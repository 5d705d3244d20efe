import { eye } from '../ops/masks.js';
import { tf } from '../tf.js';
import type { Parameterization } from './types.js';

/**
 * Sigma = diag(exp(v)): independent coordinates, the usual baseline (a
 * mean-field Gaussian). The factor is diag(exp(v / 2)), always positive
 * unless exp underflows or overflows.
 */
export const diag: Parameterization = {
  name: 'diag',
  summary: 'Sigma = diag(exp(v)), no correlations (mean-field baseline)',
  factorOf: 'covariance',
  checks: 'factor-diagonal',
  rawShape: (d) => [d],
  // Correlations cannot be represented: a non-diagonal sigma0 keeps only its variances.
  fromCovariance: (sigma0, d) => Float64Array.from({ length: d }, (_, j) => Math.log(sigma0[j * d + j])),
  covariance(raw, d) {
    const sigma = new Float64Array(d * d);
    for (let j = 0; j < d; j++) sigma[j * d + j] = Math.exp(raw[j]);
    return sigma;
  },
  // Sigma's eigenvalues are exp(v_j): cond = exp(max v - min v) in O(d), where the factor's
  // bound costs O(d^2). Raised by 1e-12 relative, far above the few ulps by which the check's own
  // float64 value (from factor64's rounded exp(v_j / 2)) can differ, so it clears no block that
  // the check would find above the limit.
  conditionBound64(raw, at, d) {
    let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (let j = 0; j < d; j++) {
      lo = Math.min(lo, raw[at + j]);
      hi = Math.max(hi, raw[at + j]);
    }
    return Math.exp(hi - lo) * (1 + 1e-12);
  },
  factor64(raw, at, d, l) {
    for (let j = 0; j < d; j++) l[j * d + j] = Math.exp(raw[at + j] / 2);
    return true;
  },
  factor(raw, d) {
    const sd = tf.exp(tf.mul(tf.reshape(raw, [-1, d]), 0.5)) as tf.Tensor2D;
    // [N, 1, d] * I: entry (i, j) is sd_j when i = j, else 0.
    const factor = tf.mul(tf.expandDims(sd, 1), eye(d)) as tf.Tensor3D;
    return { factor, checks: sd };
  },
};
