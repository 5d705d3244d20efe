import { beforeAll, describe, expect, it } from 'vitest';
import { ReferenceStep } from '../../src/bench/reference.js';
import { trainBatch } from '../../src/engine/train/train.js';
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

  it('generalises to any d and K: the same loss as the engine at d = 5 with 3 units', () => {
    const base = classifierConfig({ parameterization: 'full', lr: 1e-5, seed: 4, epochs: 1 });
    const config = { ...base, dim: 5, task: { ...base.task, units: 3, n_per_class: 40 }, record_every: 1 };
    const [engine] = trainBatch(batchOf([config]));
    expect(engine.outcome).toBe('ok');
    expect(engine.curve.length).toBe(120);
    const reference = new ReferenceStep(config);
    const losses = engine.curve.map(() => reference.advance());
    const worst = Math.max(...losses.map((l, i) => Math.abs(l - engine.curve[i]) / Math.max(1, Math.abs(l))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('refuses what it does not compute: another parameterization or task option', () => {
    const config = classifierConfig({ parameterization: 'tril' });
    expect(() => new ReferenceStep(config)).toThrow(/seed 000 only/);
    const logProb = { ...classifierConfig(), task: { ...classifierConfig().task, activation: 'log_prob' } };
    expect(() => new ReferenceStep(logProb)).toThrow(/seed 000 only/);
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
