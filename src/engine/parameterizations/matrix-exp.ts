import * as tf from '@tensorflow/tfjs-core';
import { symmetricFunction, symmetrizeLower } from '../../ground/dense64.js';
import { expm } from '../expm.js';
import { cholesky } from '../linalg.js';
import { lower, strictLower } from '../masks.js';
import type { Parameterization } from './types.js';

/**
 * Sigma = expm(S), S symmetric: the matrix-logarithm (log-Euclidean)
 * parameterization (Pinheiro & Bates 1996; nlme pdSymm). Every symmetric S
 * gives an SPD Sigma. The raw block is d x d; S is its lower triangle
 * mirrored, so the upper triangle is unused (its gradient is zero).
 *
 * expm is the engine's fused Pade op, whose gradient exists at every S,
 * including the repeated eigenvalues of the starting S = log(c) I; Sigma is
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
  // Through the eigendecomposition: a reference independent of the Pade path.
  covariance: (raw, d) => symmetricFunction(symmetrizeLower(raw, d), d, Math.exp),
  factor(raw, d) {
    const p = tf.reshape(raw, [-1, d, d]);
    const s = tf.add(tf.mul(p, lower(d)), tf.transpose(tf.mul(p, strictLower(d)), [0, 2, 1])) as tf.Tensor3D;
    const { factor, pivots } = cholesky(expm(s));
    return { factor, checks: pivots };
  },
};
