import * as tf from '@tensorflow/tfjs-core';
import { fused, values } from '../fused.js';
import type { Parameterization } from '../parameterizations/types.js';
import { plainLogDensity } from './gaussian.js';
import { DensityKernel } from './gaussian-fused.js';

/** One trial per lane: its point (once per unit, [B * U, 1, d] lane-major) and its class [B]. */
export interface Trial {
  x: Float32Array;
  labels: Int32Array;
}

/**
 * The classifier's loss for one trial per lane: unit u's activation is
 * exp(log N(x | mu_u, Sigma_u)) with Sigma_u from factor [B * U, d, d]; the
 * activations [B, U] feed the lane's bias-free linear layer w [B, K, U]; the
 * loss is the softmax cross-entropy of its outputs against the trial's class;
 * returns [B]. One fused op (the density kernel and the head, per lane), or
 * its plain reference form under `withPlainOps`.
 */
export function classifierLoss(
  trial: Trial,
  mu: tf.Tensor3D,
  factor: tf.Tensor3D,
  w: tf.Tensor3D,
  p: Parameterization,
): tf.Tensor1D {
  return fused() ? fusedLoss(trial, mu, factor, w, p) : plainLoss(trial, mu, factor, w, p);
}

function plainLoss(trial: Trial, mu: tf.Tensor3D, factor: tf.Tensor3D, w: tf.Tensor3D, p: Parameterization) {
  const [B, U, d] = mu.shape;
  const x = tf.tensor3d(trial.x, [B * U, 1, d]);
  const logp = plainLogDensity(x, tf.reshape(mu, [B * U, d]) as tf.Tensor2D, factor, p);
  const act = tf.exp(tf.reshape(logp, [B, 1, U]));
  const out = tf.sum(tf.mul(w, act), 2);
  const y = tf.oneHot(tf.tensor1d(trial.labels, 'int32'), w.shape[1]);
  return tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(out)), 1)) as tf.Tensor1D;
}

function fusedLoss(trial: Trial, mu: tf.Tensor3D, factor: tf.Tensor3D, w: tf.Tensor3D, p: Parameterization) {
  const [B, U, d] = mu.shape;
  const K = w.shape[1];
  const op = tf.customGrad((mt, lt, wt) => {
    const [mv, lv, wv] = [values(mt), values(lt), values(wt)];
    const density = new DensityKernel(d, p.factorOf);
    const head = new HeadKernel(B, U, K);
    const logp = new Float64Array(B * U);
    const loss = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      for (let u = 0; u < U; u++) density.forward(trial.x, mv, lv, b * U + u, 1, logp);
      loss[b] = head.forward(logp, wv, b, trial.labels[b]);
    }
    return {
      value: tf.tensor1d(loss),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const dlogp = new Float64Array(B * U);
        const dx = new Float32Array(B * U * d); // x is data: its gradient is dropped
        const dmu = new Float32Array(B * U * d);
        const dl = new Float32Array(B * U * d * d);
        const dw = new Float32Array(B * K * U);
        for (let b = 0; b < B; b++) {
          head.backward(wv, b, trial.labels[b], g[b], dlogp, dw);
          for (let u = 0; u < U; u++) density.backward(trial.x, mv, lv, b * U + u, 1, dlogp, dx, dmu, dl);
        }
        return [tf.tensor3d(dmu, [B, U, d]), tf.tensor3d(dl, [B * U, d, d]), tf.tensor3d(dw, [B, K, U])];
      },
    };
  });
  return op(mu, factor, w) as tf.Tensor1D;
}

/**
 * One lane's head in float64: act = exp(log p), out = W act, loss =
 * -log softmax(out)[label] (max-shifted, as logSoftmax is). The gradient is
 * d loss / d out_k = softmax_k - [k = label], then through W act and exp; the
 * forward keeps every lane's act and softmax for it.
 */
class HeadKernel {
  private readonly act: Float64Array;
  private readonly soft: Float64Array;

  constructor(
    B: number,
    private readonly U: number,
    private readonly K: number,
  ) {
    this.act = new Float64Array(B * U);
    this.soft = new Float64Array(B * K);
  }

  forward(logp: Float64Array, w: Float32Array, b: number, label: number): number {
    const { U, K, act, soft } = this;
    for (let j = 0; j < U; j++) act[b * U + j] = Math.exp(logp[b * U + j]);
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < K; k++) {
      let o = 0;
      for (let j = 0; j < U; j++) o += w[(b * K + k) * U + j] * act[b * U + j];
      soft[b * K + k] = o;
      if (o > max) max = o;
    }
    const logit = soft[b * K + label];
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(soft[b * K + k] - max);
      soft[b * K + k] = e;
      sum += e;
    }
    for (let k = 0; k < K; k++) soft[b * K + k] /= sum;
    return max + Math.log(sum) - logit;
  }

  /** Writes d loss / d log p of lane b into dlogp and d loss / d W into dw, for an incoming gradient g. */
  backward(w: Float32Array, b: number, label: number, g: number, dlogp: Float64Array, dw: Float32Array) {
    const { U, K, act, soft } = this;
    for (let j = 0; j < U; j++) {
      let dact = 0;
      for (let k = 0; k < K; k++) {
        const gout = g * (soft[b * K + k] - (k === label ? 1 : 0));
        dact += gout * w[(b * K + k) * U + j];
        dw[(b * K + k) * U + j] = gout * act[b * U + j];
      }
      dlogp[b * U + j] = dact * act[b * U + j];
    }
  }
}
