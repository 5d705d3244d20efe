import { symmetricEigen } from '../../ground/dense64.js';
import { fused } from '../ops/fused.js';
import { rotationPairs as pairs } from '../ops/givens-kernel.js';
import { cholesky } from '../ops/linalg.js';
import { eye } from '../ops/masks.js';
import { givensCovariance } from '../ops/rotations.js';
import { tf } from '../tf.js';
import type { Parameterization } from './types.js';

/**
 * Sigma = U diag(exp(l)) U^T with U = G_1 G_2 ... G_K a product of the
 * K = d(d-1)/2 Givens rotations G(c, r, theta_cr), c < r, in the order
 * (0,1), (0,2), ..., (0,d-1), (1,2), ... (Pinheiro & Bates 1996; their
 * eigenvalue ordering and angle limits make the map one-to-one, which
 * gradient descent does not need, and an ordered spectrum cannot start at
 * c I). G(c, r, theta) is I with cos theta at (c,c) and (r,r), -sin theta at
 * (c,r), sin theta at (r,c). Raw block d x d: l on the diagonal, theta_cr at
 * (r, c), upper triangle unused.
 *
 * At c I every rotation leaves Sigma unchanged, so the angles' gradient is 0
 * until the eigenvalues separate. Sigma is the engine's fused op
 * (rotations.ts; under `withPlainOps`, the tfjs composition below), factored
 * by the engine's Cholesky, whose pivots are the check values.
 */
export const givens: Parameterization = {
  name: 'givens',
  summary: 'Sigma = U diag(exp(l)) U^T, U a product of d(d-1)/2 Givens rotations (Pinheiro & Bates 1996)',
  factorOf: 'covariance',
  checks: 'cholesky-pivots',
  rawShape: (d) => [d, d],
  fromCovariance(sigma0, d) {
    const { values, vectors } = symmetricEigen(sigma0, d);
    if (!values.every((v) => v > 0)) throw new RangeError('the starting covariance is not positive definite');
    let raw = rotationsOf(vectors, d);
    if (raw === undefined) {
      // det V = -1: flipping an eigenvector's sign keeps Sigma and makes V a rotation.
      for (let i = 0; i < d; i++) vectors[i * d + d - 1] *= -1;
      raw = rotationsOf(vectors, d)!;
    }
    for (let j = 0; j < d; j++) raw[j * d + j] = Math.log(values[j]);
    return raw;
  },
  // U is orthogonal, so Sigma's eigenvalues are exp(l) exactly: cond = exp(max l - min l).
  conditionBound64(raw, at, d) {
    let [lo, hi] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (let j = 0; j < d; j++) {
      lo = Math.min(lo, raw[at + j * d + j]);
      hi = Math.max(hi, raw[at + j * d + j]);
    }
    return Math.exp(hi - lo);
  },
  covariance(raw, d) {
    const u = new Float64Array(d * d);
    for (let i = 0; i < d; i++) u[i * d + i] = 1;
    // U <- U G(c, r, theta): only columns c and r change.
    for (const [c, r] of pairs(d)) {
      const cos = Math.cos(raw[r * d + c]);
      const sin = Math.sin(raw[r * d + c]);
      for (let i = 0; i < d; i++) {
        const uc = u[i * d + c];
        const ur = u[i * d + r];
        u[i * d + c] = cos * uc + sin * ur;
        u[i * d + r] = -sin * uc + cos * ur;
      }
    }
    const sigma = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += u[i * d + k] * Math.exp(raw[k * d + k]) * u[j * d + k];
        sigma[i * d + j] = s;
      }
    return sigma;
  },
  factor(raw, d) {
    const p = tf.reshape(raw, [-1, d, d]) as tf.Tensor3D;
    const { factor, pivots } = cholesky(fused() ? givensCovariance(p) : plainCovariance(p, d));
    return { factor, checks: pivots };
  },
};

/** The fused op's plain reference: U from tfjs ops, then U diag(exp(l)) U^T (scaled columns times U^T). */
function plainCovariance(p: tf.Tensor3D, d: number): tf.Tensor3D {
  const n = p.shape[0];
  const u = rotation(p, d);
  const l = tf.reshape(tf.sum(tf.mul(p, eye(d)), 2), [n, 1, d]);
  return tf.matMul(tf.mul(u, tf.exp(l)), u, false, true) as tf.Tensor3D;
}

/**
 * The angles with V = G_1 ... G_K, by Givens QR of V: rotating rows c and r
 * by G(c, r, theta)^T with theta = atan2(V_rc, V_cc) zeroes V_rc, column by
 * column, leaving the identity when det V = 1; undefined when det V = -1.
 */
function rotationsOf(v: Float64Array, d: number): Float64Array | undefined {
  const m = Float64Array.from(v);
  const raw = new Float64Array(d * d);
  for (const [c, r] of pairs(d)) {
    const theta = Math.atan2(m[r * d + c], m[c * d + c]);
    raw[r * d + c] = theta;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    for (let k = 0; k < d; k++) {
      const mc = m[c * d + k];
      const mr = m[r * d + k];
      m[c * d + k] = cos * mc + sin * mr;
      m[r * d + k] = -sin * mc + cos * mr;
    }
  }
  return m[d * d - 1] > 0 ? raw : undefined;
}

/**
 * Constant [K, d, d] masks placing cos and sin in each rotation, and the [d * d, K] one-hot
 * matrix picking each rotation's angle from a raw block, made once per dimension.
 */
const masks = new Map<number, { base: tf.Tensor; cos: tf.Tensor; sin: tf.Tensor; angles: tf.Tensor2D }>();

function rotationMasks(d: number) {
  let m = masks.get(d);
  if (!m) {
    const ps = pairs(d);
    const k = ps.length;
    const base = new Float32Array(k * d * d);
    const cos = new Float32Array(k * d * d);
    const sin = new Float32Array(k * d * d);
    const angles = new Float32Array(d * d * k);
    ps.forEach(([c, r], i) => {
      angles[(r * d + c) * k + i] = 1;
      const at = (row: number, col: number) => i * d * d + row * d + col;
      for (let j = 0; j < d; j++) if (j !== c && j !== r) base[at(j, j)] = 1;
      cos[at(c, c)] = 1;
      cos[at(r, r)] = 1;
      sin[at(r, c)] = 1;
      sin[at(c, r)] = -1;
    });
    // Kept out of every tidy scope: they serve every step, like the masks of masks.ts.
    m = {
      base: tf.keep(tf.tensor3d(base, [k, d, d])),
      cos: tf.keep(tf.tensor3d(cos, [k, d, d])),
      sin: tf.keep(tf.tensor3d(sin, [k, d, d])),
      angles: tf.keep(tf.tensor2d(angles, [d * d, k])),
    };
    masks.set(d, m);
  }
  return m;
}

/**
 * U [N, d, d] from raw blocks: every rotation built at once as [N, K, d, d],
 * then multiplied together by halving (adjacent pairs, order kept), so the
 * op count grows with log K rather than K.
 */
function rotation(p: tf.Tensor, d: number): tf.Tensor3D {
  const n = p.shape[0];
  const k = (d * (d - 1)) / 2;
  if (k === 0) return tf.ones([n, 1, 1]);
  const m = rotationMasks(d);
  // The angles picked out by a one-hot matMul: gather's gradient has no wasm kernel.
  const theta = tf.reshape(tf.matMul(tf.reshape(p, [n, d * d]), m.angles), [n, k, 1, 1]);
  let g = tf.add(tf.add(m.base, tf.mul(tf.cos(theta), m.cos)), tf.mul(tf.sin(theta), m.sin));
  while (g.shape[1]! > 1) {
    const count = g.shape[1]!;
    const even = count - (count % 2);
    const halves = tf.reshape(tf.slice(g, [0, 0, 0, 0], [n, even, d, d]), [n, even / 2, 2, d, d]);
    const left = tf.reshape(tf.slice(halves, [0, 0, 0, 0, 0], [n, even / 2, 1, d, d]), [n, even / 2, d, d]);
    const right = tf.reshape(tf.slice(halves, [0, 0, 1, 0, 0], [n, even / 2, 1, d, d]), [n, even / 2, d, d]);
    const products = tf.matMul(left, right);
    g = even === count ? products : tf.concat([products, tf.slice(g, [0, even, 0, 0], [n, 1, d, d])], 1);
  }
  return tf.reshape(g, [n, d, d]);
}
