import type * as tf from '@tensorflow/tfjs-core';
import { stream } from '../../data/random.js';
import { DATA_OPTION, type DataRef, loadData } from '../../data/table.js';
import { distance, gram, identity, sampleGaussian, sampleMoments } from '../../ground/dense64.js';
import type { Metrics, RunConfig } from '../../types.js';
import { RAW_SCALE_OPTION, rawStart } from '../parameterizations/raw-start.js';
import type { Parameterization } from '../parameterizations/types.js';
import { asGaussians } from './gaussian64.js';
import { type ParamGroup, type StepOutput, type Task, type TaskInstance, taskOptions } from './types.js';

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
function pointCount(o: GaussianDataOptions): number {
  return o.data ? o.data.rows : o.n_data;
}

/**
 * One run's Gaussian fitting problem: its true Gaussian, its points as the
 * engine sees them (float32) and the closed-form optimum of both one-Gaussian
 * losses, the sample mean and 1/N sample covariance of those points.
 */
export interface GaussianLane {
  mean: Float64Array;
  cov: Float64Array;
  points: Float32Array;
  optimum: { mean: Float64Array; cov: Float64Array };
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
  const mean = Float64Array.from({ length: d }, () => t.uniform());
  const cov = gram(
    Float64Array.from({ length: d * d }, () => t.uniform()),
    d,
  );
  return { mean, cov, points: sampleGaussian(stream(c.seed, 'data').normal, mean, cov, o.n_data, d) };
}

function gaussianLane(c: RunConfig, dataFile?: string): GaussianLane {
  const { mean, cov, points } = gaussianData(c, dataFile);
  // The optimum is computed from the float32 points the engine actually sees.
  const seen = Float32Array.from(points);
  return { mean, cov, points: seen, optimum: sampleMoments(seen, seen.length / c.dim, c.dim) };
}

/** Errors of a learned Gaussian against the truth and against the closed-form optimum. */
function fitMetrics(l: GaussianLane, mu: Float64Array, cov: Float64Array): Metrics {
  return {
    mean_error: distance(mu, l.mean),
    cov_error: distance(cov, l.cov),
    opt_mean_error: distance(mu, l.optimum.mean),
    opt_cov_error: distance(cov, l.optimum.cov),
  };
}

/** A lane's learned and true Gaussians, for pictures. */
function fitGaussians(l: GaussianLane, mu: Float64Array, cov: Float64Array, d: number) {
  return { learned: asGaussians([mu], [cov], d), truth: asGaussians([l.mean], [l.cov], d) };
}

/**
 * A one-Gaussian task (score-matching, mle) from its own options, defaults,
 * learning rates and lane batch: both fit one Gaussian to `n_data` points in
 * `iterations` steps, on the same data.
 */
export function gaussianFitTask(
  t: Pick<Task, 'name' | 'options' | 'defaults' | 'lr' | 'momentum' | 'create'>,
): Task {
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

/**
 * A one-Gaussian task's lane batch: every lane's problem, its points
 * [B, n, d] lane-major in host memory (for the fused losses), the parameter
 * groups `mean` [d] and `covariance` (raw), from `init_mean` and
 * `init_covariance` (default 0 and I), and the metrics; the task adds its loss.
 */
export abstract class GaussianFitBatch implements TaskInstance {
  readonly steps: number;
  readonly units = 1;
  readonly params: ParamGroup[];
  protected readonly d: number;
  protected readonly n: number;
  protected readonly lanes: GaussianLane[];
  /** Every lane's points [B, n, d]. */
  protected readonly x: Float32Array;

  constructor(
    configs: RunConfig[],
    protected readonly p: Parameterization,
    dataFile?: string,
  ) {
    const B = configs.length;
    const d = configs[0].dim;
    const o = taskOptions<GaussianDataOptions>(configs[0]);
    const n = pointCount(o);
    this.d = d;
    this.n = n;
    this.steps = o.iterations;
    this.x = new Float32Array(B * n * d);
    // Task options are part of the shape key: every lane of a batch starts at the same point.
    const mu0 = o.init_mean ?? new Array<number>(d).fill(0);
    const raw0 =
      o.init_raw_scale !== undefined
        ? rawStart(p, d, o.init_raw_scale)
        : p.fromCovariance(o.init_covariance ? Float64Array.from(o.init_covariance.flat()) : identity(d), d);
    const mus = new Float32Array(B * d);
    const raws = new Float32Array(B * raw0.length);
    this.lanes = configs.map((c, b) => {
      const lane = gaussianLane(c, dataFile);
      this.x.set(lane.points, b * n * d);
      mus.set(mu0, b * d);
      raws.set(raw0, b * raw0.length);
      return lane;
    });
    this.params = [
      { name: 'mean', group: 'mean', shape: [d], init: mus },
      { name: 'covariance', group: 'cov', shape: p.rawShape(d), init: raws },
    ];
  }

  abstract loss(step: number, params: tf.Tensor[]): StepOutput;

  gaussians(lane: number, [mu, raw]: Float64Array[]) {
    return fitGaussians(this.lanes[lane], mu, this.p.covariance(raw, this.d), this.d);
  }

  metrics(lane: number, [mu, raw]: Float64Array[]) {
    return fitMetrics(this.lanes[lane], mu, this.p.covariance(raw, this.d));
  }

  dispose() {}
}
