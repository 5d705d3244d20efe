import * as tf from '@tensorflow/tfjs-core';
import { stream } from '../../data/random.js';
import type { RunConfig } from '../../types.js';
import { distance, gram, identity, sampleGaussian, sampleMoments } from '../dense64.js';
import { fused } from '../fused.js';
import { triSolve } from '../linalg.js';
import { eye } from '../masks.js';
import type { Parameterization } from '../parameterizations/types.js';
import { asGaussians } from './gaussian64.js';
import { fusedScoreMatching } from './score-matching-fused.js';
import type { Task, TaskInstance } from './types.js';

export interface ScoreMatchingOptions {
  name: 'score-matching';
  n_data: number;
  iterations: number;
}

interface Lane {
  mean: Float64Array;
  cov: Float64Array;
  /** The closed-form optimum of the loss: sample mean and 1/N sample covariance. */
  optimum: { mean: Float64Array; cov: Float64Array };
}

/** A lane's true Gaussian and its data points. */
function laneData(c: RunConfig) {
  const d = c.dim;
  const t = stream(c.seed, 'truth');
  const mean = Float64Array.from({ length: d }, () => t.uniform());
  const cov = gram(
    Float64Array.from({ length: d * d }, () => t.uniform()),
    d,
  );
  const n = (c.task as unknown as ScoreMatchingOptions).n_data;
  return { mean, cov, points: sampleGaussian(stream(c.seed, 'data').normal, mean, cov, n, d) };
}

/**
 * Seed 001: full-batch gradient descent on the Hyvarinen score-matching loss
 * of a Gaussian, E[ 0.5 ||Sigma^-1 (x - mu)||^2 - tr(Sigma^-1) ], from mean 0
 * and Sigma = I. Data: n_data draws of N(m, T T^T) with m ~ U[0,1)^d and
 * T ~ U[0,1)^(d x d), all from the run's own streams.
 */
export const scoreMatching: Task = {
  name: 'score-matching',
  options: {
    n_data: { type: 'integer', minimum: 1, description: 'Data points drawn from the true Gaussian.' },
    iterations: { type: 'integer', minimum: 1, description: 'Gradient steps.' },
  },
  defaults: { n_data: 50, iterations: 4000 },
  lr: { cov: 1e-3, mean: 1e-3, weights: 1e-3 },
  momentum: 0,
  steps: (config) => (config.task as unknown as ScoreMatchingOptions).iterations,
  create: (configs, p) => new ScoreMatchingBatch(configs, p),
  dataPoints(config) {
    const { points } = laneData(config);
    return { points, units: new Array(points.length / config.dim).fill(0) };
  },
};

class ScoreMatchingBatch implements TaskInstance {
  readonly steps: number;
  readonly units = 1;
  readonly params;
  private readonly d: number;
  private readonly lanes: Lane[] = [];
  private readonly n: number;
  /** Every lane's points [B, n, d], in host memory for the fused loss. */
  private readonly x: Float32Array;
  /** The same as a tensor, made on first use by the plain form. */
  private xTensor?: tf.Tensor3D;

  constructor(
    configs: RunConfig[],
    private readonly p: Parameterization,
  ) {
    const B = configs.length;
    const d = configs[0].dim;
    const n = (configs[0].task as unknown as ScoreMatchingOptions).n_data;
    this.d = d;
    this.n = n;
    this.steps = scoreMatching.steps(configs[0]);
    const xs = new Float32Array(B * n * d);
    const raw0 = p.fromCovariance(identity(d), d);
    const raws = new Float32Array(B * raw0.length);
    configs.forEach((c, b) => {
      const { mean, cov, points: pts } = laneData(c);
      // The optimum is computed from the float32 points the engine actually sees.
      const seen = Float32Array.from(pts);
      xs.set(seen, b * n * d);
      this.lanes.push({ mean, cov, optimum: sampleMoments(seen, n, d) });
      raws.set(raw0, b * raw0.length);
    });
    this.x = xs;
    this.params = [
      { name: 'mean', group: 'mean' as const, shape: [d], init: new Float32Array(B * d) },
      { name: 'covariance', group: 'cov' as const, shape: p.rawShape(d), init: raws },
    ];
  }

  loss(_step: number, [mu, raw]: tf.Tensor[]) {
    const { d, n, p } = this;
    const { factor, checks } = p.factor(raw, d);
    const loss = fused()
      ? fusedScoreMatching(this.x, n, mu as tf.Tensor2D, factor, p.factorOf)
      : this.plainLoss(mu as tf.Tensor2D, factor);
    return { loss, checks };
  }

  /** The reference form of the loss: tfjs ops, triangular solves and autodiff. */
  private plainLoss(mu: tf.Tensor2D, factor: tf.Tensor3D): tf.Tensor1D {
    const { d, n, p } = this;
    const B = mu.shape[0];
    this.xTensor ??= tf.keep(tf.tensor3d(this.x, [B, n, d]));
    const diff = tf.sub(this.xTensor, tf.expandDims(mu, 1)) as tf.Tensor3D;
    let score: tf.Tensor3D;
    let tracePrecision: tf.Tensor1D;
    if (p.factorOf === 'covariance') {
      // Sigma^-1 (x - mu) = L^-T L^-1 (x - mu); tr(Sigma^-1) = ||L^-1||_F^2.
      score = triSolve(factor, triSolve(factor, diff), true);
      const ident = tf.tile(tf.expandDims(eye(d), 0), [B, 1, 1]) as tf.Tensor3D;
      tracePrecision = tf.sum(tf.square(triSolve(factor, ident)), [1, 2]);
    } else {
      // Precision P = L L^T: rows (x - mu)^T L L^T; tr(P) = ||L||_F^2.
      score = tf.matMul(tf.matMul(diff, factor), factor, false, true);
      tracePrecision = tf.sum(tf.square(factor), [1, 2]);
    }
    const fit = tf.mul(tf.mean(tf.sum(tf.square(score), 2), 1), 0.5);
    return tf.sub(fit, tracePrecision) as tf.Tensor1D;
  }

  gaussians(lane: number, [mu, raw]: Float64Array[]) {
    const l = this.lanes[lane];
    return {
      learned: asGaussians([mu], [this.p.covariance(raw, this.d)], this.d),
      truth: asGaussians([l.mean], [l.cov], this.d),
    };
  }

  metrics(lane: number, [mu, raw]: Float64Array[]) {
    const l = this.lanes[lane];
    const cov = this.p.covariance(raw, this.d);
    return {
      mean_error: distance(mu, l.mean),
      cov_error: distance(cov, l.cov),
      opt_mean_error: distance(mu, l.optimum.mean),
      opt_cov_error: distance(cov, l.optimum.cov),
    };
  }

  dispose() {
    this.xTensor?.dispose();
  }
}
