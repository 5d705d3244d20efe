import { choleskyInto, symmetrizeLower } from '../../ground/dense64.js';
import { cholesky } from '../ops/linalg.js';
import { tf } from '../tf.js';
import type { Parameterization } from './types.js';

/**
 * The raw covariance matrix is the parameter (torch
 * MultivariateNormal(covariance_matrix=P)): nothing keeps it positive
 * definite, so its Cholesky fails once a step leaves the PD cone. This is what
 * seed 000 hit ("cholesky_cpu: U(2,2) is zero, singular U").
 */
export const full: Parameterization = {
  name: 'full',
  summary: 'Sigma = P as given; its Cholesky may fail (torch covariance_matrix=)',
  factorOf: 'covariance',
  checks: 'cholesky-pivots',
  rawShape: (d) => [d, d],
  fromCovariance: (sigma0) => Float64Array.from(sigma0),
  // The Cholesky reads the lower triangle; the gradient is symmetric, so P stays symmetric.
  covariance: (raw, d) => symmetrizeLower(raw, d),
  factor64: choleskyInto,
  factor(raw, d) {
    const { factor, pivots } = cholesky(tf.reshape(raw, [-1, d, d]));
    return { factor, checks: pivots };
  },
};
