import { describe, expect, it } from 'vitest';
import { stream } from '../../src/data/random.js';
import { stepConditionBound } from '../../src/engine/native/condition-bound.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { withEigenvalues } from '../../src/ground/dense64.js';
import { conditionNumber64, randomCovariance } from './conditions.js';

const LIMIT = 2 ** 23;
const NATIVE = ['full', 'tril', 'log-cholesky', 'precision-cholesky'];

/** The native step's bound on one block, as the step computes it: the map's float32 factor, then the bound. */
function stepBound(name: string, raw: Float32Array, d: number, limit = LIMIT) {
  const map = nativeMap(name, d)!;
  const bound = stepConditionBound(name, d, 1, [limit])!;
  const l = new Float32Array(d * d);
  const ok = map.forward(raw, 0, l, 0, new Float32Array(d), 0);
  bound.block(0, 0, l, 0, raw, 0);
  return { ok, value: bound.bounds[0] };
}

describe('the native step condition bound never clears a block above its limit', () => {
  it.each(NATIVE)('%s: random covariances, d = 2..16, cond 3 to 1e12', (name) => {
    const p = parameterization(name);
    let cleared = 0;
    for (let d = 2; d <= 16; d += d < 4 ? 1 : 4)
      for (const [k, cond] of [3, 1e3, 1e6, 4e6, 8e6, 9e6, 2e7, 1e9, 1e12].entries()) {
        let raw: Float32Array;
        try {
          raw = Float32Array.from(p.fromCovariance(randomCovariance(100 * d + k, d, cond), d));
        } catch {
          continue; // precision-cholesky: no float64 inverse
        }
        const exact = conditionNumber64(name, raw, d);
        // The float64 eigenvalues of Sigma itself are good to about 1e-16 cond d.
        const margin = 1e-6 + 1e-15 * exact * d;
        const { ok, value } = stepBound(name, raw, d);
        if (!ok) continue;
        // Cleared only by an upper bound: a finite value is at least the float64 truth and within the limit.
        if (Number.isFinite(value)) {
          expect(value, `d=${d} cond ${exact}`).toBeGreaterThanOrEqual(exact / (1 + margin));
          expect(value).toBeLessThanOrEqual(LIMIT);
          cleared++;
        }
        // With the limit just under the truth, it clears nothing.
        if (Number.isFinite(exact))
          expect(stepBound(name, raw, d, exact / (1 + margin)).value, `d=${d} cond ${exact}`).toBe(
            Number.POSITIVE_INFINITY,
          );
        // Well-conditioned blocks are its to clear; they do not reach the host check. So are those
        // just under the limit, by their float64 eigenvalues (no slack past tier 1).
        if ((cond <= 1e3 && d <= 8) || (d > 2 && exact < LIMIT / 1.01))
          expect(value, `d=${d} cond ${exact}`).toBeLessThanOrEqual(LIMIT);
      }
    expect(cleared).toBeGreaterThan(15);
  });

  it.each(NATIVE)('%s: issue 14 covariances whose factor diagonal looks fine are not cleared', (name) => {
    const p = parameterization(name);
    const cases: [number, number[]][] = [
      [2, [1, 100, 100, 10001]],
      [2, [1, 1 - 3 * 2 ** -24, 1 - 3 * 2 ** -24, 1]],
      [3, [1, 30, 30, 30, 901, 930, 30, 930, 1801]],
    ];
    for (const [d, sigma] of cases) {
      const raw = Float32Array.from(p.fromCovariance(Float64Array.from(sigma), d));
      const exact = conditionNumber64(name, raw, d);
      expect(exact).toBeGreaterThan(LIMIT);
      const { ok, value } = stepBound(name, raw, d);
      if (ok) expect(value).toBe(Number.POSITIVE_INFINITY);
    }
  });

  it.each(NATIVE)(
    '%s: a block drifting from its anchor towards the limit is never cleared past it',
    (name) => {
      // d = 16, cond 1e3 in a random basis: past the O(d^2) bound, so the trace bound anchors it.
      // Then its smallest eigenvalue shrinks step by step (the same basis) until cond is 1e6 = 10 x the
      // limit: the drift bound clears small moves and none past the limit.
      const d = 16;
      const limit = 1e5;
      const p = parameterization(name);
      const map = nativeMap(name, d)!;
      const bound = stepConditionBound(name, d, 1, [limit])!;
      const l = new Float32Array(d * d);
      const eigenvalues = Array.from({ length: d }, (_, j) => 1e3 ** (-j / (d - 1)));
      let cleared = 0;
      let above = 0;
      for (let shrink = 1; shrink >= 1e-3; shrink *= 0.95) {
        const rng = stream(5, 'drift');
        const sigma = withEigenvalues(
          eigenvalues.map((v, j) => (j === d - 1 ? v * shrink : v)),
          () => rng.normal(),
        );
        const raw = Float32Array.from(p.fromCovariance(sigma, d));
        expect(map.forward(raw, 0, l, 0, new Float32Array(d), 0)).toBe(true);
        bound.block(0, 0, l, 0, raw, 0);
        const exact = conditionNumber64(name, raw, d);
        const value = bound.bounds[0];
        if (exact > limit) above++;
        if (Number.isFinite(value)) {
          expect(value, `shrink ${shrink}`).toBeGreaterThanOrEqual(exact * (1 - 1e-9));
          expect(value).toBeLessThanOrEqual(limit);
          cleared++;
        }
      }
      expect(cleared).toBeGreaterThan(20);
      expect(above).toBeGreaterThan(20);
      // The anchor serves: the drift bound clears most moves (precision-cholesky's factor moves too far).
      if (name !== 'precision-cholesky') expect(bound.tiers.drift).toBeGreaterThan(bound.tiers.trace);
    },
  );

  it.each(NATIVE)(
    '%s: near the limit, the exact tier anchors the block and its drift is cleared in the step',
    (name) => {
      const d = 16;
      const p = parameterization(name);
      const start = Float32Array.from(p.fromCovariance(randomCovariance(9, d, 4e6), d));
      const map = nativeMap(name, d)!;
      const bound = stepConditionBound(name, d, 1, [LIMIT])!;
      const l = new Float32Array(d * d);
      const rng = stream(6, 'near');
      for (let k = 0; k < 10; k++) {
        // full moves one diagonal entry by one float32 step (to stay symmetric, and at cond 4e6 one
        // step of Sigma is already a quarter of its smallest eigenvalue); the others L by about 1e-7.
        const raw =
          name === 'full'
            ? start.map((v, i) => (k > 0 && i === (k % d) * (d + 1) ? Math.fround(v * (1 + 2 ** -23)) : v))
            : start.map((v) => v + (k === 0 ? 0 : 1e-7 * rng.normal()));
        expect(map.forward(raw, 0, l, 0, new Float32Array(d), 0)).toBe(true);
        bound.block(0, 0, l, 0, raw, 0);
        expect(bound.bounds[0], `step ${k}`).toBeGreaterThanOrEqual(
          conditionNumber64(name, raw, d) / 1.00001,
        );
        expect(bound.bounds[0], `step ${k}`).toBeLessThanOrEqual(LIMIT);
      }
      expect(bound.tiers.exact).toBe(1);
      expect(bound.tiers.drift).toBe(9);
    },
  );

  it.each(['tril', 'log-cholesky', 'precision-cholesky'])(
    '%s: a block that moves little relative to its factor is cleared from its anchor',
    (name) => {
      // d = 16, cond 1e6 (for precision-cholesky a precision of it): L^ = (I + E) L^_a, E of
      // entries about 1e-3, moves by more than sigma_min(L^_a) yet by 1e-2 relative to it.
      const d = 16;
      const p = parameterization(name);
      const start = Float32Array.from(p.fromCovariance(randomCovariance(23, d, 1e6), d));
      const map = nativeMap(name, d)!;
      const bound = stepConditionBound(name, d, 1, [LIMIT])!;
      const l = new Float32Array(d * d);
      const block = (raw: Float32Array) => {
        expect(map.forward(raw, 0, l, 0, new Float32Array(d), 0)).toBe(true);
        bound.block(0, 0, l, 0, raw, 0);
        return bound.bounds[0];
      };
      expect(block(start)).toBeLessThanOrEqual(LIMIT);
      const anchored = { ...bound.tiers };
      const l0 = l.slice();
      const rng = stream(9, 'relative');
      for (let k = 0; k < 10; k++) {
        const raw = start.slice();
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++) {
            let t = l0[i * d + j];
            for (let q = j; q <= i; q++) t += 1e-3 * rng.normal() * l0[q * d + j];
            // log-cholesky and precision-cholesky keep log L_jj on the diagonal.
            raw[i * d + j] = i === j && name !== 'tril' ? Math.log(t) : t;
          }
        const value = block(raw);
        expect(value, `k=${k}`).toBeLessThanOrEqual(LIMIT);
        expect(value).toBeGreaterThanOrEqual(conditionNumber64(name, raw, d) / 1.00001);
      }
      expect(bound.tiers.drift - anchored.drift).toBe(10);
      expect(bound.tiers.exact + bound.tiers.trace).toBe(anchored.exact + anchored.trace);
    },
  );

  it('skips lanes whose limit is infinite, and has no bound for parameterizations without a slack', () => {
    const bound = stepConditionBound('tril', 2, 1, [Number.POSITIVE_INFINITY])!;
    bound.block(0, 0, new Float32Array([1, 0, 100, 1]), 0, new Float32Array([1, 0, 100, 1]), 0);
    expect(bound.bounds[0]).toBe(Number.POSITIVE_INFINITY);
    expect(stepConditionBound('givens', 2, 1, [LIMIT])).toBeUndefined();
  });
});
