import { describe, expect, it } from 'vitest';
import { bracketOf, firstPoints, maxRounds, nextPoints, searchWith } from '../../src/frontier/search.js';
import type { FrontierSpec, Outcome } from '../../src/types.js';

const SPEC: FrontierSpec = { setting: 'lr.cov', min: 1e-6, max: 1, precision: 1.05, points: 4 };

/** Stable up to and including `t`, singular above. */
const threshold =
  (t: number) =>
  (v: number): Outcome =>
    v <= t ? 'ok' : 'singular';

describe('frontier search on a monotone oracle', () => {
  // Thresholds all over the range, including ones that fall between first-round points and near them.
  const thresholds = [1.3e-6, 3.7e-5, 1e-4, 1.0001e-4, 2.2e-3, 0.0465, 0.5, 0.999];
  it.each(thresholds)('brackets a threshold at %s to the requested precision', (t) => {
    const { rounds, bracket } = searchWith(SPEC, threshold(t));
    expect(bracket.ok).toBeLessThanOrEqual(t);
    expect(bracket.failed).toBeGreaterThan(t);
    expect(bracket.failed! / bracket.ok!).toBeLessThanOrEqual(SPEC.precision);
    expect(bracket.outcome).toBe('singular');
    expect(bracket.okAbove).toEqual([]);
    expect(rounds.length).toBeLessThanOrEqual(maxRounds(SPEC));
    // k-section: every round tests `points` values, and the rounds are few.
    for (const r of rounds) expect(r).toHaveLength(SPEC.points);
  });

  it('takes the rounds k-section predicts: 13.8 nats / 3, then / 5 per round, down to ln 1.05', () => {
    // log(1e6) / 3 = 4.6; 4.6 / 5^3 = 0.037 <= ln(1.05) = 0.049 < 4.6 / 5^2.
    expect(maxRounds(SPEC)).toBe(4);
    expect(searchWith(SPEC, threshold(2.2e-3)).rounds).toHaveLength(4);
    // Bisection-like ternary search needs more rounds of fewer points.
    expect(maxRounds({ ...SPEC, points: 2 })).toBe(7);
    expect(searchWith({ ...SPEC, points: 2 }, threshold(2.2e-3)).rounds).toHaveLength(7);
  });

  it.each([
    [1.5, 2],
    [1.01, 3],
    [1.001, 8],
  ])('reaches precision %s with %s points a round', (precision, points) => {
    const spec = { ...SPEC, precision, points };
    for (const t of thresholds) {
      const { rounds, bracket } = searchWith(spec, threshold(t));
      expect(bracket.ok! <= t && t < bracket.failed!).toBe(true);
      expect(bracket.failed! / bracket.ok!).toBeLessThanOrEqual(precision);
      expect(rounds.length).toBeLessThanOrEqual(maxRounds(spec));
    }
  });

  it('tests log-evenly spaced values, the bounds exactly as written in the first round', () => {
    expect(firstPoints(SPEC)).toEqual([1e-6, 1e-4, 0.01, 1]);
    expect(nextPoints(SPEC, { ok: 1e-4, failed: 1e-2, okAbove: [] })).toEqual([
      2.51188643151e-4, 6.3095734448e-4, 0.00158489319246, 0.00398107170553,
    ]);
  });
});

describe('frontier search at and beyond the bounds', () => {
  it('all ok: one round, the frontier is above max', () => {
    const { rounds, bracket } = searchWith(SPEC, () => 'ok');
    expect(rounds).toHaveLength(1);
    expect(bracket).toEqual({ ok: 1, failed: undefined, outcome: undefined, okAbove: [] });
  });

  it('all fail: one round, the frontier is below min, with the outcome at min', () => {
    const { rounds, bracket } = searchWith(SPEC, () => 'diverged');
    expect(rounds).toHaveLength(1);
    expect(bracket).toEqual({ ok: undefined, failed: 1e-6, outcome: 'diverged', okAbove: [] });
  });

  it('a boundary exactly at min: min ok, the first failure found just above it', () => {
    const { bracket } = searchWith(SPEC, threshold(1e-6));
    expect(bracket.ok).toBe(1e-6);
    expect(bracket.failed! / 1e-6).toBeLessThanOrEqual(1.05);
  });

  it('a boundary just below max: found just below it', () => {
    const { bracket } = searchWith(SPEC, (v) => (v < 1 ? 'ok' : 'error'));
    expect(bracket.failed).toBe(1);
    expect(bracket.outcome).toBe('error');
    expect(1 / bracket.ok!).toBeLessThanOrEqual(1.05);
  });
});

describe('frontier search on a non-monotone oracle', () => {
  // Fails in a band (1e-3, 0.05], ok again above it: as a run that blows up only at middling rates.
  const band = (v: number): Outcome => (v > 1e-3 && v <= 0.05 ? 'diverged' : 'ok');

  it('brackets the first failure and reports the ok values seen above it', () => {
    const { bracket } = searchWith(SPEC, band);
    expect(bracket.ok! <= 1e-3 && 1e-3 < bracket.failed!).toBe(true);
    expect(bracket.failed! / bracket.ok!).toBeLessThanOrEqual(1.05);
    // The first round tested 1 (ok above the failure at 0.01).
    expect(bracket.okAbove).toEqual([1]);
  });

  it('a failure below an ok in one round: the ok above counts, the ok below is the bracket end', () => {
    const b = bracketOf([
      { value: 0.1, outcome: 'ok' },
      { value: 0.01, outcome: 'singular' },
      { value: 0.001, outcome: 'ok' },
      { value: 0.5, outcome: 'ok' },
      { value: 0.2, outcome: 'diverged' },
    ]);
    expect(b).toEqual({ ok: 0.001, failed: 0.01, outcome: 'singular', okAbove: [0.1, 0.5] });
  });

  it('a lone failing value inside an ok range is found when a round tests it', () => {
    const spike = (v: number): Outcome => (v === 0.01 ? 'timeout' : 'ok');
    const { rounds, bracket } = searchWith(SPEC, spike);
    expect(bracket.failed).toBe(0.01);
    expect(bracket.okAbove).toContain(1);
    // Below the spike the search narrows on it like on any boundary.
    expect(rounds.length).toBeGreaterThan(1);
  });
});

describe('frontier search edge cases', () => {
  it('stops when the bracket is narrower than the 12 digits values keep', () => {
    const spec = { ...SPEC, precision: 1 + 1e-13 };
    const { rounds, bracket } = searchWith(spec, threshold(0.0123456789));
    expect(rounds.length).toBeLessThan(40);
    expect(bracket.ok! <= 0.0123456789 && 0.0123456789 < bracket.failed!).toBe(true);
  });

  it('never tests a value twice', () => {
    const { rounds } = searchWith(SPEC, threshold(3.7e-5));
    const all = rounds.flat();
    expect(new Set(all).size).toBe(all.length);
  });
});
