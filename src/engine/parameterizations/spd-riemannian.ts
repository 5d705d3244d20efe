import { SpdUpdateKernel } from '../ops/spd-update-kernel.js';
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
    direction: (raw, grad, d) => updateKernel(d).direction(raw, grad),
    retract: (before, stepped, d) => updateKernel(d).retract(before, stepped),
  },
};

/** This thread's update kernel for each d, made on first use (each owns no state between calls). */
const kernels = new Map<number, SpdUpdateKernel>();

function updateKernel(d: number): SpdUpdateKernel {
  let k = kernels.get(d);
  if (!k) {
    k = new SpdUpdateKernel(d);
    kernels.set(d, k);
  }
  return k;
}
