import { tf } from '../tf.js';
import type { FactorKind } from './factor-of.js';
import { fused, values } from './fused.js';
import { plainLogDensity } from './gaussian.js';
import { DensityKernel } from './gaussian-fused.js';

/**
 * The Gaussian negative log-likelihood of every lane's batch: the mean over
 * its m points of -log N(x_i | mu, Sigma) = 0.5 log det(2 pi Sigma) + 0.5
 * (x_i - mu)^T Sigma^-1 (x_i - mu); x [B, m, d] is in host memory, mu [B, d],
 * the factor [B, d, d]; returns [B]. One fused op (the density kernel, per
 * lane), or its plain reference form under `withPlainOps`.
 */
export function negLogLikelihood(
  x: Float32Array,
  m: number,
  mu: tf.Tensor2D,
  factor: tf.Tensor3D,
  p: FactorKind,
): tf.Tensor1D {
  return fused() ? fusedNll(x, m, mu, factor, p) : plainNll(x, m, mu, factor, p);
}

function plainNll(x: Float32Array, m: number, mu: tf.Tensor2D, factor: tf.Tensor3D, p: FactorKind) {
  const [B, d] = mu.shape;
  const logp = plainLogDensity(tf.tensor3d(x, [B, m, d]), mu, factor, p);
  return tf.neg(tf.mean(logp, 1)) as tf.Tensor1D;
}

/** Forward: the kernel's log-densities, averaged per lane; backward: -g / m into each point's density gradient. */
function fusedNll(x: Float32Array, m: number, mu: tf.Tensor2D, factor: tf.Tensor3D, p: FactorKind) {
  const [B, d] = mu.shape;
  const op = tf.customGrad((mt, lt) => {
    const [mv, lv] = [values(mt), values(lt)];
    const k = new DensityKernel(d, p.factorOf);
    const logp = new Float64Array(B * m);
    const loss = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      k.forward(x, mv, lv, b, m, logp);
      let sum = 0;
      for (let i = 0; i < m; i++) sum += logp[b * m + i];
      loss[b] = -sum / m;
    }
    return {
      value: tf.tensor1d(loss),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const gy = new Float64Array(B * m);
        for (let b = 0; b < B; b++) gy.fill(-g[b] / m, b * m, (b + 1) * m);
        const dx = new Float32Array(B * m * d); // x is data: its gradient is dropped
        const dmu = new Float32Array(B * d);
        const dl = new Float32Array(B * d * d);
        for (let b = 0; b < B; b++) k.backward(x, mv, lv, b, m, gy, dx, dmu, dl);
        return [tf.tensor2d(dmu, [B, d]), tf.tensor3d(dl, [B, d, d])];
      },
    };
  });
  return op(mu, factor) as tf.Tensor1D;
}
