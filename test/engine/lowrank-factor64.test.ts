import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { makeLowRank } from '../../src/engine/parameterizations/lowrank.js';
import { cholesky64 } from '../../src/ground/dense64.js';

// lowrank's factor64 (the condition check's float64 factor) must be exactly what the check would
// compute without it: the float64 Cholesky of `covariance`, bit for bit, and fail where it fails.
// From d = 8 the Cholesky is the WebAssembly twin (assembly/cholesky64.ts).
describe('lowrank factor64', () => {
  it('is cholesky64(covariance(block)) bit for bit, at any offset, for ranks below, at and above d', () => {
    const rng = seedrandom('lowrank-factor64');
    for (const r of [1, 3, 8])
      for (const d of [2, 5, 8, 13, 16, 33, 64]) {
        const p = makeLowRank(r);
        const k = Math.min(r, d);
        const size = d * (k + 1);
        const at = 3;
        const raw = Float32Array.from({ length: at + size }, () => (rng() - 0.5) * 4);
        const want = cholesky64(p.covariance(Array.from(raw.subarray(at)), d), d);
        const l = new Float64Array(d * d);
        expect(p.factor64!(raw, at, d, l)).toBe(true);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++)
            expect(Object.is(l[i * d + j], j <= i ? want![i * d + j] : 0)).toBe(true);
      }
  });

  it('fails where the Cholesky of covariance fails (a NaN or infinite entry)', () => {
    const p = makeLowRank(2);
    for (const d of [4, 9])
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const raw = new Float32Array(d * 3).fill(0.5);
        raw[4] = bad;
        expect(cholesky64(p.covariance(Array.from(raw), d), d)).toBeNull();
        expect(p.factor64!(raw, 0, d, new Float64Array(d * d))).toBe(false);
      }
  });

  it('fails at a non-positive pivot where cholesky64 does (a diagonal exp(v) of 0, W of rank 1)', () => {
    const p = makeLowRank(1);
    for (const d of [3, 8, 11]) {
      // Rows of W all equal and exp(v) underflowing to 0: Sigma = w w^T is singular from column 1 on.
      const raw = new Float32Array(d * 2);
      for (let i = 0; i < d; i++) {
        raw[i * 2] = 1;
        raw[i * 2 + 1] = -1e4;
      }
      expect(cholesky64(p.covariance(Array.from(raw), d), d)).toBeNull();
      expect(p.factor64!(raw, 0, d, new Float64Array(d * d))).toBe(false);
    }
  });
});
