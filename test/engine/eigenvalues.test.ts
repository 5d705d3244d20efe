import { describe, expect, it } from 'vitest';
import { symmetricEigenvalues } from '../../src/ground/dense64.js';

describe('symmetricEigenvalues', () => {
  it('matches the closed form of a 2x2 matrix, ascending', () => {
    const [a, b, c] = [2, -0.7, 0.5];
    const mid = (a + c) / 2;
    const r = Math.hypot((a - c) / 2, b);
    const values = symmetricEigenvalues([a, b, b, c], 2);
    expect(values[0]).toBeCloseTo(mid - r, 14);
    expect(values[1]).toBeCloseTo(mid + r, 14);
  });

  it('matches 2 - 2 cos(k pi / (n + 1)) for the n x n second-difference matrix', () => {
    const n = 7;
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      m[i * n + i] = 2;
      if (i > 0) m[i * n + i - 1] = m[(i - 1) * n + i] = -1;
    }
    const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    const values = symmetricEigenvalues(m, n);
    for (let k = 0; k < n; k++) expect(values[k]).toBeCloseTo(expected[k], 13);
  });

  it('reads only the lower triangle and keeps the small eigenvalue of a badly conditioned matrix', () => {
    // [[1, b], [b, c]] with b = 1e-6, c = 2e-12: determinant 1e-12, so the small eigenvalue is
    // det / (large one), computed here without the cancellation of the textbook formula.
    const [b, c] = [1e-6, 2e-12];
    const hi = (1 + c) / 2 + Math.hypot((1 - c) / 2, b);
    const [small, large] = symmetricEigenvalues([1, 99, b, c], 2);
    expect(large).toBeCloseTo(hi, 14);
    expect(small / ((c - b * b) / hi)).toBeCloseTo(1, 6);
  });

  it('gives negative eigenvalues of an indefinite matrix and NaN for NaN input', () => {
    expect([...symmetricEigenvalues([1, 2, 2, 1], 2)].map((v) => Number(v.toFixed(12)))).toEqual([-1, 3]);
    expect([...symmetricEigenvalues([Number.NaN, 0, 0, 1], 2)]).toEqual([Number.NaN, Number.NaN]);
  });
});
