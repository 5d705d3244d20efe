import { beforeAll, describe, expect, it } from 'vitest';
import { ReferenceStep } from '../../src/bench/reference.js';
import { trainBatch } from '../../src/engine/train.js';
import { useBackend } from '../engine/backend.js';
import { batchOf, classifierConfig } from '../engine/configs.js';

beforeAll(() => useBackend('cpu'));

describe("the bench's reference loop", () => {
  it("is the engine's seed-000 step: the same loss at every step of a 2000-step run", () => {
    const config = { ...classifierConfig({ parameterization: 'full', lr: 1e-5, seed: 3 }), record_every: 1 };
    const [engine] = trainBatch(batchOf([config]));
    expect(engine.outcome).toBe('ok');
    const reference = new ReferenceStep(config);
    const losses = engine.curve.map(() => reference.advance());
    const worst = Math.max(...losses.map((l, i) => Math.abs(l - engine.curve[i])));
    expect(worst).toBeLessThan(1e-4);
  });

  it('stops (NaN) where the engine reports a Cholesky failure', () => {
    const config = { ...classifierConfig({ parameterization: 'full', lr: 1e-2, seed: 3 }), record_every: 1 };
    const [engine] = trainBatch(batchOf([config]));
    expect(engine.outcome).toBe('singular');
    const reference = new ReferenceStep(config);
    let step = 0;
    while (!Number.isNaN(reference.advance())) step++;
    expect(step).toBe(engine.step);
  });
});
