import { gram } from '../../ground/dense64.js';
import { fused } from '../ops/fused.js';
import { diagPart, eye, strictLower } from '../ops/masks.js';
import { sphericalFactor } from '../ops/spherical-rows.js';
import { tf } from '../tf.js';
import { choleskyOf } from './tril.js';
import type { Parameterization } from './types.js';

/**
 * Row i of L (Sigma = L L^T) in spherical coordinates (Pinheiro & Bates
 * 1996): its length r_i = sqrt(Sigma_ii) and i angles theta_ij in (0, pi),
 *   L_ij = r_i cos(theta_ij) prod_{k<j} sin(theta_ik),  L_ii = r_i prod_{k<i} sin(theta_ik).
 * Unconstrained raw values: log r_i on the diagonal and
 * phi_ij = log(theta_ij / (pi - theta_ij)) in the strict lower triangle;
 * the upper triangle is unused. The raw block of c I is log sqrt(c) on the
 * diagonal and zeros (every angle pi / 2). L is the engine's fused op
 * (spherical-rows.ts; under `withPlainOps`, the tfjs composition below).
 */
export const spherical: Parameterization = {
  name: 'spherical',
  summary: 'rows of L as log length + angles mapped by log(t / (pi - t)) (Pinheiro & Bates 1996)',
  factorOf: 'covariance',
  checks: 'factor-diagonal',
  rawShape: (d) => [d, d],
  fromCovariance(sigma0, d) {
    const l = choleskyOf(sigma0, d);
    const raw = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      // tail = |(L_ij, ..., L_ii)|, shrinking from the row's length down to L_ii > 0.
      let tail = 0;
      for (let j = 0; j <= i; j++) tail += l[i * d + j] ** 2;
      raw[i * d + i] = 0.5 * Math.log(tail);
      for (let j = 0; j < i; j++) {
        tail -= l[i * d + j] ** 2;
        const theta = Math.atan2(Math.sqrt(Math.max(tail, 0)), l[i * d + j]);
        raw[i * d + j] = Math.log(theta / (Math.PI - theta));
      }
    }
    return raw;
  },
  covariance(raw, d) {
    const l = new Float64Array(d * d);
    spherical.factor64!(raw, 0, d, l);
    return gram(l, d);
  },
  factor64(raw, at, d, l) {
    for (let i = 0; i < d; i++) {
      let scale = Math.exp(raw[at + i * d + i]);
      for (let j = 0; j < i; j++) {
        const theta = Math.PI / (1 + Math.exp(-raw[at + i * d + j]));
        l[i * d + j] = scale * Math.cos(theta);
        scale *= Math.sin(theta);
      }
      l[i * d + i] = scale;
    }
    return true;
  },
  factor(raw, d) {
    const p = tf.reshape(raw, [-1, d, d]) as tf.Tensor3D;
    const factor = fused() ? sphericalFactor(p) : plainFactor(p, d);
    return { factor, checks: diagPart(factor) };
  },
};

/** The fused op's plain reference, from tfjs ops. */
function plainFactor(p: tf.Tensor3D, d: number): tf.Tensor3D {
  const below = strictLower(d);
  // theta = pi sigmoid(phi) = pi/2 + u with u = (pi/2) tanh(phi/2), so cos(theta) = -sin(u) and
  // sin(theta) = cos(u): exact 0 and 1 at phi = 0, where cos(fround(pi/2)) would be -4e-8.
  const u = tf.mul(tf.tanh(tf.mul(p, tf.mul(below, 0.5))), Math.PI / 2);
  const sines = tf.add(tf.mul(tf.cos(u), below), tf.sub(1, below)); // 1 off the strict lower
  const cosines = tf.add(tf.mul(tf.neg(tf.sin(u)), below), eye(d)); // 1 on the diagonal, 0 above
  const r = tf.exp(tf.sum(tf.mul(p, eye(d)), 2, true)); // [N, d, 1]
  return tf.mul(tf.mul(r, cosines), exclusiveProduct(sines, d)) as tf.Tensor3D;
}

/**
 * prod_{k<j} x_ik along the last axis, by Hillis-Steele doubling: log2(d)
 * multiplications of shifted copies. tfjs's cumprod has no gradient, and a
 * cumulative sum of log sin would turn a sine of 0 into -Inf and NaN gradients.
 */
function exclusiveProduct(x: tf.Tensor, d: number): tf.Tensor {
  const shifted = (t: tf.Tensor, k: number) =>
    tf.slice(
      tf.pad(
        t,
        [
          [0, 0],
          [0, 0],
          [k, 0],
        ],
        1,
      ),
      [0, 0, 0],
      [-1, d, d],
    );
  let product = shifted(x, 1);
  for (let k = 1; k < d; k *= 2) product = tf.mul(product, shifted(product, k));
  return product;
}
