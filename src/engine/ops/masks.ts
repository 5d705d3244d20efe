import { tf } from '../tf.js';
import { fused, values } from './fused.js';

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

/**
 * Diagonal of each matrix of [N, d, d] as [N, d]: one fused op (a copy loop),
 * or under `withPlainOps` its plain form, a masked sum that is two tfjs ops
 * forward and two more for the gradient.
 */
export function diagPart(m: tf.Tensor3D): tf.Tensor2D {
  if (!fused()) return tf.sum(tf.mul(m, eye(m.shape[2])), 2);
  const [n, d] = m.shape;
  const op = tf.customGrad((mt) => {
    const v = values(mt);
    const diag = new Float32Array(n * d);
    for (let e = 0; e < n; e++) for (let j = 0; j < d; j++) diag[e * d + j] = v[e * d * d + j * d + j];
    return {
      value: tf.tensor2d(diag, [n, d]),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const dm = new Float32Array(n * d * d);
        for (let e = 0; e < n; e++) for (let j = 0; j < d; j++) dm[e * d * d + j * d + j] = g[e * d + j];
        return tf.tensor3d(dm, [n, d, d]);
      },
    };
  });
  return op(m) as tf.Tensor2D;
}
