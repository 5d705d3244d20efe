import { describe, expect, it } from 'vitest';
import { expand } from '../../src/plan/expand.js';
import { inPlanOrder, resultsByExperiment, unplanned } from '../../src/results/order.js';
import type { Experiment, Suite } from '../../src/types.js';
import { experiment, made } from './fixtures.js';

/** `e`, counting how often its sweep space is read: every run of an expansion reads it. */
function counted(e: Experiment): { e: Experiment; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(e, {
    get(target, key, receiver) {
      if (key === 'space') reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { e: proxy, reads: () => reads };
}

describe('results in plan order', () => {
  it('orders results by the plan, unplanned ones last by id, and expands a sweep once for all', () => {
    const { e, reads } = counted(experiment());
    const plan = [...expand(experiment())].map((r) => r.id);
    const results = [
      made(e, { parameterization: 'tril', seed: 3 }),
      made(e, { parameterization: 'full', seed: 0 }),
      made(e, { parameterization: 'log-cholesky', lr: 1e-2, seed: 1 }),
    ];
    const stray = { ...results[0], id: '000000000000' };
    const ordered = inPlanOrder(e, [...results, stray]);
    expect(ordered.slice(0, 3).map((r) => plan.indexOf(r.id))).toEqual(
      results.map((r) => plan.indexOf(r.id)).sort((a, b) => a - b),
    );
    expect(ordered[3]).toBe(stray);
    const afterFirst = reads();
    expect(afterFirst).toBeGreaterThanOrEqual(plan.length);
    const suite = { experiments: [e] } as unknown as Suite;
    expect(resultsByExperiment(suite, ordered)).toEqual([ordered.slice(0, 3)]);
    expect(unplanned(suite, ordered)).toEqual([stray]);
    // The session orders, then the reports split and look for strays: one expansion serves all.
    expect(reads()).toBe(afterFirst);
  });
});
