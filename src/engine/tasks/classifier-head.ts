import * as tf from '@tensorflow/tfjs-core';
import { fused, values } from '../fused.js';

/**
 * The classifier's head for one trial per lane: unit activations
 * exp(log p) [B, U] feed the lane's bias-free linear layer w [B, K, U], and
 * the loss is the softmax cross-entropy of its outputs against the trial's
 * class `labels[b]`; returns [B]. One fused op, or its plain reference form
 * under `withPlainOps`.
 */
export function classifierHead(logp: tf.Tensor2D, w: tf.Tensor3D, labels: Int32Array): tf.Tensor1D {
  return fused() ? fusedHead(logp, w, labels) : plainHead(logp, w, labels);
}

function plainHead(logp: tf.Tensor2D, w: tf.Tensor3D, labels: Int32Array): tf.Tensor1D {
  const [B, U] = logp.shape;
  const act = tf.exp(tf.reshape(logp, [B, 1, U]));
  const out = tf.sum(tf.mul(w, act), 2);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), w.shape[1]);
  return tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(out)), 1)) as tf.Tensor1D;
}

function fusedHead(logp: tf.Tensor2D, w: tf.Tensor3D, labels: Int32Array): tf.Tensor1D {
  const [B, U] = logp.shape;
  const K = w.shape[1];
  const op = tf.customGrad((lt, wt) => {
    const [lv, wv] = [values(lt), values(wt)];
    const k = new HeadKernel(U, K);
    const loss = new Float32Array(B);
    for (let b = 0; b < B; b++) loss[b] = k.forward(lv, wv, b, labels[b]);
    return {
      value: tf.tensor1d(loss),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const dlogp = new Float32Array(B * U);
        const dw = new Float32Array(B * K * U);
        for (let b = 0; b < B; b++) {
          k.forward(lv, wv, b, labels[b]);
          k.backward(wv, b, labels[b], g[b], dlogp, dw);
        }
        return [tf.tensor2d(dlogp, [B, U]), tf.tensor3d(dw, [B, K, U])];
      },
    };
  });
  return op(logp, w) as tf.Tensor1D;
}

/** One lane's head in float64; `forward` leaves activations and softmax in scratch for `backward`. */
class HeadKernel {
  private readonly act: Float64Array;
  private readonly out: Float64Array;

  constructor(
    private readonly U: number,
    private readonly K: number,
  ) {
    this.act = new Float64Array(U);
    this.out = new Float64Array(K);
  }

  /** -log softmax(W act)[label], written as logSoftmax is (max-shifted); leaves softmax in `out`. */
  forward(logp: Float32Array, w: Float32Array, b: number, label: number): number {
    const { U, K, act, out } = this;
    for (let j = 0; j < U; j++) act[j] = Math.exp(logp[b * U + j]);
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < K; k++) {
      let o = 0;
      for (let j = 0; j < U; j++) o += w[(b * K + k) * U + j] * act[j];
      out[k] = o;
      if (o > max) max = o;
    }
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(out[k] - max);
    const logSum = max + Math.log(sum);
    const loss = logSum - out[label];
    for (let k = 0; k < K; k++) out[k] = Math.exp(out[k] - logSum);
    return loss;
  }

  /** d loss / d out_k = softmax_k - [k = label]; then through W act and exp. */
  backward(w: Float32Array, b: number, label: number, g: number, dlogp: Float32Array, dw: Float32Array) {
    const { U, K, act, out } = this;
    for (let j = 0; j < U; j++) {
      let dact = 0;
      for (let k = 0; k < K; k++) {
        const gout = g * (out[k] - (k === label ? 1 : 0));
        dact += gout * w[(b * K + k) * U + j];
        dw[(b * K + k) * U + j] = gout * act[j];
      }
      dlogp[b * U + j] = dact * act[j];
    }
  }
}
