/**
 * What the one-Gaussian tasks (score-matching, mle) share as the config, the planner and the
 * reports see them: options, step count and data on the host. No tfjs: gaussian-fit.ts trains them.
 */
import { sampleGaussian } from '../../data/gaussian-sample.js';
import { stream } from '../../data/random.js';
import { DATA_OPTION, type DataRef, loadData } from '../../data/table.js';
import { gram, sampleMoments } from '../../ground/dense64.js';
import type { RunConfig } from '../../types.js';
import { RAW_SCALE_OPTION } from '../parameterizations/raw-start.js';
import { type TaskSpec, taskOptions } from './types.js';

/** Options every one-Gaussian task (score-matching, mle) has. */
export interface GaussianDataOptions {
  n_data: number;
  iterations: number;
  /** Starting mean; absent: 0. */
  init_mean?: number[];
  /** Starting covariance; absent: the identity. */
  init_covariance?: number[][];
  /** Start the raw block at this times the identity instead (raw-start.ts). */
  init_raw_scale?: number;
  /** User data (resolved by the config); absent: n_data generated points. */
  data?: DataRef;
}

/** Points per lane: the data file's rows, or n_data. */
export function pointCount(o: GaussianDataOptions): number {
  return o.data ? o.data.rows : o.n_data;
}

/**
 * A run's true Gaussian and its points: n_data draws of N(m, T T^T) with
 * m ~ U[0,1)^d and T ~ U[0,1)^(d x d), all from the run's own streams (seed
 * 001's data); or the points of its data file, whose "truth" is then their own
 * sample mean and 1/N covariance (in float64: the optimum is the float32 points').
 */
export function gaussianData(c: RunConfig, dataFile?: string) {
  const d = c.dim;
  const o = taskOptions<GaussianDataOptions>(c);
  if (o.data) {
    const { points } = loadData(dataFile!, o.data, { dim: d, minRows: d });
    const { mean, cov } = sampleMoments(points, o.data.rows, d);
    return { mean, cov, points };
  }
  const t = stream(c.seed, 'truth');
  const mean = new Float64Array(d);
  t.uniforms(mean, 0, d);
  const factor = new Float64Array(d * d);
  t.uniforms(factor, 0, d * d);
  const cov = gram(factor, d);
  return { mean, cov, points: sampleGaussian(stream(c.seed, 'data'), mean, cov, o.n_data, d) };
}

/**
 * A one-Gaussian task's spec (score-matching, mle) from its own options, defaults
 * and learning rates: both fit one Gaussian to `n_data` points in
 * `iterations` steps, on the same data.
 */
export function gaussianFitSpec(
  t: Pick<TaskSpec, 'name' | 'options' | 'defaults' | 'lr' | 'momentum'>,
): TaskSpec {
  // With data, n_data is unused; the file must have more than dim rows (checked when it is read).
  return {
    ...t,
    options: {
      n_data: { type: 'integer', minimum: 1, description: 'Data points drawn from the true Gaussian.' },
      iterations: { type: 'integer', minimum: 1, description: 'Gradient steps.' },
      init_mean: {
        type: 'array',
        description: 'Starting mean: `dim` numbers (default 0).',
        minItems: 1,
        items: { type: 'number' },
      },
      init_covariance: {
        type: 'array',
        description: 'Starting covariance: a dim x dim positive-definite matrix (default the identity).',
        minItems: 1,
        items: { type: 'array', minItems: 1, items: { type: 'number' } },
      },
      init_raw_scale: RAW_SCALE_OPTION,
      data: DATA_OPTION,
      ...t.options,
    },
    shapes: { init_mean: ['dim'], init_covariance: ['dim', 'dim'] },
    covariances: ['init_covariance'],
    above: [
      {
        setting: 'task.n_data',
        than: 'dim',
        because: 'the sample covariance of n_data <= dim points is singular, so the loss has no minimum',
      },
    ],
    dataRows: ['task.n_data'],
    steps: (config) => taskOptions<GaussianDataOptions>(config).iterations,
    dataPoints(config, dataFile) {
      const { points } = gaussianData(config, dataFile);
      return { points, units: new Array(points.length / config.dim).fill(0) };
    },
  };
}
