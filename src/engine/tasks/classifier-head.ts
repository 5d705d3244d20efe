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

/**
 * In float64 per lane: act = exp(logp), out = W act, loss = -log softmax(out)[label]
 * (max-shifted, as logSoftmax is). The gradient is d loss / d out_k = softmax_k - [k = label],
 * then through W act and exp; the forward keeps act and softmax for it.
 */
function fusedHead(logp: tf.Tensor2D, w: tf.Tensor3D, labels: Int32Array): tf.Tensor1D {
  const [B, U] = logp.shape;
  const K = w.shape[1];
  const op = tf.customGrad((lt, wt) => {
    const [lv, wv] = [values(lt), values(wt)];
    const act = new Float64Array(B * U);
    const soft = new Float64Array(B * K);
    const loss = new Float32Array(B);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < U; j++) act[b * U + j] = Math.exp(lv[b * U + j]);
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) {
        let o = 0;
        for (let j = 0; j < U; j++) o += wv[(b * K + k) * U + j] * act[b * U + j];
        soft[b * K + k] = o;
        if (o > max) max = o;
      }
      const logit = soft[b * K + labels[b]];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(soft[b * K + k] - max);
        soft[b * K + k] = e;
        sum += e;
      }
      loss[b] = max + Math.log(sum) - logit;
      for (let k = 0; k < K; k++) soft[b * K + k] /= sum;
    }
    return {
      value: tf.tensor1d(loss),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const dlogp = new Float32Array(B * U);
        const dw = new Float32Array(B * K * U);
        for (let b = 0; b < B; b++)
          for (let j = 0; j < U; j++) {
            let dact = 0;
            for (let k = 0; k < K; k++) {
              const gout = g[b] * (soft[b * K + k] - (k === labels[b] ? 1 : 0));
              dact += gout * wv[(b * K + k) * U + j];
              dw[(b * K + k) * U + j] = gout * act[b * U + j];
            }
            dlogp[b * U + j] = dact * act[b * U + j];
          }
        return [tf.tensor2d(dlogp, [B, U]), tf.tensor3d(dw, [B, K, U])];
      },
    };
  });
  return op(logp, w) as tf.Tensor1D;
}
