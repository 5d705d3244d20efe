import { inverse } from '../../ground/dense64.js';
import { logCholesky } from './log-cholesky.js';
import type { Parameterization } from './types.js';

function startingPrecision(sigma0: Float64Array, d: number): Float64Array {
  const inv = inverse(sigma0, d);
  if (!inv) throw new RangeError('precision-cholesky: the starting covariance is singular');
  return inv;
}

/**
 * The log-Cholesky factor of the precision matrix P = Sigma^-1 = L L^T (torch
 * MultivariateNormal(precision_matrix=...), which factors P the same way).
 * The tasks consume L directly: the log-density needs L^T (x - mu) and
 * -sum log L_jj, the score P (x - mu) and tr(P) = ||L||_F^2, so no solve and
 * no inverse appears in training. Sigma itself is only formed in float64.
 */
export const precisionCholesky: Parameterization = {
  name: 'precision-cholesky',
  summary: 'P = Sigma^-1 = L L^T, L = exp(diag) + strict lower (torch precision_matrix=)',
  factorOf: 'precision',
  checks: 'factor-diagonal',
  rawShape: logCholesky.rawShape,
  fromCovariance: (sigma0, d) => logCholesky.fromCovariance(startingPrecision(sigma0, d), d),
  // NaN, not an exception, for a failed run's singular precision: its metrics are computed too.
  covariance: (raw, d) =>
    inverse(logCholesky.covariance(raw, d), d) ?? new Float64Array(d * d).fill(Number.NaN),
  // The precision's factor: its condition number is the covariance's.
  factor64: logCholesky.factor64,
  factor: (raw, d) => logCholesky.factor(raw, d),
};
