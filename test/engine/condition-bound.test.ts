import { describe, expect, it } from 'vitest';
import { stream } from '../../src/data/random.js';
import { stepConditionBound } from '../../src/engine/native/condition-bound.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { withEigenvalues } from '../../src/ground/dense64.js';
import { conditionNumber64, randomCovariance } from './conditions.js';

const LIMIT = 2 ** 23;
/** Parameterizations whose raw block is the covariance itself, on full's native map. */
const COVARIANCE = ['full', 'spd-riemannian', 'full-clip'];
const NATIVE = [...COVARIANCE, 'tril', 'log-cholesky', 'precision-cholesky'];

/** The native step's bound on one block, as the step computes it: the map's float32 factor, then the bound. */
function stepBound(name: string, raw: Float32Array, d: number, limit = LIMIT) {
  const map = nativeMap(name, d)!;
  const bound = stepConditionBound(name, d, 1, [limit])!;
  const l = new Float32Array(d * d);
  const ok = map.forward(raw, 0, l, 0, new Float32Array(d), 0);
  bound.block(0, 0, l, 0, raw, 0);
  return { ok, value: bound.bounds[0] };
}

/** d = 16, cond 4e6 (just under LIMIT): a start block, and the step's bound on each block it moves to, in turn. */
function nearLimit(name: string) {
  const d = 16;
  const start = Float32Array.from(parameterization(name).fromCovariance(randomCovariance(9, d, 4e6), d));
  const map = nativeMap(name, d)!;
  const bound = stepConditionBound(name, d, 1, [LIMIT])!;
  const l = new Float32Array(d * d);
  const step = (raw: Float32Array) => {
    expect(map.forward(raw, 0, l, 0, new Float32Array(d), 0)).toBe(true);
    bound.block(0, 0, l, 0, raw, 0);
    return bound.bounds[0];
  };
  return { d, start, bound, step };
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
      const { d, start, bound, step } = nearLimit(name);
      const rng = stream(6, 'near');
      for (let k = 0; k < 10; k++) {
        // full (and its kin) moves one diagonal entry by one float32 step (to stay symmetric, and at cond 4e6 one
        // step of Sigma is already a quarter of its smallest eigenvalue); the others L by about 1e-7.
        const raw = COVARIANCE.includes(name)
          ? start.map((v, i) => (k > 0 && i === (k % d) * (d + 1) ? Math.fround(v * (1 + 2 ** -23)) : v))
          : start.map((v) => v + (k === 0 ? 0 : 1e-7 * rng.normal()));
        const value = step(raw);
        expect(value, `step ${k}`).toBeGreaterThanOrEqual(conditionNumber64(name, raw, d) / 1.00001);
        expect(value, `step ${k}`).toBeLessThanOrEqual(LIMIT);
      }
      expect(bound.tiers.exact).toBe(1);
      expect(bound.tiers.drift).toBe(9);
    },
  );

  it.each(COVARIANCE)(
    '%s: near the limit, a block that keeps moving past its drift bound is left to the host',
    (name) => {
      // Sigma's drift bound absorbs moves up to lambda_min (2.5e-7 here): a step of 1e-4 on one
      // diagonal entry is past it. Tier 4 anchors the first block only; the host judges the others.
      const { d, start, bound, step } = nearLimit(name);
      for (let k = 0; k < 40; k++) {
        const raw = start.map((v, i) => (i === (k % d) * (d + 1) ? Math.fround(v * (1 + 1e-4 * k)) : v));
        const value = step(raw);
        if (k === 0) expect(value).toBeLessThanOrEqual(LIMIT);
        else expect(value, `step ${k}`).toBe(Number.POSITIVE_INFINITY);
      }
      expect(bound.tiers.exact).toBe(1);
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

  it.each(['log-cholesky', 'precision-cholesky'])(
    '%s: a move the float32 rounding of exp(raw_jj) hides is still counted from the anchor',
    (name) => {
      // A's L: exp(raw_jj) on the diagonal, as close to a float32 value as a float32 raw_jj near
      // 2^-10 gets (so A's L^ is its float64 factor to 1e-3 ulp), halves below. Each B changes one
      // raw_jj by up to half a float32 ulp of exp(raw_jj): L^ stays A's while exp(raw_jj) in float64
      // (the check's factor) moves, and cond with it, by up to 3.5e-8. With the limit 1e-8 above A's
      // exact value, a drift bound on L^ alone (no D) would clear every B, some past the limit.
      const d = 3;
      const ulpOff = (r: number) => {
        const e = Math.exp(r);
        return Math.abs(e - Math.fround(e)) / e;
      };
      // Float32 raw values near 0 (exp(r) near 1): the one whose exp is closest to float32.
      let best = 0;
      let r = Math.fround(2 ** -10);
      for (let k = 0; k < 4096; k++, r = Math.fround(r + 2 ** -33))
        if (ulpOff(r) < ulpOff(best) || best === 0) best = r;
      expect(ulpOff(best)).toBeLessThan(2 ** -34);
      const a = new Float32Array([best, 0, 0, 0.5, best, 0, 0.5, 0.5, best]);
      const exactA = conditionNumber64(name, a, d);
      const limit = exactA * (1 + 1e-8);
      let above = 0;
      for (const j of [0, 1, 2])
        for (let k = -256; k <= 256; k += 8) {
          if (k === 0) continue;
          const b = a.slice();
          // k float32 steps of raw_jj (2^-33 near 2^-10); L^ as A's.
          b[j * d + j] = Math.fround(best + k * 2 ** -33);
          const bound = stepConditionBound(name, d, 1, [limit])!;
          const map = nativeMap(name, d)!;
          const l = new Float32Array(d * d);
          const checks = new Float32Array(d);
          map.forward(a, 0, l, 0, checks, 0);
          bound.block(0, 0, l, 0, a, 0);
          expect(bound.tiers.exact).toBe(1);
          const la = l.slice();
          map.forward(b, 0, l, 0, checks, 0);
          expect(l).toEqual(la);
          bound.block(0, 0, l, 0, b, 0);
          const exactB = conditionNumber64(name, b, d);
          if (exactB > limit) above++;
          if (Number.isFinite(bound.bounds[0]))
            expect(bound.bounds[0], `j=${j} k=${k}`).toBeGreaterThanOrEqual(exactB * (1 - 1e-12));
        }
      expect(above).toBeGreaterThan(5);
    },
  );

  it.each(['tril', 'log-cholesky', 'precision-cholesky'])(
    '%s: one entry of L moved from its anchor, with the limit just under the truth: not cleared',
    (name) => {
      // A move of one entry is where tier 2's O(d^2) relative bound is exact (one row of W), and a
      // move of L_33, the entry sigma_min follows, changes cond by nearly all the bound allows: a
      // bound any smaller would clear some of these.
      const d = 3;
      const la = [1, 0, 0, 0.05, 1, 0, 0.05, 0.05, 0.1];
      const toRaw = (l: number[]) =>
        Float32Array.from(l, (v, k) => (name !== 'tril' && k % (d + 1) === 0 ? Math.log(v) : v));
      const map = nativeMap(name, d)!;
      const l = new Float32Array(d * d);
      const checks = new Float32Array(d);
      const a = toRaw(la);
      let anchored = 0;
      for (let k = 0; k < d * d; k++) {
        if (k % d > Math.floor(k / d)) continue;
        for (const eps of [-0.03, -0.01, 0.01, 0.03]) {
          const moved = (f: number) => toRaw(la.map((v, q) => (q === k ? v * (1 + f * eps) : v)));
          const b = moved(1);
          const exactB = conditionNumber64(name, b, d);
          const limit = exactB * (1 - 1e-6);
          const bound = stepConditionBound(name, d, 1, [limit])!;
          const block = (raw: Float32Array) => {
            map.forward(raw, 0, l, 0, checks, 0);
            bound.block(0, 0, l, 0, raw, 0);
            return bound.bounds[0];
          };
          if (Number.isFinite(block(a))) anchored++;
          // Half way first, then B, each for longer than the host judges a block alone: tier 2
          // then bounds B from its last exact relative drift (half way's, or B's own) plus the
          // O(d^2) bound on the move since.
          for (const [f, raw] of [
            [0.5, moved(0.5)],
            [1, b],
          ] as const)
            for (let r = 0; r < 20; r++) {
              const value = block(raw);
              if (f === 1) expect(value, `entry ${k}, ${eps}, ${r}`).toBe(Number.POSITIVE_INFINITY);
              else if (Number.isFinite(value)) expect(value).toBeLessThanOrEqual(limit);
            }
        }
      }
      // Half the moves raise cond: A is within the limit there, and its anchor cleared.
      expect(anchored).toBeGreaterThan(4);
    },
  );

  it.each(['tril', 'log-cholesky', 'precision-cholesky'])(
    '%s: a block moving step by step from its anchor, with the limit just under its worst step: not cleared there',
    (name) => {
      // L_k = (I + k E) L_0, E fixed with entries about 2e-5: each step's move is small relative to
      // L, the move from the anchor grows. Tier 2 chains from its last exact relative drift; the
      // limit sits just under the largest cond along the way.
      const d = 16;
      const p = parameterization(name);
      const start = Float32Array.from(p.fromCovariance(randomCovariance(23, d, 1e6), d));
      const map = nativeMap(name, d)!;
      const l0 = new Float32Array(d * d);
      map.forward(start, 0, l0, 0, new Float32Array(d), 0);
      const rng = stream(11, 'chain');
      const e = Array.from({ length: d * d }, () => 2e-5 * rng.normal());
      const path = (sign: number) =>
        Array.from({ length: 24 }, (_, k) => {
          const raw = start.slice();
          for (let i = 0; i < d; i++)
            for (let j = 0; j <= i; j++) {
              let t = l0[i * d + j];
              for (let q = j; q <= i; q++) t += sign * k * e[i * d + q] * l0[q * d + j];
              raw[i * d + j] = i === j && name !== 'tril' ? Math.log(t) : t;
            }
          return raw;
        });
      // The way along which cond grows.
      let blocks = path(1);
      let exact = blocks.map((raw) => conditionNumber64(name, raw, d));
      if (exact[23] < exact[0]) {
        blocks = path(-1);
        exact = blocks.map((raw) => conditionNumber64(name, raw, d));
      }
      const limit = Math.max(...exact) * (1 - 1e-6);
      expect(exact[0]).toBeLessThan(limit);
      const bound = stepConditionBound(name, d, 1, [limit])!;
      const l = new Float32Array(d * d);
      let cleared = 0;
      for (const [k, raw] of blocks.entries()) {
        map.forward(raw, 0, l, 0, new Float32Array(d), 0);
        bound.block(0, 0, l, 0, raw, 0);
        if (Number.isFinite(bound.bounds[0])) {
          expect(bound.bounds[0], `k=${k}`).toBeGreaterThanOrEqual(exact[k] * (1 - 1e-12));
          expect(bound.bounds[0]).toBeLessThanOrEqual(limit);
          cleared++;
        }
      }
      expect(cleared).toBeGreaterThan(1);
    },
  );

  it('tril in place (the raw block as its factor, the upper triangle not zero) is bounded as its lower triangle', () => {
    const d = 16;
    const p = parameterization('tril');
    const map = nativeMap('tril', d)!;
    for (const cond of [1e3, 4e6, 1e9]) {
      const lower = Float32Array.from(p.fromCovariance(randomCovariance(31, d, cond), d));
      const raw = lower.map((v, k) => (k % d > Math.floor(k / d) ? 1e3 : v));
      const copied = stepConditionBound('tril', d, 1, [LIMIT])!;
      const inPlace = stepConditionBound('tril', d, 1, [LIMIT])!;
      const l = new Float32Array(d * d);
      const checks = new Float32Array(d);
      for (let k = 0; k < 3; k++) {
        map.forward(raw, 0, l, 0, checks, 0);
        copied.block(0, 0, l, 0, raw, 0);
        map.forward(raw, 0, raw, 0, checks, 0);
        inPlace.block(0, 0, raw, 0, raw, 0);
        expect(inPlace.bounds[0], `cond ${cond}`).toBe(copied.bounds[0]);
      }
      expect(inPlace.tiers).toEqual(copied.tiers);
      if (cond === 4e6) expect(inPlace.tiers.exact).toBe(1);
    }
  });

  it('skips lanes whose limit is infinite, and has no bound for parameterizations without a slack', () => {
    const bound = stepConditionBound('tril', 2, 1, [Number.POSITIVE_INFINITY])!;
    bound.block(0, 0, new Float32Array([1, 0, 100, 1]), 0, new Float32Array([1, 0, 100, 1]), 0);
    expect(bound.bounds[0]).toBe(Number.POSITIVE_INFINITY);
    expect(stepConditionBound('givens', 2, 1, [LIMIT])).toBeUndefined();
  });
});
