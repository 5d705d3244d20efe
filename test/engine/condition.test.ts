import { describe, expect, it } from 'vitest';
import { stream } from '../../src/data/random.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { ConditionCheck } from '../../src/engine/train/condition.js';
import {
  cholesky64,
  extremeEigenvalues,
  gram,
  identity,
  symmetricEigenvalues,
} from '../../src/ground/dense64.js';
import { conditionNumber64, randomCovariance } from './conditions.js';
import { ANY_START } from './configs.js';

const LIMIT = 2 ** 23;

// ANY_START goes through both paths: a parameterization's own float64 factor (factor64) or the
// Cholesky fallback.
const CONDS = [3, 1e3, 1e6, 4e6, 2e7, 1e9, 1e12];

describe('the condition check against float64 eigenvalues, d = 2..16', () => {
  it.each(ANY_START)('%s: above the limit exactly when the float64 eigenvalues say so', (name) => {
    const p = parameterization(name);
    let checked = 0;
    for (let d = 2; d <= 16; d += d < 4 ? 1 : 4)
      for (const [k, cond] of CONDS.entries()) {
        // Scaled up so softplus-cholesky's smallest L_jj stays above its shift; cond is unchanged.
        const sigma = randomCovariance(100 * d + k, d, cond).map((v) => v * 1e6);
        let raw: Float32Array;
        try {
          raw = Float32Array.from(p.fromCovariance(sigma, d));
        } catch {
          continue; // precision-cholesky cannot start where the float64 inverse is not positive definite
        }
        const truth = conditionNumber64(name, raw, d);
        const check = new ConditionCheck(p, d);
        const found = check.above(raw, 0, LIMIT);
        if (truth > LIMIT * 1.001) {
          expect(found, `d=${d} cond ${truth}`).toBeDefined();
          if (Number.isFinite(truth)) expect(Math.abs(found! / truth - 1)).toBeLessThan(1e-3);
          checked++;
        } else if (truth < LIMIT / 1.001) expect(found, `d=${d} cond ${truth}`).toBeUndefined();
        // Cannot be fooled: with the limit just under the truth, no bound clears the block;
        // just over it, none condemns it.
        if (Number.isFinite(truth)) {
          expect(new ConditionCheck(p, d).above(raw, 0, truth / 1.001), `d=${d}`).toBeDefined();
          expect(new ConditionCheck(p, d).above(raw, 0, truth * 1.001), `d=${d}`).toBeUndefined();
        }
      }
    expect(checked).toBeGreaterThan(10);
  });

  it('a block that drifts from its last exact value is judged as its float64 eigenvalues say', () => {
    // d = 16 and cond 7e6: the trace bound is about 2.4 cond, past the limit, so the first check is exact.
    const d = 16;
    const p = parameterization('tril');
    const start = Float32Array.from(p.fromCovariance(randomCovariance(3, d, 7e6), d));
    const check = new ConditionCheck(p, d);
    expect(check.above(start, 0, LIMIT)).toBeUndefined();
    expect(check.tiers.exact).toBe(1);
    const rng = stream(1, 'drift');
    let flagged = 0;
    for (const size of [1e-9, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3])
      for (let k = 0; k < 20; k++) {
        // The same block (offset 0) one step later: L moved by about `size` per entry.
        const raw = start.map((v) => v + size * rng.normal());
        const truth = conditionNumber64('tril', raw, d);
        const found = check.above(raw, 0, LIMIT);
        if (truth > LIMIT * 1.001) expect(found, `size ${size}`).toBeDefined();
        if (truth < LIMIT / 1.001) expect(found, `size ${size}`).toBeUndefined();
        if (found !== undefined) flagged++;
      }
    // Small moves are cleared from the anchor; some larger ones cross the limit.
    expect(check.tiers.drift).toBeGreaterThan(20);
    expect(flagged).toBeGreaterThan(0);
  });

  it('anchors a block the trace bound cleared, and judges its drift from there', () => {
    // d = 16, cond 1e4: past the O(d^2) bound, within the trace bound.
    const d = 16;
    const p = parameterization('tril');
    const start = Float32Array.from(p.fromCovariance(randomCovariance(11, d, 1e4), d));
    const check = new ConditionCheck(p, d);
    expect(check.above(start, 0, LIMIT)).toBeUndefined();
    expect(check.tiers).toEqual({ bound: 0, drift: 0, trace: 1, exact: 0 });
    const rng = stream(4, 'drift');
    for (let k = 0; k < 20; k++) {
      const raw = start.map((v) => v + 1e-5 * rng.normal());
      expect(check.above(raw, 0, LIMIT)).toBeUndefined();
      // With a limit under the truth, the anchor clears nothing.
      const truth = conditionNumber64('tril', raw, d);
      expect(check.above(raw, 0, truth / 1.001)).toBeDefined();
    }
    expect(check.tiers.drift).toBe(20);
  });

  it('clears a block that moved by more than sigma_min but little relative to L, from its exact anchor', () => {
    // d = 16, cond 4e6: the first check is exact. Then L = (I + E) L_a with E lower triangular of
    // entries about 1e-3: ||L - L_a||_F is past sigma_min(L_a), ||E||_F is not past 1.
    const d = 16;
    const p = parameterization('tril');
    const start = Float32Array.from(p.fromCovariance(randomCovariance(21, d, 4e6), d));
    const check = new ConditionCheck(p, d);
    expect(check.above(start, 0, LIMIT)).toBeUndefined();
    expect(check.tiers.exact).toBe(1);
    const rng = stream(8, 'relative');
    for (let k = 0; k < 10; k++) {
      const e = Float64Array.from({ length: d * d }, (_, i) =>
        i % d <= Math.floor(i / d) ? 1e-3 * rng.normal() : 0,
      );
      const raw = new Float32Array(d * d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let t = start[i * d + j];
          for (let q = j; q <= i; q++) t += e[i * d + q] * start[q * d + j];
          raw[i * d + j] = t;
        }
      const truth = conditionNumber64('tril', raw, d);
      expect(check.above(raw, 0, LIMIT), `k=${k}`).toBeUndefined();
      expect(new ConditionCheck(p, d).above(raw, 0, truth / 1.001)).toBeDefined();
    }
    // Every move cleared by the drift tier, none by a new exact value.
    expect(check.tiers).toEqual({ bound: 0, drift: 10, trace: 0, exact: 1 });
  });

  it('takes the ends of the spectrum from the tridiagonal form as Jacobi finds them', () => {
    for (let d = 2; d <= 16; d++)
      for (const cond of [1, 10, 1e6, 1e9, 1e12]) {
        // Through L, as the check forms L L^T from its factor.
        const l = cholesky64(randomCovariance(7 * d, d, cond), d)!;
        const { lo, hi } = extremeEigenvalues(gram(l, d), d);
        const jacobi = symmetricEigenvalues(randomCovariance(7 * d, d, cond), d);
        expect(Math.abs(hi / jacobi[d - 1] - 1), `d=${d}`).toBeLessThan(1e-12);
        expect(Math.abs(lo / jacobi[0] - 1), `d=${d} cond ${cond}`).toBeLessThan(1e-15 * cond * d + 1e-12);
      }
  });

  it('reads the block at its offset, and leaves non-finite blocks to the other checks', () => {
    const p = parameterization('tril');
    const raw = new Float32Array([9, 9, 9, 9, 1, 0, 1e4, 1, Number.NaN, 0, 0, 1]);
    const check = new ConditionCheck(p, 2);
    expect(check.above(raw, 4, LIMIT)).toBeCloseTo(conditionNumber64('tril', raw.subarray(4, 8), 2), -10);
    expect(check.above(raw, 0, LIMIT)).toBeUndefined();
    expect(check.above(raw, 8, LIMIT)).toBeUndefined();
  });

  it('clears a well-conditioned factor with the O(d^2) bound alone', () => {
    const d = 16;
    const p = parameterization('tril');
    const check = new ConditionCheck(p, d);
    // The flagship's start, and a factor with small correlations: both cleared in O(d^2).
    expect(check.above(Float32Array.from(identity(d, 0.02)), 0, LIMIT)).toBeUndefined();
    const raw = Float32Array.from(p.fromCovariance(randomCovariance(7, d, 3), d));
    expect(check.above(raw, 0, LIMIT)).toBeUndefined();
    expect(check.tiers).toEqual({ bound: 2, drift: 0, trace: 0, exact: 0 });
  });
});
