/** The mle task as the config sees it (no tfjs; mle.ts trains it). */
import { type GaussianDataOptions, gaussianFitSpec } from './gaussian-fit-spec.js';

export interface MleOptions extends GaussianDataOptions {
  name: 'mle';
  /** Points per gradient step; absent: every point (full batch). */
  batch_size?: number;
  shuffle: boolean;
}

/**
 * Maximum likelihood: gradient descent on the Gaussian negative
 * log-likelihood, the mean over a batch of 0.5 log det(2 pi Sigma) + 0.5
 * (x - mu)^T Sigma^-1 (x - mu), from mean 0 and Sigma = I, on score-matching's
 * data. Full batch, or minibatches of `batch_size` points: consecutive slices
 * of each epoch's order (reshuffled every epoch unless `shuffle: false`), the
 * last slice of an epoch shorter when batch_size does not divide n_data, as
 * torch's DataLoader makes them. Its optimum is score-matching's: the sample
 * mean and 1/N sample covariance.
 */
export const mleSpec = gaussianFitSpec({
  name: 'mle',
  options: {
    batch_size: {
      type: 'integer',
      minimum: 1,
      description: 'Points per gradient step (minibatches, each epoch in a new order); absent: all of them.',
    },
    shuffle: {
      type: 'boolean',
      description: 'With batch_size: reshuffle the points every epoch (false: file order).',
    },
  },
  defaults: { n_data: 50, iterations: 4000, shuffle: true },
  lr: { cov: 1e-2, mean: 1e-2, weights: 1e-2 },
  momentum: 0,
});
