import { describe, expect, it } from 'vitest';
import { fisherExact, median, quantileSorted, wilson } from '../../src/results/stats.js';

/** n choose k, exactly. */
function choose(n: number, k: number): bigint {
  let c = 1n;
  for (let i = 1; i <= k; i++) c = (c * BigInt(n - k + i)) / BigInt(i);
  return c;
}

/**
 * Fisher's two-sided p by its definition, in exact integers: the hypergeometric weights C(K, x)
 * C(N-K, n1-x) of every table with the observed margins, summing those no larger than the
 * observed one, over their total C(N, n1). Only the final division is floating point.
 */
function fisherReference(a: number, b: number, c: number, d: number): number {
  const [n1, k, n] = [a + b, a + c, a + b + c + d];
  const weight = (x: number) => choose(k, x) * choose(n - k, n1 - x);
  const observed = weight(a);
  let sum = 0n;
  for (let x = Math.max(0, n1 + k - n); x <= Math.min(n1, k); x++)
    if (weight(x) <= observed) sum += weight(x);
  // Scale before dividing so the quotient keeps float64 precision.
  const scale = 10n ** 18n;
  return Number((sum * scale) / choose(n, n1)) / 1e18;
}

describe("Fisher's exact test", () => {
  // scipy.stats.fisher_exact(table).pvalue (two-sided), scipy 1.17.
  const SCIPY: [number[], number][] = [
    [[8, 2, 1, 5], 0.034965034965034975],
    [[6, 2, 1, 4], 0.10256410256410256],
    [[0, 3, 3, 0], 0.10000000000000002],
    [[0, 20, 7, 13], 0.008316008316008316],
    [[19, 1, 13, 7], 0.0435960435960436],
    [[3, 17, 3, 17], 1],
    [[0, 420, 5, 415], 0.06175640056219855],
    [[101, 319, 80, 340], 0.09310317471912995],
    [[0, 5, 0, 5], 1],
  ];

  it.each(SCIPY)('matches scipy for %j', (t, p) => {
    const [a, b, c, d] = t;
    expect(fisherExact(a, b, c, d)).toBeCloseTo(p, 12);
  });

  it.each(SCIPY)('matches the exact-integer definition for %j', (t) => {
    const [a, b, c, d] = t;
    expect(fisherExact(a, b, c, d)).toBeCloseTo(fisherReference(a, b, c, d), 12);
  });

  it('is symmetric in the two samples and never above 1', () => {
    expect(fisherExact(2, 18, 9, 11)).toBeCloseTo(fisherExact(9, 11, 2, 18), 14);
    expect(fisherExact(10, 10, 10, 10)).toBeCloseTo(1, 12);
    expect(fisherExact(10, 10, 10, 10)).toBeLessThanOrEqual(1);
  });
});

describe('Wilson interval', () => {
  // Closed form: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z = 1.959963984540054;
  // the values are scipy.stats.binomtest(k, n).proportion_ci(method='wilson').
  const SCIPY: [number, number, number, number][] = [
    [7, 10, 0.39677814746114526, 0.892208732593699],
    [0, 3, 0, 0.5614970317550454],
    [3, 3, 0.4385029682449546, 1],
    [1, 20, 0.008881448800795402, 0.23613119344674205],
    [13, 20, 0.4328542766852363, 0.8188081758989179],
    [0, 1, 0, 0.7934506856227626],
    [50, 100, 0.4038315303659956, 0.5961684696340044],
  ];

  it.each(SCIPY)('%d/%d matches the closed form', (k, n, low, high) => {
    const ci = wilson(k, n);
    expect(ci.low).toBeCloseTo(low, 12);
    expect(ci.high).toBeCloseTo(high, 12);
  });

  it('is exactly 0 or 1 at the ends and contains the estimate', () => {
    expect(wilson(0, 7).low).toBe(0);
    expect(wilson(7, 7).high).toBe(1);
    for (let k = 0; k <= 9; k++) {
      const { low, high } = wilson(k, 9);
      expect(low).toBeLessThanOrEqual(k / 9);
      expect(high).toBeGreaterThanOrEqual(k / 9);
    }
  });
});

describe('quantiles', () => {
  it('interpolate linearly like numpy', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(quantileSorted([0, 10, 20, 30, 40], 0.1)).toBeCloseTo(4, 14);
    expect(quantileSorted([0, 10, 20, 30, 40], 0.9)).toBeCloseTo(36, 14);
    expect(median([])).toBeNaN();
  });
});
