import type * as tf from '@tensorflow/tfjs-core';

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
  factorOf: 'covariance' | 'precision';
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
  /** raw [N, ...rawShape(d)] -> L [N, d, d] and check values [N, d]. */
  factor(raw: tf.Tensor, d: number): { factor: tf.Tensor3D; checks: tf.Tensor2D };
}
