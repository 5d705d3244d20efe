import * as tf from '@tensorflow/tfjs-core';

/**
 * Constant d x d masks, made once per dimension and kept out of every tidy
 * scope: they are used by every training step, and recreating them would be
 * two uploads per step.
 */
const cache = new Map<string, tf.Tensor2D>();

function cached(key: string, make: () => tf.Tensor2D): tf.Tensor2D {
  let t = cache.get(key);
  if (!t) {
    t = tf.keep(make());
    cache.set(key, t);
  }
  return t;
}

function mask(d: number, keep: (i: number, j: number) => boolean): tf.Tensor2D {
  const v = new Float32Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) v[i * d + j] = keep(i, j) ? 1 : 0;
  return tf.tensor2d(v, [d, d]);
}

export const eye = (d: number) => cached(`eye${d}`, () => mask(d, (i, j) => i === j));
/** Lower triangle including the diagonal. */
export const lower = (d: number) => cached(`lower${d}`, () => mask(d, (i, j) => i >= j));
/** Strictly lower triangle. */
export const strictLower = (d: number) => cached(`strict${d}`, () => mask(d, (i, j) => i > j));

/** Diagonal of each matrix of [N, d, d] as [N, d]. */
export function diagPart(m: tf.Tensor3D): tf.Tensor2D {
  return tf.sum(tf.mul(m, eye(m.shape[2])), 2);
}
