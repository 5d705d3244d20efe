/** The few statistics the tables and the baseline comparison need, in float64. */

/** z of a two-sided 95% normal interval. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval of a proportion k/n: unlike the normal (Wald) interval it stays inside
 * [0, 1] and does not collapse to a point at 0/n or n/n, which are the common failure rates here.
 */
export function wilson(k: number, n: number, z = Z95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const center = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // At k = 0 or k = n the bound is exactly 0 or 1; rounding must not move it off.
  return { low: k === 0 ? 0 : center - half, high: k === n ? 1 : center + half };
}

const logFactorials: number[] = [0];

/** log(n!) by summing logs: exact enough for the run counts of a sweep, and no lgamma needed. */
function logFactorial(n: number): number {
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push(logFactorials[i - 1] + Math.log(i));
  return logFactorials[n];
}

const logChoose = (n: number, k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);

/**
 * Two-sided p-value of Fisher's exact test of the 2x2 table [[a, b], [c, d]] (rows: two samples,
 * columns: failed, not failed). Sums the hypergeometric probabilities of every table with the same
 * margins that is no more likely than the observed one, with scipy's relative tolerance of 1e-7 so
 * that tables of equal probability are not split by rounding.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const n1 = a + b;
  const k = a + c;
  const n = a + b + c + d;
  const logPmf = (x: number) => logChoose(k, x) + logChoose(n - k, n1 - x) - logChoose(n, n1);
  const observed = logPmf(a);
  let p = 0;
  for (let x = Math.max(0, n1 + k - n); x <= Math.min(n1, k); x++) {
    const lp = logPmf(x);
    if (lp <= observed + Math.log1p(1e-7)) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** The q-quantile (0..1) of sorted values, linearly interpolated (numpy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function median(values: readonly number[]): number {
  return quantileSorted(
    [...values].sort((x, y) => x - y),
    0.5,
  );
}
