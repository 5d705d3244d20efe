import { afterEach, describe, expect, it, vi } from 'vitest';
import { stream } from '../../src/data/random.js';
import { ConditionWasm } from '../../src/engine/native/condition-wasm.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { ConditionCheck, sinceBound } from '../../src/engine/train/condition.js';
import { cholesky64, gram } from '../../src/ground/dense64.js';
import { conditionNumber64, randomCovariance } from './conditions.js';

// The host check's bound from its last relative drift (train/condition.ts `sinceBound`): an upper
// bound on ||(L - S) W||_F, so the check it speeds up still clears nothing above its limit, and
// gives the verdicts and tiers it gave with the drift at every step.

afterEach(() => {
  vi.restoreAllMocks();
});

/** ||(L - S) W||_F in float64, the product formed. */
function exactMove(l: Float64Array, s: Float64Array, w: Float64Array, d: number): number {
  let squares = 0;
  for (let i = 0; i < d; i++)
    for (let c = 0; c <= i; c++) {
      let t = 0;
      for (let j = c; j <= i; j++) t += (l[i * d + j] - s[i * d + j]) * w[j * d + c];
      squares += t * t;
    }
  return Math.sqrt(squares);
}

describe("the host check's bound from its last relative drift", () => {
  it('bounds ||(L - S) W||_F from above, d = 2..16, and is not far above it for one moved row', () => {
    const rng = stream(3, 'host since');
    for (let d = 2; d <= 16; d++) {
      const l = new Float64Array(d * d);
      const s = new Float64Array(d * d);
      const w = new Float64Array(d * d);
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          s[i * d + j] = rng.normal();
          l[i * d + j] = s[i * d + j] + 10 ** (-1 - 6 * rng.uniform()) * rng.normal();
          w[i * d + j] = rng.normal() * (i === j ? 10 : 1);
        }
      const rows = Float64Array.from({ length: d }, (_, i) =>
        Math.sqrt(w.slice(i * d, i * d + i + 1).reduce((a, v) => a + v * v, 0)),
      );
      const exact = exactMove(l, s, w, d);
      const bound = sinceBound(l, s, rows, d);
      expect(bound, `d=${d}`).toBeGreaterThanOrEqual(exact);
      // A move in one entry: the bound is that entry's term, exact up to its margin.
      const one = Float64Array.from(s);
      one[(d - 1) * d] += 1e-3;
      const single = exactMove(one, s, w, d);
      expect(sinceBound(one, s, rows, d) / single, `d=${d}`).toBeGreaterThanOrEqual(1);
      expect(sinceBound(one, s, rows, d) / single, `d=${d}`).toBeLessThan(1 + 1e-9);
    }
  });

  it.each(['tril', 'log-cholesky', 'precision-cholesky'])(
    '%s: a walk near the limit, cleared from the last drift where the truth allows, never past the limit',
    (name) => {
      // d = 16, cond 4e6: the first check is exact. Then each step L <- (I + E) L, E lower
      // triangular with entries about 3e-4: past the additive bound within a few steps (L moves by
      // about sigma_min), little relative to L, so the relative drift clears it, and most steps
      // from the last one with the O(d^2) bound on the move since.
      const d = 16;
      const p = parameterization(name);
      const relative = vi.spyOn(ConditionWasm.prototype, 'relativeAt');
      const check = new ConditionCheck(p, d);
      const twin = new ConditionCheck(p, d, { wasm: false });
      // The same walk against a limit just under each step's truth: never cleared.
      const under = new ConditionCheck(p, d, { wasm: false });
      let l = cholesky64(randomCovariance(31, d, 4e6), d)!;
      const rng = stream(5, `host since walk ${name}`);
      let cleared = 0;
      for (let step = 0; step < 60; step++) {
        // precision-cholesky's raw block is log-cholesky's of the precision: L walks as its factor.
        const raw = Float32Array.from(
          parameterization(name === 'tril' ? 'tril' : 'log-cholesky').fromCovariance(gram(l, d), d),
        );
        const truth = conditionNumber64(name, raw, d);
        const found = check.above(raw, 0, 2 ** 23);
        expect(found).toBe(twin.above(raw, 0, 2 ** 23));
        if (truth < 2 ** 23 / 1.001) expect(found, `step ${step}`).toBeUndefined();
        if (found === undefined) cleared++;
        expect(under.above(raw, 0, truth / 1.001), `step ${step}`).toBeDefined();
        const next = new Float64Array(d * d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++) {
            let t = l[i * d + j];
            for (let q = j; q <= i; q++) t += 3e-4 * rng.normal() * l[q * d + j];
            next[i * d + j] = t;
          }
        l = next;
      }
      expect(cleared).toBe(60);
      expect(check.tiers).toEqual(twin.tiers);
      // Most steps cleared by the drift tier, most of those without a relative drift.
      expect(check.tiers.drift).toBeGreaterThan(40);
      expect(relative.mock.calls.length).toBeGreaterThan(1);
      expect(relative.mock.calls.length).toBeLessThan(check.tiers.drift / 2);
    },
  );
});
