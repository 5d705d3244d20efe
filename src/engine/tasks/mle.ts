import type * as tf from '@tensorflow/tfjs-core';
import type { RunConfig } from '../../types.js';
import { negLogLikelihood } from '../ops/nll.js';
import { perLane } from '../parameterizations/counters.js';
import type { Parameterization } from '../parameterizations/types.js';
import { GaussianFitBatch } from './gaussian-fit.js';
import { Minibatches } from './minibatches.js';
import { type MleOptions, mleSpec } from './mle-spec.js';
import { type Task, taskOptions } from './types.js';

/** Maximum likelihood: its spec (mle-spec.ts) and its lane batch. */
export const mle: Task = {
  ...mleSpec,
  create: (configs, p, dataFile) => new MleBatch(configs, p, dataFile),
};

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
