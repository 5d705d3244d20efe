import { describe, expect, it } from 'vitest';
import { stream } from '../../src/data/random.js';
import { stepConditionBound } from '../../src/engine/native/condition-bound.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { cholesky64, gram, withEigenvalues } from '../../src/ground/dense64.js';
import { conditionNumber64, randomCovariance } from './conditions.js';

// Tier 2 from the anchors tier 1 leaves (a block it clears well within the limit) and from tier 3
// where tier 1 clears a block only near the limit: never a block past the limit.
const NATIVE = ['full', 'spd-riemannian', 'full-clip', 'tril', 'log-cholesky', 'precision-cholesky'];

/** One lane's one block, stepped through raw blocks in turn: the step's bound on each. */
function stepper(name: string, d: number, limit: number) {
  const map = nativeMap(name, d)!;
  const bound = stepConditionBound(name, d, 1, [limit])!;
  const l = new Float32Array(d * d);
  const checks = new Float32Array(d);
  return {
    bound,
    step(raw: Float32Array) {
      expect(map.forward(raw, 0, l, 0, checks, 0)).toBe(true);
      bound.block(0, 0, l, 0, raw, 0);
      return bound.bounds[0];
    },
  };
}

/** The raw block of Sigma = L L^T, L row-major d x d lower triangular. */
function rawOf(name: string, l: number[], d: number): Float32Array {
  const sigma = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k <= Math.min(i, j); k++) s += l[i * d + k] * l[j * d + k];
      sigma[i * d + j] = s;
    }
  return Float32Array.from(parameterization(name).fromCovariance(sigma, d));
}

describe('the native step bound from the anchors tier 1 leaves', () => {
  it.each(NATIVE)(
    '%s: a well-conditioned block drifting towards the limit is cleared from its anchor, never past the limit',
    (name) => {
      // d = 8, cond 10 in a random basis (tier 1 clears it well within the limit 1e3, and anchors
      // it); its smallest eigenvalue shrinks step by step until cond is 1e4 = 10 x the limit.
      const d = 8;
      const limit = 1e3;
      const { bound, step } = stepper(name, d, limit);
      const eigenvalues = Array.from({ length: d }, (_, j) => 10 ** (-j / (d - 1)));
      let cleared = 0;
      let above = 0;
      for (let shrink = 1; shrink >= 1e-3; shrink *= 0.97) {
        const rng = stream(7, 'tier-1 drift');
        const sigma = withEigenvalues(
          eigenvalues.map((v, j) => (j === d - 1 ? v * shrink : v)),
          () => rng.normal(),
        );
        const raw = Float32Array.from(parameterization(name).fromCovariance(sigma, d));
        const value = step(raw);
        const exact = conditionNumber64(name, raw, d);
        if (exact > limit) above++;
        if (Number.isFinite(value)) {
          expect(value, `shrink ${shrink}`).toBeGreaterThanOrEqual(exact * (1 - 1e-9));
          expect(value).toBeLessThanOrEqual(limit);
          cleared++;
        }
      }
      expect(above).toBeGreaterThan(20);
      expect(cleared).toBeGreaterThan(40);
      // Tier 1's anchor serves the first steps, and those after each time tier 1 anchors again.
      expect(bound.tiers.drift).toBeGreaterThan(10);
    },
  );

  it.each(NATIVE)(
    '%s: one entry of L moved from a tier-1 anchor, with the limit just under the truth: not cleared',
    (name) => {
      // A: L nearly the identity (tier 1's bound on it is about 1.3). Each B moves one entry of
      // L (a diagonal entry down, an off-diagonal one up) far enough that cond(B) >= 4 x that,
      // so that A is anchored from tier 1 under a limit just under cond(B).
      const d = 3;
      const la = [1, 0, 0, 0.05, 1, 0, 0.05, 0.05, 1];
      let tested = 0;
      let reached = 0;
      for (let k = 0; k < d * d; k++) {
        if (k % d > Math.floor(k / d)) continue;
        const diagonal = k % (d + 1) === 0;
        for (const move of diagonal ? [0.2, 0.3, 0.45] : [1.5, 2.5, 4]) {
          const lb = la.map((v, q) => (q === k ? (diagonal ? move : v + move) : v));
          const a = rawOf(name, la, d);
          const b = rawOf(name, lb, d);
          const exactB = conditionNumber64(name, b, d);
          expect(exactB).toBeGreaterThan(5);
          const limit = exactB * (1 - 1e-6);
          const { bound, step } = stepper(name, d, limit);
          expect(step(a)).toBeLessThanOrEqual(limit);
          expect(bound.tiers.bound).toBe(1);
          expect(step(b), `entry ${k}, move ${move}`).toBe(Number.POSITIVE_INFINITY);
          tested++;
          // With room to spare, B is tier 2's to clear from A's anchor: the test reaches it.
          const roomy = stepper(name, d, exactB * 64);
          roomy.step(a);
          const value = roomy.step(b);
          expect(value).toBeGreaterThanOrEqual(exactB * (1 - 1e-9));
          reached += roomy.bound.tiers.drift;
        }
      }
      expect(tested).toBe(18);
      // (The moves are of the covariance's factor: precision-cholesky's and Sigma's move further.)
      if (name === 'tril' || name === 'log-cholesky') expect(reached).toBeGreaterThan(6);
      else if (name !== 'precision-cholesky') expect(reached).toBeGreaterThan(0);
    },
  );

  it.each(['full', 'spd-riemannian', 'full-clip'])(
    '%s: one off-diagonal pair of Sigma moved from a tier-1 anchor, with the limit just under the truth: not cleared',
    (name) => {
      // A = I; B = I with t at (i, j) and (j, i): eigenvalues 1 +- t, so cond(B) = (1 + t) / (1 - t),
      // which only the off-diagonal entries' move accounts for.
      const d = 3;
      let reached = 0;
      for (const [i, j] of [
        [1, 0],
        [2, 0],
        [2, 1],
      ])
        for (const t of [0.65, 0.8, 0.9]) {
          const a = Float32Array.from({ length: d * d }, (_, q) => (q % (d + 1) === 0 ? 1 : 0));
          const b = a.slice();
          b[i * d + j] = b[j * d + i] = t;
          const exactB = conditionNumber64(name, b, d);
          const { bound, step } = stepper(name, d, exactB * (1 - 1e-6));
          expect(step(a)).toBeLessThanOrEqual(exactB);
          expect(bound.tiers.bound).toBe(1);
          expect(step(b), `(${i}, ${j}) = ${t}`).toBe(Number.POSITIVE_INFINITY);
          const roomy = stepper(name, d, exactB * 64);
          roomy.step(a);
          expect(roomy.step(b)).toBeGreaterThanOrEqual(exactB * (1 - 1e-9));
          reached += roomy.bound.tiers.drift;
        }
      expect(reached).toBeGreaterThanOrEqual(3);
    },
  );

  it.each(NATIVE)(
    '%s: random blocks and small moves from them, under limits from well above to just under the truth',
    (name) => {
      // Limits at which tier 1 clears the block near the limit (tier 3 then anchors it), well
      // within it (tier 1 anchors it), or not at all: every value the step gives is an upper bound
      // within the limit, and a block past the limit is never cleared.
      const p = parameterization(name);
      const rng = stream(13, 'moves');
      let cleared = 0;
      for (const d of [3, 8, 16])
        for (const cond of [10, 1e3, 1e5]) {
          const start = randomCovariance(40 * d + cond, d, cond);
          const exact0 = conditionNumber64(name, Float32Array.from(p.fromCovariance(start, d)), d);
          for (const factor of [1e4, 300, 30, 4, 1.5, 1.01, 1 - 1e-6]) {
            const limit = exact0 * factor;
            const { step } = stepper(name, d, limit);
            let sigma = start;
            for (let s = 0; s < 12; s++) {
              const raw = Float32Array.from(p.fromCovariance(sigma, d));
              const value = step(raw);
              const exact = conditionNumber64(name, raw, d);
              if (Number.isFinite(value)) {
                expect(value, `d=${d} cond ${cond} limit x${factor} step ${s}`).toBeGreaterThanOrEqual(
                  exact * (1 - 1e-9),
                );
                expect(value).toBeLessThanOrEqual(limit);
                cleared++;
              }
              // A move of about 1e-3 relative: Sigma to G Sigma G^T, G = I + 1e-3 N.
              const g = Float64Array.from(
                { length: d * d },
                (_, q) => (q % (d + 1) === 0 ? 1 : 0) + 1e-3 * rng.normal(),
              );
              const gs = new Float64Array(d * d);
              for (let i = 0; i < d; i++)
                for (let j = 0; j < d; j++)
                  for (let q = 0; q < d; q++) gs[i * d + j] += g[i * d + q] * sigma[q * d + j];
              const next = new Float64Array(d * d);
              for (let i = 0; i < d; i++)
                for (let j = 0; j < d; j++)
                  for (let q = 0; q < d; q++) next[i * d + j] += gs[i * d + q] * g[j * d + q];
              for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) next[j * d + i] = next[i * d + j];
              sigma = next;
            }
          }
        }
      expect(cleared).toBeGreaterThan(300);
    },
  );

  it.each(['tril', 'log-cholesky', 'precision-cholesky', 'full'])(
    '%s: a block that outruns its tier-1 anchors is anchored by tier 3, and tier 2 clears it from there',
    (name) => {
      // d = 8, cond 1e3 in a random basis, well within the limit: tier 1 clears and anchors it.
      // Then each entry of its raw block's lower triangle (and its mirror, for Sigma) times
      // 1 + s z each step: past a tier-1 anchor's reach at every step (its bounds on the
      // eigenvalues are loose), within tier 3's for a while (its relative bounds; for Sigma its
      // tighter smallest eigenvalue). So the block is anchored again with an inverse, not cleared
      // by tier 1 at nearly every step; never past the limit.
      const d = 8;
      const limit = 2 ** 23;
      const p = parameterization(name);
      const { bound, step } = stepper(name, d, limit);
      const rng = stream(17, 'outrun');
      const raw = Float32Array.from(p.fromCovariance(randomCovariance(23, d, 1e3), d));
      const size = SIZE[name];
      const steps = 80;
      for (let s = 0; s < steps; s++) {
        const value = step(raw);
        expect(value, `step ${s}`).toBeGreaterThanOrEqual(conditionNumber64(name, raw, d) * (1 - 1e-9));
        expect(value).toBeLessThanOrEqual(limit);
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++) {
            raw[i * d + j] *= 1 + size * rng.normal();
            if (name === 'full') raw[j * d + i] = raw[i * d + j];
          }
      }
      expect(bound.tiers.trace + bound.tiers.exact).toBeGreaterThan(0);
      expect(bound.tiers.bound).toBeLessThan(steps / 4);
      expect(bound.tiers.drift).toBeGreaterThan(steps / 2);
    },
  );

  it.each(['tril', 'log-cholesky', 'precision-cholesky'])(
    "%s: a block past its exact anchor's reach is anchored anew, or left to the host where the anchor is near the limit",
    (name) => {
      // d = 16, cond 4e6: tier 4 anchors it (the trace bound is past the limit). Then L = (I + E)
      // L_a with ||E||_F = 0.21: past the relative bound's reach under the float32 limit (about
      // 0.18 here), still within 1/4 of the anchor, its condition number under the limit.
      const d = 16;
      const p = parameterization(name);
      const start = Float32Array.from(p.fromCovariance(randomCovariance(9, d, 4e6), d));
      // precision-cholesky's raw block is log-cholesky's of the precision, whose factor L is.
      const ofFactor = name === 'precision-cholesky' ? parameterization('log-cholesky') : p;
      const la = cholesky64(ofFactor.covariance(start, d), d)!;
      const rng = stream(3, 'past reach');
      const e = Float64Array.from({ length: d * d }, (_, q) =>
        q % d <= Math.floor(q / d) ? rng.normal() : 0,
      );
      const norm = Math.sqrt(e.reduce((a, v) => a + v * v, 0));
      const lb = new Float64Array(d * d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let t = la[i * d + j];
          for (let q = j; q <= i; q++) t += ((0.21 * e[i * d + q]) / norm) * la[q * d + j];
          lb[i * d + j] = t;
        }
      const b = Float32Array.from(ofFactor.fromCovariance(gram(lb, d), d));
      const exactB = conditionNumber64(name, b, d);
      const exactA = conditionNumber64(name, start, d);
      // The anchor within a factor 2 of the limit, or not: the host's turn for WAIT calls, or a
      // new exact anchor at once, which clears the block.
      for (const [limit, anew] of [
        [2 ** 23, true],
        [exactA * 1.9, false],
      ] as const) {
        expect(exactB).toBeLessThan(limit / 1.01);
        const { bound, step } = stepper(name, d, limit);
        expect(step(start)).toBeLessThanOrEqual(limit);
        expect(bound.tiers.exact).toBe(1);
        const value = step(b);
        if (anew) {
          expect(value).toBeGreaterThanOrEqual(exactB * (1 - 1e-9));
          expect(value).toBeLessThanOrEqual(limit);
          expect(bound.tiers.exact).toBe(2);
        } else {
          expect(value).toBe(Number.POSITIVE_INFINITY);
          // The next calls too: the host's.
          expect(step(b)).toBe(Number.POSITIVE_INFINITY);
          expect(bound.tiers.exact).toBe(1);
        }
      }
    },
  );
});

/** The walk's move per step, relative to each raw entry: Sigma's entries move Sigma's smallest eigenvalue furthest. */
const SIZE: Record<string, number> = {
  tril: 3e-3,
  'log-cholesky': 3e-3,
  'precision-cholesky': 3e-3,
  full: 3e-5,
};
