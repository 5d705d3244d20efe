import { cholesky64 } from '../../ground/dense64.js';
import type { Gaussians } from '../../types.js';

/** Float64 log N(x | mu, sigma); NaN when sigma is not positive definite. */
export function logDensity64(
  x: ArrayLike<number>,
  mu: ArrayLike<number>,
  sigma: ArrayLike<number>,
  d: number,
): number {
  return logDensityOf64(mu, sigma, d)(x);
}

/**
 * Float64 log N(. | mu, sigma) as a function of the point, sigma factored once: a run's metrics
 * evaluate every data point, and factoring per point cost more than the points themselves.
 * NaN for every point when sigma is not positive definite. The point is x[at .. at + d): the
 * metrics read their points in place rather than make a view of each.
 */
export function logDensityOf64(
  mu: ArrayLike<number>,
  sigma: ArrayLike<number>,
  d: number,
): (x: ArrayLike<number>, at?: number) => number {
  const l = cholesky64(sigma, d);
  if (!l) return () => Number.NaN;
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += Math.log(l[i * d + i]);
  const z = new Float64Array(d);
  return (x, at = 0) => {
    let maha = 0;
    for (let i = 0; i < d; i++) {
      let t = x[at + i] - mu[i];
      for (let k = 0; k < i; k++) t -= l[i * d + k] * z[k];
      z[i] = t / l[i * d + i];
      maha += z[i] * z[i];
    }
    return -0.5 * maha - logDet - 0.5 * d * Math.log(2 * Math.PI);
  };
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
