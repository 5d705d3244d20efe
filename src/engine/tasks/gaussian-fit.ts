import type * as tf from '@tensorflow/tfjs-core';
import { distance, identity, sampleMoments } from '../../ground/dense64.js';
import type { Metrics, RunConfig } from '../../types.js';
import { rawStart } from '../parameterizations/raw-start.js';
import type { Parameterization } from '../parameterizations/types.js';
import { type GaussianDataOptions, gaussianData, pointCount } from './gaussian-fit-spec.js';
import { asGaussians } from './gaussian64.js';
import { type ParamGroup, type StepOutput, type TaskInstance, taskOptions } from './types.js';

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
