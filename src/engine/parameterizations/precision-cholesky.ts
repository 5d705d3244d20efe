import { inverse } from '../dense64.js';
import { logCholesky } from './log-cholesky.js';
import type { Parameterization } from './types.js';

function invert(m: Float64Array, d: number, what: string): Float64Array {
  const inv = inverse(m, d);
  if (!inv) throw new RangeError(`precision-cholesky: the ${what} is singular`);
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
  fromCovariance: (sigma0, d) => logCholesky.fromCovariance(invert(sigma0, d, 'starting covariance'), d),
  covariance: (raw, d) => invert(logCholesky.covariance(raw, d), d, 'precision'),
  factor: (raw, d) => logCholesky.factor(raw, d),
};
