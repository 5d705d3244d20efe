import { cholesky64 } from '../ground/dense64.js';
import type { Stream } from './random.js';

/**
 * n draws of N(mean, cov) from `rng`'s normals, rows of out[at..at + n d): row i is
 * mean + L z with L the Cholesky factor of cov and z the stream's next d normals, each entry
 * summed in the same order as a fresh vector would take it (mean_a, then L_a0 z_0, L_a1 z_1, ...).
 * The n d normals are drawn in one block straight into out and each row is transformed where it
 * lies, its entries from last to first (entry a reads z_0..z_a, which the entries before it still
 * hold). Four rows go together: each entry's sum is one chain of dependent additions, and four
 * independent chains keep the core busy where one would wait on each addition in turn.
 */
export function sampleGaussian(
  rng: Stream,
  mean: Float64Array,
  cov: ArrayLike<number>,
  n: number,
  d: number,
  out: Float64Array = new Float64Array(n * d),
  at = 0,
): Float64Array {
  const l = cholesky64(cov, d);
  if (!l) throw new RangeError('sampling covariance is not positive definite');
  rng.normals(out, at, at + n * d);
  const end = at + n * d;
  let r0 = at;
  for (; r0 + 4 * d <= end; r0 += 4 * d) {
    const r1 = r0 + d;
    const r2 = r1 + d;
    const r3 = r2 + d;
    for (let a = d - 1; a >= 0; a--) {
      let t0 = mean[a];
      let t1 = t0;
      let t2 = t0;
      let t3 = t0;
      for (let k = 0; k <= a; k++) {
        const lak = l[a * d + k];
        t0 += lak * out[r0 + k];
        t1 += lak * out[r1 + k];
        t2 += lak * out[r2 + k];
        t3 += lak * out[r3 + k];
      }
      out[r0 + a] = t0;
      out[r1 + a] = t1;
      out[r2 + a] = t2;
      out[r3 + a] = t3;
    }
  }
  for (; r0 < end; r0 += d)
    for (let a = d - 1; a >= 0; a--) {
      let t = mean[a];
      for (let k = 0; k <= a; k++) t += l[a * d + k] * out[r0 + k];
      out[r0 + a] = t;
    }
  return out;
}
