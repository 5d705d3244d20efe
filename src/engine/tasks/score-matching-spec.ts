/** Seed 001's task as the config sees it (no tfjs; score-matching.ts trains it). */
import { type GaussianDataOptions, gaussianFitSpec } from './gaussian-fit-spec.js';

export interface ScoreMatchingOptions extends GaussianDataOptions {
  name: 'score-matching';
}

/**
 * Seed 001: full-batch gradient descent on the Hyvarinen score-matching loss
 * of a Gaussian, E[ 0.5 ||Sigma^-1 (x - mu)||^2 - tr(Sigma^-1) ], from mean 0
 * and Sigma = I. Data: n_data draws of N(m, T T^T) with m ~ U[0,1)^d and
 * T ~ U[0,1)^(d x d), all from the run's own streams.
 */
export const scoreMatchingSpec = gaussianFitSpec({
  name: 'score-matching',
  options: {},
  defaults: { n_data: 50, iterations: 4000 },
  lr: { cov: 1e-3, mean: 1e-3, weights: 1e-3 },
  momentum: 0,
});
