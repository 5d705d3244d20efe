import { cholesky64 } from '../../ground/dense64.js';
import type { Gaussians } from '../../types.js';

/** Float64 log N(x | mu, sigma); NaN when sigma is not positive definite. */
export function logDensity64(
  x: ArrayLike<number>,
  mu: ArrayLike<number>,
  sigma: ArrayLike<number>,
  d: number,
): number {
  const out = new Float64Array(1);
  logDensities64(x, 1, mu, sigma, d, out);
  return out[0];
}

/**
 * Float64 log N(x_i | mu, sigma) of `count` points (row-major, d numbers each, read in place)
 * into out[offset + i * stride], sigma factored once: a run's metrics evaluate every data point
 * (100k per worker at d = 16), and factoring per point cost more than the points themselves. One
 * loop over the points, allocating only the factor, where a function per point (a closure over it)
 * took twice as long. NaN for every point when sigma is not positive definite.
 */
export function logDensities64(
  points: ArrayLike<number>,
  count: number,
  mu: ArrayLike<number>,
  sigma: ArrayLike<number>,
  d: number,
  out: Float64Array,
  offset = 0,
  stride = 1,
): void {
  const l = cholesky64(sigma, d);
  if (!l) {
    for (let i = 0; i < count; i++) out[offset + i * stride] = Number.NaN;
    return;
  }
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += Math.log(l[i * d + i]);
  const constant = 0.5 * d * Math.log(2 * Math.PI);
  const z = new Float64Array(d);
  for (let p = 0, at = 0; p < count; p++, at += d) {
    // z = L^-1 (x - mu) by forward substitution; maha = |z|^2.
    let maha = 0;
    for (let i = 0; i < d; i++) {
      let t = points[at + i] - mu[i];
      const row = i * d;
      for (let k = 0; k < i; k++) t -= l[row + k] * z[k];
      const zi = t / l[row + i];
      z[i] = zi;
      maha += zi * zi;
    }
    out[offset + p * stride] = -0.5 * maha - logDet - constant;
  }
}

/** Row-major float64 means and covariances as nested plain arrays (for results files). */
export function asGaussians(means: ArrayLike<number>[], covs: ArrayLike<number>[], d: number): Gaussians {
  return {
    means: means.map((m) => Array.from(m)),
    covariances: covs.map((c) =>
      Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => c[i * d + j])),
    ),
  };
}
