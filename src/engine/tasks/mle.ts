import type * as tf from '@tensorflow/tfjs-core';
import type { RunConfig } from '../../types.js';
import { negLogLikelihood } from '../ops/nll.js';
import { perLane } from '../parameterizations/counters.js';
import type { Parameterization } from '../parameterizations/types.js';
import { type GaussianDataOptions, GaussianFitBatch, gaussianFitTask } from './gaussian-fit.js';
import { Minibatches } from './minibatches.js';
import { taskOptions } from './types.js';

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
export const mle = gaussianFitTask({
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
  create: (configs, p, dataFile) => new MleBatch(configs, p, dataFile),
});

class MleBatch extends GaussianFitBatch {
  private readonly minibatches?: MinibatchPoints;

  constructor(configs: RunConfig[], p: Parameterization, dataFile?: string) {
    super(configs, p, dataFile);
    const o = taskOptions<MleOptions>(configs[0]);
    if (o.batch_size !== undefined && o.batch_size < this.n)
      this.minibatches = new MinibatchPoints(configs, o, this.x, this.n, this.d);
  }

  loss(step: number, [mu, raw]: tf.Tensor[]) {
    const { d, p } = this;
    const { factor, checks, counters } = p.factor(raw, d);
    const { x, m } = this.minibatches?.at(step) ?? { x: this.x, m: this.n };
    const loss = negLogLikelihood(x, m, mu as tf.Tensor2D, factor, p);
    return { loss, checks, counters: perLane(counters, mu.shape[0]) };
  }
}

/** Every lane's minibatch at a step, gathered into [B, m, d]. */
class MinibatchPoints {
  private readonly order: Minibatches;

  constructor(
    configs: RunConfig[],
    o: MleOptions,
    private readonly x: Float32Array,
    private readonly n: number,
    private readonly d: number,
  ) {
    this.order = new Minibatches(
      configs.map((c) => c.seed),
      n,
      o.batch_size!,
      o.shuffle,
    );
  }

  at(step: number): { x: Float32Array; m: number } {
    const { n, d } = this;
    const { start, m, orders } = this.order.at(step);
    const B = orders.length;
    const x = new Float32Array(B * m * d);
    for (let b = 0; b < B; b++) {
      const order = orders[b];
      for (let i = 0; i < m; i++) {
        const from = (b * n + order[start + i]) * d;
        x.set(this.x.subarray(from, from + d), (b * m + i) * d);
      }
    }
    return { x, m };
  }
}
