import { extremeEigenvalues, symmetricFunction, symmetrizeLower } from '../../ground/dense64.js';
import { expm } from '../ops/expm.js';
import { cholesky } from '../ops/linalg.js';
import { lower, strictLower } from '../ops/masks.js';
import { tf } from '../tf.js';
import type { Parameterization } from './types.js';

/**
 * Sigma = expm(S), S symmetric: the matrix-logarithm (log-Euclidean)
 * parameterization (Pinheiro & Bates 1996; nlme pdSymm). Every symmetric S
 * gives an SPD Sigma. The raw block is d x d; S is its lower triangle
 * mirrored, so the upper triangle is unused (its gradient is zero).
 *
 * expm is the engine's fused op (S's eigendecomposition; ops/expm.ts), whose
 * gradient exists at every S, including the repeated eigenvalues of the
 * starting S = log(c) I; Sigma is
 * factored by the engine's Cholesky, whose pivots are the check values (in
 * float32 a spread of eigenvalues past 2^23 fails there, and is reported).
 */
export const matrixExp: Parameterization = {
  name: 'matrix-exp',
  summary: 'Sigma = expm(S), S symmetric (matrix logarithm; Pinheiro & Bates 1996)',
  factorOf: 'covariance',
  checks: 'cholesky-pivots',
  rawShape: (d) => [d, d],
  fromCovariance(sigma0, d) {
    const s = symmetricFunction(sigma0, d, Math.log);
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) s[i * d + j] = 0;
    if (!s.every(Number.isFinite)) throw new RangeError('the starting covariance is not positive definite');
    return s;
  },
  // Sigma's eigenvalues are exp of S's, so cond = exp(spread of S's eigenvalues), bounded two
  // ways in O(d^2): Gershgorin's discs, max(S_ii + r_i) - min(S_ii - r_i) with r_i the
  // off-diagonal row sums, and sqrt(2 (||S||_F^2 - tr(S)^2 / d)) (the two extreme eigenvalues'
  // squared distances from the mean eigenvalue sum to at most the total); when neither is within
  // the limit, the spread itself from S's extreme eigenvalues (condition.ts, O(d^3) without expm).
  conditionBound64(raw, at, d, limit) {
    let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    let [trace, squares] = [0, 0];
    for (let i = 0; i < d; i++) {
      let r = 0;
      // S is the lower triangle mirrored: row i's entries are raw (i, j) for j < i and (j, i) for j > i.
      for (let j = 0; j < d; j++) {
        if (j === i) continue;
        const sij = j < i ? raw[at + i * d + j] : raw[at + j * d + i];
        r += Math.abs(sij);
        squares += sij * sij;
      }
      const sii = raw[at + i * d + i];
      lo = Math.min(lo, sii - r);
      hi = Math.max(hi, sii + r);
      trace += sii;
      squares += sii * sii;
    }
    const bound = Math.exp(Math.min(hi - lo, Math.sqrt(Math.max(0, 2 * (squares - (trace * trace) / d)))));
    if (bound <= limit) return bound;
    const spectrum = extremeEigenvalues(
      symmetrizeLower(Array.prototype.slice.call(raw, at, at + d * d), d),
      d,
    );
    // Rounding in the spread is relative to |S|'s largest eigenvalue: widen it by that, to stay a bound.
    const slack = 8 * d * Number.EPSILON * Math.max(Math.abs(spectrum.lo), Math.abs(spectrum.hi));
    return Math.exp(spectrum.hi - spectrum.lo + slack);
  },
  // Through a Jacobi eigendecomposition: a reference independent of the fused op's QL one.
  covariance: (raw, d) => symmetricFunction(symmetrizeLower(raw, d), d, Math.exp),
  factor(raw, d) {
    const p = tf.reshape(raw, [-1, d, d]);
    const s = tf.add(tf.mul(p, lower(d)), tf.transpose(tf.mul(p, strictLower(d)), [0, 2, 1])) as tf.Tensor3D;
    const { factor, pivots } = cholesky(expm(s));
    return { factor, checks: pivots };
  },
};
