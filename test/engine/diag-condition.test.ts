import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { ConditionCheck } from '../../src/engine/train/condition.js';

// diag's own condition bound (exp(max v - min v), O(d)) must change no decision of the condition
// check: with limits just below, at and just above each block's condition number, the check
// says what it says from the factor alone (the same block above or not, the same value).
describe('diag: conditionBound64', () => {
  const diag = parameterization('diag');
  const withoutBound = { ...diag, conditionBound64: undefined };

  it('decides every block as the check from the factor does, and clears most in O(d)', () => {
    const rng = seedrandom('diag condition');
    let cleared = 0;
    for (const d of [2, 3, 8, 17, 64])
      for (let k = 0; k < 40; k++) {
        const spread = [1, 10, 16, 17, 40][k % 5];
        const raw = Float32Array.from({ length: d }, () => (rng() - 0.5) * spread);
        // The float64 value as the check finds it on the factor.
        const truth = new ConditionCheck(withoutBound, d).above(raw, 0, 0)!;
        expect(truth).toBeGreaterThanOrEqual(1);
        for (const limit of [
          2 ** 23,
          truth,
          truth * (1 - 1e-15),
          truth * (1 + 1e-15),
          truth / 1.001,
          truth * 1.001,
        ]) {
          const fast = new ConditionCheck(diag, d);
          const slow = new ConditionCheck(withoutBound, d);
          expect(fast.above(raw, 0, limit)).toBe(slow.above(raw, 0, limit));
          if (diag.conditionBound64!(raw, 0, d, limit) <= limit) cleared++;
        }
        expect(diag.conditionBound64!(raw, 0, d, 0)).toBeGreaterThanOrEqual(truth);
      }
    expect(cleared).toBeGreaterThan(100);
  });
});
