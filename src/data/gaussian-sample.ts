import { cholesky64 } from '../ground/dense64.js';
import { gaussianRowsWasm } from './gaussian-rows-wasm.js';
import type { Stream } from './random.js';

/**
 * n draws of N(mean, cov) from `rng`'s normals, rows of out[at..at + n d): row i is
 * mean + L z with L the Cholesky factor of cov and z the stream's next d normals, each entry
 * summed in the same order as a fresh vector would take it (mean_a, then L_a0 z_0, L_a1 z_1, ...).
 * The n d normals are drawn in one block straight into out and each row is transformed where it
 * lies (`transformRows`), on WebAssembly where it runs (gaussian-rows-wasm.ts, the same numbers):
 * a worker draws every run's data once, in its first moments, where the JavaScript loop ran
 * mostly unoptimised. 512 transforms of 200 points, in a fresh process: 10-16 ms at d = 8 and
 * 13-26 ms at d = 16 in JavaScript, 3 and 6-7 ms on WebAssembly (2.3 and 8-11 ms, 1.8 and 5-6,
 * once warm); a worker's batch setup at d = 8, median of 12 cold ones, 89 -> 82 ms.
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
  const wasm = gaussianRowsWasm();
  if (wasm) wasm.transform(out, at, n, d, mean, l);
  else transformRows(out, at, n, d, mean, l);
  return out;
}

/**
 * Rows of out[at..at + n d), each a point's d normals z, become mean + L z in place, L (d x d,
 * row-major) lower triangular: entry a is mean_a + L_a0 z_0 + ... + L_aa z_a summed in that order,
 * entries from last to first (entry a reads z_0..z_a, which the entries before it still hold).
 * Eight rows go together: each entry's sum is one chain of dependent additions, and eight
 * independent chains keep the core busy where one would wait on each addition in turn (and each
 * L_ak read serves eight rows: 1.25x four rows' speed at d = 8 and 16, measured). The reference of
 * the WebAssembly kernel (assembly/gaussian-rows.ts), and what runs where WebAssembly is off.
 */
export function transformRows(
  out: Float64Array,
  at: number,
  n: number,
  d: number,
  mean: ArrayLike<number>,
  l: Float64Array,
): void {
  const end = at + n * d;
  let r0 = at;
  for (; r0 + 8 * d <= end; r0 += 8 * d) {
    const r1 = r0 + d;
    const r2 = r1 + d;
    const r3 = r2 + d;
    const r4 = r3 + d;
    const r5 = r4 + d;
    const r6 = r5 + d;
    const r7 = r6 + d;
    for (let a = d - 1; a >= 0; a--) {
      const la = a * d;
      let t0 = mean[a];
      let t1 = t0;
      let t2 = t0;
      let t3 = t0;
      let t4 = t0;
      let t5 = t0;
      let t6 = t0;
      let t7 = t0;
      for (let k = 0; k <= a; k++) {
        const lak = l[la + k];
        t0 += lak * out[r0 + k];
        t1 += lak * out[r1 + k];
        t2 += lak * out[r2 + k];
        t3 += lak * out[r3 + k];
        t4 += lak * out[r4 + k];
        t5 += lak * out[r5 + k];
        t6 += lak * out[r6 + k];
        t7 += lak * out[r7 + k];
      }
      out[r0 + a] = t0;
      out[r1 + a] = t1;
      out[r2 + a] = t2;
      out[r3 + a] = t3;
      out[r4 + a] = t4;
      out[r5 + a] = t5;
      out[r6 + a] = t6;
      out[r7 + a] = t7;
    }
  }
  for (; r0 < end; r0 += d)
    for (let a = d - 1; a >= 0; a--) {
      let t = mean[a];
      for (let k = 0; k <= a; k++) t += l[a * d + k] * out[r0 + k];
      out[r0 + a] = t;
    }
}
