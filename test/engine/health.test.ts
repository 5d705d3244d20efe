import { describe, expect, it } from 'vitest';
import { full } from '../../src/engine/parameterizations/full.js';
import { tril } from '../../src/engine/parameterizations/tril.js';
import { Health } from '../../src/engine/train/health.js';

const thresholds = { divergence_bound: 1e8, max_condition: 2 ** 23 };

/** Raw d = 2 blocks of the identity for `blocks` lanes x units: well conditioned, so only the check values decide. */
const eye = (blocks: number) => Array.from({ length: blocks }, () => [1, 0, 0, 1]).flat();

// Two lanes, two units, d = 2: check values are [lane][unit][j].
describe('outcome classification on constructed cases', () => {
  it('a Cholesky pivot <= 0 is singular, with unit, pivot index and value', () => {
    const h = new Health(2, 2, full, [thresholds, thresholds], 2);
    expect(h.observe(0, [0.5, 0.6], [1, 1, 1, 1, 1, 1, 1, 1], [0, 0], eye(4))).toBe(false);
    expect(h.observe(1, [0.5, 0.6], [1, 1, 1, 1, 1, 1, 0.2, -3.1e-5], [0, 0], eye(4))).toBe(true);
    const [a, b] = h.finish(10);
    expect(a).toEqual({ outcome: 'ok', step: 10, loss: 0.5 });
    expect(b).toEqual({
      outcome: 'singular',
      kind: 'cholesky',
      step: 1,
      loss: 0.6,
      reason: 'cholesky failed for unit 2 at step 1: pivot 2 = -3.1e-5',
    });
  });

  it('a NaN or zero factor diagonal is singular', () => {
    const h = new Health(2, 1, tril, [thresholds, thresholds], 2);
    h.observe(4, [1, 1], [1, Number.NaN, 0, 1], [0, 0], eye(2));
    const [a, b] = h.finish(10);
    expect(a.outcome).toBe('singular');
    expect([a.kind, b.kind]).toEqual(['factor-diagonal', 'factor-diagonal']);
    expect(a.reason).toBe('factor diagonal not positive at step 4: L[2,2] = NaN');
    expect(b.reason).toBe('factor diagonal not positive at step 4: L[1,1] = 0');
  });

  it('an overflowed factor diagonal is singular, not a NaN condition number that passes', () => {
    const h = new Health(2, 1, tril, [thresholds, thresholds], 2);
    h.observe(7, [0, 1], [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 1, 1], [0, 0], eye(2));
    const [a, b] = h.finish(10);
    expect(a).toEqual({
      outcome: 'singular',
      kind: 'overflow',
      step: 7,
      loss: Number.NaN,
      reason: 'factor overflowed at step 7: L[1,1] = Infinity',
    });
    expect(b.outcome).toBe('ok');
  });

  it('a condition number past the float32 limit is singular, with its exact value and step', () => {
    const h = new Health(1, 1, full, [thresholds], 2);
    // Sigma = diag(1, 1e-7): pivots 1 and 1e-7, cond 1e7 > 2^23.
    h.observe(3, [1], [1, 1e-7], [0], [1, 0, 0, 1e-7]);
    expect(h.finish(5)[0].kind).toBe('condition');
    expect(h.finish(5)[0].reason).toBe(
      'covariance ill-conditioned at step 3: condition number 1.0e+7 (limit 8.4e+6)',
    );
  });

  it('a non-finite loss or out-of-bound parameters with a valid covariance is diverged', () => {
    const h = new Health(3, 1, tril, [thresholds, thresholds, thresholds], 2);
    h.observe(0, [2, 3, 4], [1, 1, 1, 1, 1, 1], [0, 0, 0], eye(3));
    h.observe(1, [Number.POSITIVE_INFINITY, 2e8, 4], [1, 1, 1, 1, 1, 1], [0, 0, 1], eye(3));
    expect(h.finish(9)).toEqual([
      {
        outcome: 'diverged',
        kind: 'non-finite-loss',
        step: 1,
        loss: 2,
        reason: 'loss non-finite at step 1: Infinity',
      },
      {
        outcome: 'diverged',
        kind: 'loss-bound',
        step: 1,
        loss: 3,
        reason: 'loss beyond 1.0e+8 at step 1: 2.0e+8',
      },
      {
        outcome: 'diverged',
        kind: 'parameter-bound',
        step: 1,
        loss: 4,
        reason: 'parameters non-finite or beyond 1.0e+8 at step 1',
      },
    ]);
  });

  it('singular takes precedence over diverged, and a stopped lane stays stopped', () => {
    const h = new Health(1, 1, full, [thresholds], 2);
    h.observe(2, [Number.NaN], [-1, Number.NaN], [1], eye(1));
    h.observe(3, [1], [1, 1], [0], eye(1));
    expect(h.finish(5)[0]).toMatchObject({ outcome: 'singular', step: 2 });
  });
});
