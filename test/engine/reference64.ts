/**
 * Float64 references for engine tests on plain JS numbers, written independently of
 * src/engine (no Cholesky): LU with partial pivoting for determinants, inverses and solves.
 */
import type seedrandom from 'seedrandom';

/** LU factorisation with partial pivoting of a d x d row-major matrix: log|det|, sign and a solver. */
export function lu(a: ArrayLike<number>, d: number) {
  const m = Array.from(a);
  const perm = Array.from({ length: d }, (_, i) => i);
  let sign = 1;
  let logAbsDet = 0;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r * d + c]) > Math.abs(m[p * d + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < d; k++) [m[p * d + k], m[c * d + k]] = [m[c * d + k], m[p * d + k]];
      [perm[p], perm[c]] = [perm[c], perm[p]];
      sign = -sign;
    }
    const piv = m[c * d + c];
    if (piv < 0) sign = -sign;
    logAbsDet += Math.log(Math.abs(piv));
    for (let r = c + 1; r < d; r++) {
      m[r * d + c] /= piv;
      const f = m[r * d + c];
      for (let k = c + 1; k < d; k++) m[r * d + k] -= f * m[c * d + k];
    }
  }
  /** x with A x = b. */
  const solve = (b: ArrayLike<number>): number[] => {
    const x = perm.map((i) => b[i]);
    for (let r = 0; r < d; r++) for (let k = 0; k < r; k++) x[r] -= m[r * d + k] * x[k];
    for (let r = d - 1; r >= 0; r--) {
      for (let k = r + 1; k < d; k++) x[r] -= m[r * d + k] * x[k];
      x[r] /= m[r * d + r];
    }
    return x;
  };
  return { logAbsDet, sign, solve };
}

export function inverse(a: ArrayLike<number>, d: number): number[] {
  const { solve } = lu(a, d);
  const inv = new Array<number>(d * d);
  for (let j = 0; j < d; j++) {
    const col = solve(Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)));
    for (let i = 0; i < d; i++) inv[i * d + j] = col[i];
  }
  return inv;
}

/** L L^T of a row-major d x d matrix (all of it: callers pass a lower-triangular L). */
export function gram(l: ArrayLike<number>, d: number): number[] {
  const s = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) s[i * d + j] += l[i * d + k] * l[j * d + k];
  return s;
}

/** log N(x | mu, sigma) in closed form: -(x-mu)^T Sigma^-1 (x-mu) / 2 - log det(2 pi Sigma) / 2. */
export function logNormal(x: ArrayLike<number>, mu: ArrayLike<number>, sigma: ArrayLike<number>, d: number) {
  const { logAbsDet, sign, solve } = lu(sigma, d);
  if (sign <= 0) return Number.NaN;
  const diff = Array.from({ length: d }, (_, i) => x[i] - mu[i]);
  const z = solve(diff);
  const maha = diff.reduce((s, v, i) => s + v * z[i], 0);
  return -0.5 * maha - 0.5 * logAbsDet - 0.5 * d * Math.log(2 * Math.PI);
}

/** Central differences of f at x, entry by entry. */
export function fdGradient(f: (x: number[]) => number, x: ArrayLike<number>, h = 1e-6): number[] {
  const at = Array.from(x);
  return at.map((v, i) => {
    at[i] = v + h;
    const up = f(at);
    at[i] = v - h;
    const down = f(at);
    at[i] = v;
    return (up - down) / (2 * h);
  });
}

/** A = B B^T / d + I with uniform B in [-1, 1): eigenvalues in [1, 1 + d]. */
export function randomSpd(rng: seedrandom.PRNG, d: number): Float64Array {
  const b = Array.from({ length: d * d }, () => 2 * rng() - 1);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < d; k++) s += (b[i * d + k] * b[j * d + k]) / d;
      a[i * d + j] = s;
    }
  return a;
}

/** |got - want| <= rtol * max(|want|, 1% of want's largest magnitude), entry by entry; the first failures. */
export function mismatches(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number): string[] {
  let largest = 0;
  for (let k = 0; k < want.length; k++) largest = Math.max(largest, Math.abs(want[k]));
  const bad: string[] = [];
  if (got.length !== want.length) return [`length ${got.length}, want ${want.length}`];
  for (let k = 0; k < want.length && bad.length < 5; k++) {
    if (!(Math.abs(got[k] - want[k]) <= rtol * Math.max(Math.abs(want[k]), 1e-2 * largest))) {
      bad.push(`[${k}] got ${got[k]} want ${want[k]}`);
    }
  }
  return bad;
}

/** The float32 bit patterns of values[start, start + length). */
export function bits(values: ArrayLike<number>, start = 0, length = values.length - start): number[] {
  return Array.from(
    new Uint32Array(Float32Array.from(Array.prototype.slice.call(values, start, start + length)).buffer),
  );
}
