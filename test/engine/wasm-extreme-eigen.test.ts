import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { ExtremeEigenKernel } from '../../src/engine/ops/extreme-eigen-kernel.js';
import { extremeEigenvalues, gram, symmetricEigenvalues, symmetrizeLower } from '../../src/ground/dense64.js';
import { triangularGram } from '../../src/ground/triangular-bounds.js';

// The condition check's exact tier in WebAssembly (assembly/extreme-eigen.ts) must give dense64's
// extremeEigenvalues bit for bit on what the checks hand it: L L^T (triangularGram) and a raw
// Sigma's symmetrized lower triangle. Sizes cover the four-row, two-row and one-row passes of A v,
// the update's odd tails, and 1 and 2 (no reduction at all).
const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 16, 17, 31, 32, 33, 63, 64];

/** Both kernels on a (symmetric to the bit): their values, the same bits, as { lo, hi }. */
function expectSame(n: number, a: Float64Array) {
  const js = extremeEigenvalues(Float64Array.from(a), n);
  const wasm = new ExtremeEigenKernel(n).run(Float64Array.from(a));
  expect([n, Object.is(wasm.lo, js.lo), Object.is(wasm.hi, js.hi)]).toEqual([n, true, true]);
  return js;
}

/** L L^T for a random lower-triangular L whose diagonal spans `spread` decades and whose entries below it reach `below`. */
function factorGram(n: number, rng: () => number, spread: number, below: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++)
      l[i * n + j] = i === j ? 10 ** (spread * (rng() - 0.5)) : below * (rng() - 0.5);
  const s = new Float64Array(n * n);
  expect(triangularGram(l, n, s)).toBe(true);
  return s;
}

describe('the extreme eigenvalues in WebAssembly', () => {
  it('the JavaScript function bit for bit on L L^T, and Jacobi to rounding', () => {
    const rng = seedrandom('wasm-extreme-eigen');
    for (const n of SIZES)
      for (const [spread, below] of [
        [0, 1],
        [3, 30],
        [6, 1e-3],
      ]) {
        const a = factorGram(n, rng, spread, below);
        const { lo, hi } = expectSame(n, a);
        // Independent: Jacobi's eigenvalues (float64), to a small multiple of n eps lambda_max.
        const jacobi = symmetricEigenvalues(a, n);
        const tol = 64 * n * 2 ** -52 * jacobi[n - 1];
        expect(Math.abs(hi - jacobi[n - 1])).toBeLessThanOrEqual(tol);
        expect(Math.abs(lo - jacobi[0])).toBeLessThanOrEqual(tol);
      }
  });

  it('a raw Sigma symmetrized, zero and repeated eigenvalues, zero columns, non-finite entries: the same bits', () => {
    const rng = seedrandom('wasm-extreme-eigen-special');
    for (const n of SIZES) {
      expectSame(
        n,
        symmetrizeLower(
          Float64Array.from({ length: n * n }, () => Math.fround(rng() - 0.5)),
          n,
        ),
      );
      expectSame(n, new Float64Array(n * n));
      const c = new Float64Array(n * n);
      for (let i = 0; i < n; i++) c[i * n + i] = Math.log(3);
      expectSame(n, c);
      const holes = factorGram(n, rng, 2, 1);
      for (const z of [0, n >> 1])
        for (let k = 0; k < n; k++) holes[z * n + k] = holes[k * n + z] = z === 0 ? -0 : 0;
      expectSame(n, holes);
      // Rank one: every eigenvalue but one is zero.
      const v = Array.from({ length: n }, () => rng() - 0.5);
      expectSame(
        n,
        Float64Array.from({ length: n * n }, (_, k) => v[Math.floor(k / n)] * v[k % n]),
      );
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
        const a = factorGram(n, rng, 1, 1);
        a[(n - 1) * n] = a[n - 1] = bad;
        expectSame(n, a);
      }
    }
  });

  it('of a factor: L L^T formed in WebAssembly, the same bits as triangularGram (or gram where L is not finite)', () => {
    const rng = seedrandom('wasm-extreme-eigen-factor');
    // What the checks hand it: the lower triangle of L, the upper triangle zero; here also with
    // values above the diagonal, which triangularGram does not read and gram (non-finite L) does.
    const factor = (n: number, above: number) => {
      const l = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          l[i * n + j] =
            j > i ? above * (rng() - 0.5) : i === j ? 10 ** (4 * (rng() - 0.5)) : 30 * (rng() - 0.5);
      return l;
    };
    /** Both kernels' `ofFactor` on l and the JavaScript's product's eigenvalues: the same bits. */
    const expectFactor = (n: number, l: Float64Array) => {
      const product = new Float64Array(n * n);
      const js = extremeEigenvalues(triangularGram(l, n, product) ? product : gram(l, n), n);
      for (const wasm of [true, false]) {
        const got = new ExtremeEigenKernel(n, { wasm }).ofFactor(Float64Array.from(l));
        expect([n, wasm, Object.is(got.lo, js.lo), Object.is(got.hi, js.hi)]).toEqual([n, wasm, true, true]);
      }
      return js;
    };
    for (const n of SIZES) {
      for (const above of [0, 7]) expectFactor(n, factor(n, above));
      // -0 and zero rows: the products' signs of zero as the JavaScript's.
      const holes = factor(n, 0);
      for (let k = 0; k <= n >> 1; k++) holes[(n >> 1) * n + k] = -0;
      expectFactor(n, holes);
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const l = factor(n, 3);
        l[(n - 1) * n + (n >> 1)] = bad;
        const { lo, hi } = expectFactor(n, l);
        expect([Number.isNaN(lo) || Number.isNaN(hi) || !Number.isFinite(hi), n]).toEqual([true, n]);
      }
    }
    // Not the product of `run` on L L^T by accident: an independent check at n = 64.
    const l = factor(64, 0);
    const { lo, hi } = expectFactor(64, l);
    const jacobi = symmetricEigenvalues(gram(l, 64), 64);
    expect(Math.abs(hi / jacobi[63] - 1)).toBeLessThan(1e-12);
    expect(Math.abs(lo - jacobi[0])).toBeLessThanOrEqual(64 * 64 * 2 ** -52 * jacobi[63]);
  });

  it('at a condition number past the float32 limit: the small end to its float64 rounding', () => {
    // L = [[1, 0], [b, 1]] grows L L^T's condition number like b^4 (issue 14's first case), here
    // embedded in the identity at every size that runs the twin.
    for (const n of [8, 16, 64]) {
      const l = new Float64Array(n * n);
      for (let i = 0; i < n; i++) l[i * n + i] = 1;
      l[n] = 100;
      const s = new Float64Array(n * n);
      triangularGram(l, n, s);
      const { lo, hi } = expectSame(n, s);
      // The 2 x 2 block's eigenvalues in closed form: (t -+ sqrt(t^2 - 4)) / 2, t = 2 + b^2.
      const t = 2 + 100 ** 2;
      const big = (t + Math.sqrt(t * t - 4)) / 2;
      expect(hi / big - 1).toBeLessThan(1e-14);
      expect(Math.abs(lo * big - 1)).toBeLessThan(1e-7);
    }
  });
});
