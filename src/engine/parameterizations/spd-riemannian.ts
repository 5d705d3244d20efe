import { choleskyInto, symmetrizeLower } from '../../ground/dense64.js';
import { dot } from '../ops/dot.js';
import { full } from './full.js';
import type { Parameterization } from './types.js';

/**
 * Riemannian gradient descent on the SPD manifold under the affine-invariant metric
 * <U, V>_X = tr(X^-1 U X^-1 V) (geoopt SymmetricPositiveDefinite, pymanopt
 * SymmetricPositiveDefinite). Sigma = X is the parameter, as in `full`, and its map is the same
 * Cholesky; what changes is the update:
 * - the optimizer is given the Riemannian gradient X sym(G) X instead of the Euclidean G;
 * - the optimizer's step U (what it would add to X) is retracted:
 *   R_X(U) = X + U + U X^-1 U / 2 = (X + Y X^-1 Y) / 2 with Y = X + U,
 *   half a positive definite matrix plus half a positive semidefinite one, so positive definite
 *   for every step size (in exact arithmetic; float32 can still round a huge step's result to
 *   singular, which the Cholesky then reports like any other failure).
 *
 * With momentum or Adam, their rule runs unchanged on the Riemannian gradients and its output is
 * the tangent step U; their state is not transported between tangent spaces (geoopt transports
 * it). Every tangent space of the SPD manifold is the whole space of symmetric matrices, so the
 * state stays a valid tangent vector, and every optimizer stays one rule over flat arrays, the
 * same rule as for every other parameterization, so that a comparison varies the
 * parameterization alone. With plain SGD this is exactly Riemannian gradient descent.
 */
export const spdRiemannian: Parameterization = {
  ...full,
  name: 'spd-riemannian',
  summary: 'Sigma = P, Riemannian gradient P sym(G) P and retraction P + U + U P^-1 U / 2 (geoopt, pymanopt)',
  update: {
    // X sym(G) X: T = X sym(G), then the lower triangle of T X, mirrored (exactly symmetric);
    // every entry a dot product of rows, as both factors are symmetric.
    direction(raw, grad, d) {
      const x = symmetrizeLower(raw, d);
      const g = new Float64Array(d * d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) g[i * d + j] = g[j * d + i] = (grad[i * d + j] + grad[j * d + i]) / 2;
      const t = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) t[i * d + j] = dot(x, i * d, g, j * d, d);
      const out = new Float64Array(d * d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) out[i * d + j] = out[j * d + i] = dot(t, i * d, x, j * d, d);
      return out;
    },
    retract(before, stepped, d) {
      const l = new Float64Array(d * d);
      // A lane is stepped only while its factor exists, so this holds but for float32 vs
      // float64 at the very edge; the plain step is then left to the Cholesky to judge.
      if (!choleskyInto(before, 0, d, l)) return Float64Array.from(stepped);
      // Y X^-1 Y = W^T W with W = L^-1 Y (forward substitution, Y the lower triangle of
      // `stepped` mirrored): exactly symmetric, and no inverse formed.
      // Row by row, each entry's subtractions in the order of k (rows of W are contiguous).
      const w = new Float64Array(d * d);
      for (let i = 0; i < d; i++) {
        const ri = i * d;
        for (let c = 0; c < d; c++) w[ri + c] = c <= i ? stepped[ri + c] : stepped[c * d + i];
        for (let k = 0; k < i; k++) {
          const lik = l[ri + k];
          const rk = k * d;
          for (let c = 0; c < d; c++) w[ri + c] -= lik * w[rk + c];
        }
        const lii = l[ri + i];
        for (let c = 0; c < d; c++) w[ri + c] /= lii;
      }
      // (X + W^T W) / 2, lower triangle, mirrored: (W^T W)_ij is the dot product of columns i
      // and j of W, rows of its transpose.
      const wt = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let c = 0; c < d; c++) wt[c * d + i] = w[i * d + c];
      const r = new Float64Array(d * d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++)
          r[i * d + j] = r[j * d + i] = (before[i * d + j] + dot(wt, i * d, wt, j * d, d)) / 2;
      return r;
    },
  },
};
