import { tf } from '../tf.js';
import type { FactorKind } from './factor-of.js';
import { fused } from './fused.js';
import { fusedLogDensity } from './gaussian-fused.js';
import { triSolve } from './linalg.js';
import { diagPart } from './masks.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log N(x | mu, Sigma) for N Gaussians with factors L [N, d, d], each
 * evaluated at m points x [N, m, d]; returns [N, m]. L factors the covariance
 * or the precision, as the parameterization says. One fused op, or its plain
 * reference form under `withPlainOps`.
 */
export function logDensity(x: tf.Tensor3D, mu: tf.Tensor2D, l: tf.Tensor3D, p: FactorKind): tf.Tensor2D {
  return fused() ? fusedLogDensity(x, mu, l, p.factorOf) : plainLogDensity(x, mu, l, p);
}

/** The plain form of `logDensity`: tfjs ops and autodiff. */
export function plainLogDensity(x: tf.Tensor3D, mu: tf.Tensor2D, l: tf.Tensor3D, p: FactorKind): tf.Tensor2D {
  const d = l.shape[2];
  const diff = tf.sub(x, tf.expandDims(mu, 1)) as tf.Tensor3D;
  // Covariance factor: z = L^-1 (x - mu); precision factor: z = L^T (x - mu).
  const z = p.factorOf === 'covariance' ? triSolve(l, diff) : tf.matMul(diff, l);
  const maha = tf.sum(tf.square(z), 2);
  const logDiag = tf.sum(tf.log(diagPart(l)), 1, true);
  // log|Sigma|^(1/2) is +sum log L_jj for a covariance factor, -sum for a precision factor.
  const halfLogDet = p.factorOf === 'covariance' ? logDiag : tf.neg(logDiag);
  return tf.sub(tf.sub(tf.mul(maha, -0.5), halfLogDet), d * HALF_LOG_2PI) as tf.Tensor2D;
}
