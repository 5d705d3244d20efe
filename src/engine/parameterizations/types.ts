import type * as tf from '@tensorflow/tfjs-core';
import type { JsonSchema } from '../../ground/json-schema.js';
import type { FactorOf } from '../ops/factor-of.js';

/** What `factor` gives for a batch of raw blocks. */
export interface FactorOutput {
  /** Lower-triangular L [N, d, d] of the covariance (or precision). */
  factor: tf.Tensor3D;
  /** Check values [N, d]: what `Parameterization.checks` says they are. */
  checks: tf.Tensor2D;
  /**
   * Per-element event counts [N] of this evaluation (e.g. Cholesky retries
   * with jitter). Tasks sum them over a lane's units into their StepOutput
   * counters, so a run reports them as metrics of the same name.
   */
  counters?: Record<string, tf.Tensor1D>;
}

/**
 * A covariance parameterization: how a lane's raw tensor becomes the
 * lower-triangular factor L of the covariance (or of the precision), and how
 * that map can fail. Nothing downstream knows which parameterization made L.
 */
export interface Parameterization {
  name: string;
  /** One line for `covsweep plan` and the docs. */
  summary: string;
  /** Whether L L^T is the covariance or the precision matrix. */
  factorOf: FactorOf;
  /**
   * What the per-column check values of `factor` are: Cholesky pivots
   * (L_jj^2, before the square root) or the factor's diagonal L_jj. Either is
   * invalid when <= 0 or NaN; the health check words its reason from this.
   */
  checks: 'cholesky-pivots' | 'factor-diagonal';
  /** Shape of one raw parameter block for dimension d. */
  rawShape(d: number): number[];
  /** Raw parameters (row-major float64) whose covariance is sigma0: every parameterization starts at the same Sigma0. */
  fromCovariance(sigma0: Float64Array, d: number): Float64Array;
  /** Float64 reference map raw -> covariance, independent of the tfjs path (metrics, tests). */
  covariance(raw: ArrayLike<number>, d: number): Float64Array;
  /**
   * The float64 factor L of one raw block, read from raw[at..], written into the lower triangle
   * of `l` (d x d row-major; the upper triangle is left as it is), allocating nothing: the host
   * path of the per-step condition check (condition.ts), which runs on the trainer's host copy of
   * the parameters. False when the block has no factor (not positive definite in float64).
   * Absent: the check factors `covariance` of the block with a float64 Cholesky.
   */
  factor64?(raw: ArrayLike<number>, at: number, d: number, l: Float64Array): boolean;
  /**
   * An upper bound on the 2-norm condition number of the block at raw[at..] (which may stop at
   * the first bound within `limit`), for a parameterization whose spectrum its raw values give
   * more cheaply than its factor does (givens: the eigenvalues are exp of its diagonal). The
   * condition check clears a block whose bound is within the limit without factoring it.
   * Absent: the check starts from the factor.
   */
  conditionBound64?(raw: ArrayLike<number>, at: number, d: number, limit: number): number;
  /** raw [N, ...rawShape(d)] -> L [N, d, d], check values [N, d] and counters. */
  factor(raw: tf.Tensor, d: number): FactorOutput;
  /** Settings of this parameterization that an experiment may change; absent when it has none. */
  options?: ParameterizationOptions;
  /**
   * How it changes the optimizer's update of its raw blocks, for one that keeps Sigma itself as
   * the parameter and constrains the step instead of the map; absent: the optimizer's plain step.
   */
  update?: ParameterUpdate;
}

/**
 * Hooks on the update of one raw block (one unit of one live lane), in host memory and float64
 * arithmetic; the trainer rounds what they return to float32. Either may be absent. Their
 * arguments are the trainer's scratch, valid during the call only; what a hook returns is read at
 * once, so it may be the hook's own scratch, overwritten by its next call.
 */
export interface ParameterUpdate {
  /** What the optimizer is given in place of `grad`, the loss's gradient by the block `raw`. */
  direction?(raw: Float64Array, grad: Float64Array, d: number): Float64Array;
  /** The block after the step, from the block before it and the optimizer's plain step `stepped`. */
  retract?(before: Float64Array, stepped: Float64Array, d: number): Float64Array;
}

/**
 * A parameterization's options. Experiment files set them under `parameterization_options`, one
 * flat map shared by every parameterization (as `optimizer` holds every optimizer's settings):
 * each parameterization reads its own, so option names are unique across parameterizations.
 */
export interface ParameterizationOptions {
  /** JSON Schema of each option, with its `default` and a description naming the parameterization. */
  schema: Record<string, JsonSchema>;
  /** This parameterization with the given values (every option of `schema` present). */
  with(values: Record<string, unknown>): Parameterization;
}
