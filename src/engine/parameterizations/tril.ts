import { cholesky64, gram } from '../../ground/dense64.js';
import { diagPart, lower } from '../ops/masks.js';
import { tf } from '../tf.js';
import type { Parameterization } from './types.js';

/** Start from the Cholesky factor of sigma0; shared by every factor-valued parameterization. */
export function choleskyOf(sigma0: Float64Array, d: number): Float64Array {
  const l = cholesky64(sigma0, d);
  if (!l) throw new RangeError('the starting covariance is not positive definite');
  return l;
}

/**
 * L = tril(P), Sigma = L L^T: seed 000's fix (torch scale_tril=torch.tril(P)).
 * Sigma stays PSD by construction, but a diagonal entry can still be stepped
 * through zero; torch's lower_cholesky constraint rejects that, and so do we.
 */
export const tril: Parameterization = {
  name: 'tril',
  summary: 'L = tril(P), Sigma = L L^T (torch scale_tril=tril(P), seed 000 fix)',
  factorOf: 'covariance',
  checks: 'factor-diagonal',
  rawShape: (d) => [d, d],
  fromCovariance: choleskyOf,
  covariance(raw, d) {
    const l = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) l[i * d + j] = raw[i * d + j];
    return gram(l, d);
  },
  factor64(raw, at, d, l) {
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) l[i * d + j] = raw[at + i * d + j];
    return true;
  },
  factor(raw, d) {
    const factor = tf.mul(tf.reshape(raw, [-1, d, d]), lower(d)) as tf.Tensor3D;
    return { factor, checks: diagPart(factor) };
  },
};
