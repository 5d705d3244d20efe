import { stream } from '../../src/data/random.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { symmetricEigenvalues, withEigenvalues } from '../../src/ground/dense64.js';

/**
 * The float64 condition number of the covariance of a float32 raw block: the `repro --trace`
 * computation. For precision-cholesky, of the precision L L^T (log-cholesky's map of the same
 * block): the same number, without the float64 inverse's rounding at cond 1e12.
 */
export function conditionNumber64(name: string, raw: Float32Array, d: number): number {
  const map = parameterization(name === 'precision-cholesky' ? 'log-cholesky' : name);
  const values = symmetricEigenvalues(map.covariance(raw, d), d);
  return values[0] > 0 ? values[d - 1] / values[0] : Number.POSITIVE_INFINITY;
}

/** A covariance with eigenvalues log-spaced from 1 down to 1 / cond, in a random basis. */
export function randomCovariance(seed: number, d: number, cond: number): Float64Array {
  const rng = stream(seed, 'condition-test');
  return withEigenvalues(
    Array.from({ length: d }, (_, j) => cond ** (-j / (d - 1))),
    () => rng.normal(),
  );
}
