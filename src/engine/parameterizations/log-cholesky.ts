import { gram } from '../../ground/dense64.js';
import { diagPart, eye, strictLower } from '../ops/masks.js';
import { tf } from '../tf.js';
import { choleskyOf } from './tril.js';
import type { Parameterization } from './types.js';

/**
 * L with exp of the diagonal and a free strict lower triangle (seed 001; torch
 * LowerCholeskyTransform). The raw block is d x d: diagonal = log L_jj, strict
 * lower = L_ij, upper unused (its gradient is zero, so it never moves).
 */
export const logCholesky: Parameterization = {
  name: 'log-cholesky',
  summary: 'L = exp(diag) + strict lower, Sigma = L L^T (seed 001)',
  factorOf: 'covariance',
  checks: 'factor-diagonal',
  rawShape: (d) => [d, d],
  fromCovariance(sigma0, d) {
    const raw = choleskyOf(sigma0, d);
    for (let j = 0; j < d; j++) raw[j * d + j] = Math.log(raw[j * d + j]);
    return raw;
  },
  covariance(raw, d) {
    const l = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) l[i * d + j] = raw[i * d + j];
      l[i * d + i] = Math.exp(raw[i * d + i]);
    }
    return gram(l, d);
  },
  factor64(raw, at, d, l) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) l[i * d + j] = raw[at + i * d + j];
      l[i * d + i] = Math.exp(raw[at + i * d + i]);
    }
    return true;
  },
  factor(raw, d) {
    const p = tf.reshape(raw, [-1, d, d]);
    const e = eye(d);
    // exp only ever sees diagonal entries (off-diagonal ones are masked to 0
    // first): an overflowing off-diagonal exp would turn the gradient into
    // inf * 0 = NaN.
    const factor = tf.add(tf.mul(p, strictLower(d)), tf.mul(tf.exp(tf.mul(p, e)), e)) as tf.Tensor3D;
    return { factor, checks: diagPart(factor) };
  },
};
