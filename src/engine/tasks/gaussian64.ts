import { cholesky64 } from '../../ground/dense64.js';
import type { Gaussians } from '../../types.js';
import { wasmKernelsFor } from '../ops/wasm.js';

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
 * (100k per worker at d = 16), and factoring per point cost more than the points themselves.
 * NaN for every point when sigma is not positive definite.
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
  const norm = normalizer(sigma, d);
  if (!norm) {
    for (let i = 0; i < count; i++) out[offset + i * stride] = Number.NaN;
    return;
  }
  const { l, logDet, constant } = norm;
  const z = new Float64Array(4 * d);
  const fours = count - (count % 4);
  for (let p = 0; p < fours; p += 4) {
    const m = mahalanobis4(points, p * d, mu, l, d, z);
    for (let q = 0; q < 4; q++) out[offset + (p + q) * stride] = -0.5 * m[q] - logDet - constant;
  }
  if (fours === count) return;
  // The last one to three points, copied into a block of four (the last repeated to fill it).
  const last = new Float64Array(4 * d);
  for (let q = 0; q < 4; q++) {
    const from = Math.min(fours + q, count - 1) * d;
    for (let i = 0; i < d; i++) last[q * d + i] = points[from + i];
  }
  const m = mahalanobis4(last, 0, mu, l, d, z);
  for (let p = fours; p < count; p++) out[offset + p * stride] = -0.5 * m[p - fours] - logDet - constant;
}

/**
 * sigma's float64 Cholesky factor L and the two terms of log N(x | mu, sigma) that do not depend
 * on x: log det L and (d / 2) log 2 pi, each point's density then -|L^-1 (x - mu)|^2 / 2 - logDet -
 * constant, subtracted in that order. Undefined when sigma is not positive definite.
 */
function normalizer(
  sigma: ArrayLike<number>,
  d: number,
): { l: Float64Array; logDet: number; constant: number } | undefined {
  const l = cholesky64(sigma, d);
  if (!l) return undefined;
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += Math.log(l[i * d + i]);
  return { l, logDet, constant: 0.5 * d * Math.log(2 * Math.PI) };
}

/**
 * logDensities64 of `count` points under each of `means.length` Gaussians, into
 * out[i * units + u]: the same numbers. From d = 8 on the WebAssembly kernel takes the
 * substitutions (two points per f64x2, half the time at d = 16), the points copied in once for
 * every unit.
 */
export function logDensitiesOfUnits(
  points: Float64Array,
  count: number,
  means: readonly ArrayLike<number>[],
  covs: readonly ArrayLike<number>[],
  d: number,
  out: Float64Array,
): void {
  const units = means.length;
  const wasm = count > 0 ? wasmKernelsFor(d) : undefined;
  if (!wasm) {
    for (let u = 0; u < units; u++) logDensities64(points, count, means[u], covs[u], d, out, u, units);
    return;
  }
  const padded = 4 * Math.ceil(count / 4);
  const [x, mu, l, z, m] = wasm.shared(`log-densities:${d}:${padded}`, [
    8 * padded * d,
    8 * d,
    8 * d * d,
    32 * d,
    8 * padded,
  ]);
  const f64 = wasm.f64();
  f64.set(points.subarray(0, count * d), x >> 3);
  for (let u = 0; u < units; u++) {
    const norm = normalizer(covs[u], d);
    if (!norm) {
      for (let i = 0; i < count; i++) out[i * units + u] = Number.NaN;
      continue;
    }
    const { logDet, constant } = norm;
    f64.set(means[u], mu >> 3);
    f64.set(norm.l, l >> 3);
    wasm.exports.mahalanobisBlocks(d, count, x, mu, l, z, m);
    const at = m >> 3;
    for (let i = 0; i < count; i++) out[i * units + u] = -0.5 * f64[at + i] - logDet - constant;
  }
}

const maha4 = new Float64Array(4);

/**
 * |L^-1 (x - mu)|^2 of the four consecutive points at points[at..] by forward substitution, each
 * point by the operations a point-by-point loop makes, in its order (so the same bits),
 * interleaved: one point's substitution is a chain of dependent subtractions, and four
 * independent chains keep the core busy where one left it waiting (half the time at d = 16).
 * z (4d numbers of scratch) holds the four points' z_k side by side: z[4k + q].
 */
function mahalanobis4(
  points: ArrayLike<number>,
  at: number,
  mu: ArrayLike<number>,
  l: Float64Array,
  d: number,
  z: Float64Array,
): Float64Array {
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < d; i++) {
    const mi = mu[i];
    let t0 = points[at + i] - mi;
    let t1 = points[at + d + i] - mi;
    let t2 = points[at + 2 * d + i] - mi;
    let t3 = points[at + 3 * d + i] - mi;
    const row = i * d;
    for (let k = 0; k < i; k++) {
      const lk = l[row + k];
      const zk = 4 * k;
      t0 -= lk * z[zk];
      t1 -= lk * z[zk + 1];
      t2 -= lk * z[zk + 2];
      t3 -= lk * z[zk + 3];
    }
    const lii = l[row + i];
    const z0 = t0 / lii;
    const z1 = t1 / lii;
    const z2 = t2 / lii;
    const z3 = t3 / lii;
    z[4 * i] = z0;
    z[4 * i + 1] = z1;
    z[4 * i + 2] = z2;
    z[4 * i + 3] = z3;
    m0 += z0 * z0;
    m1 += z1 * z1;
    m2 += z2 * z2;
    m3 += z3 * z3;
  }
  maha4[0] = m0;
  maha4[1] = m1;
  maha4[2] = m2;
  maha4[3] = m3;
  return maha4;
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
