import { gram } from '../../ground/dense64.js';
import { diagPart, eye, strictLower } from '../ops/masks.js';
import { tf } from '../tf.js';
import { SOFTPLUS_OPTIONS } from './specs.js';
import { choleskyOf } from './tril.js';
import type { Parameterization } from './types.js';

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/**
 * L with softplus(diagonal) + shift and a free strict lower triangle (TFP
 * FillScaleTriL, the scale of MultivariateNormalTriL). The diagonal grows
 * linearly instead of exponentially, and cannot fall below the shift. The raw
 * block is d x d as in log-cholesky: diagonal = softplus^-1(L_jj - shift),
 * upper triangle unused.
 */
export function makeSoftplusCholesky(shift: number): Parameterization {
  return {
    name: 'softplus-cholesky',
    summary: `L = softplus(diag) + ${shift} + strict lower, Sigma = L L^T (TFP FillScaleTriL)`,
    factorOf: 'covariance',
    checks: 'factor-diagonal',
    rawShape: (d) => [d, d],
    options: { schema: SOFTPLUS_OPTIONS, with: (v) => makeSoftplusCholesky(v.softplus_shift as number) },
    fromCovariance(sigma0, d) {
      const raw = choleskyOf(sigma0, d);
      for (let j = 0; j < d; j++) {
        const y = raw[j * d + j] - shift;
        if (!(y > 0))
          throw new RangeError(`softplus-cholesky cannot start from L[${j + 1},${j + 1}] <= ${shift}`);
        // softplus^-1(y) = log(expm1(y)) = y + log(-expm1(-y)), the second form for large y.
        raw[j * d + j] = y + Math.log(-Math.expm1(-y));
      }
      return raw;
    },
    covariance(raw, d) {
      const l = new Float64Array(d * d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) l[i * d + j] = raw[i * d + j];
        l[i * d + i] = softplus(raw[i * d + i]) + shift;
      }
      return gram(l, d);
    },
    factor64(raw, at, d, l) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) l[i * d + j] = raw[at + i * d + j];
        l[i * d + i] = softplus(raw[at + i * d + i]) + shift;
      }
      return true;
    },
    factor(raw, d) {
      const p = tf.reshape(raw, [-1, d, d]);
      const e = eye(d);
      // softplus sees only the diagonal (off-diagonal entries masked to 0 first), as in log-cholesky.
      const diagonal = tf.mul(tf.add(tf.softplus(tf.mul(p, e)), shift), e);
      const factor = tf.add(tf.mul(p, strictLower(d)), diagonal) as tf.Tensor3D;
      return { factor, checks: diagPart(factor) };
    },
  };
}

export const softplusCholesky = makeSoftplusCholesky(SOFTPLUS_OPTIONS.softplus_shift.default as number);
