import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { task } from '../../src/engine/tasks/index.js';
import { expand } from '../../src/plan/expand.js';
import { runOfGroup, sweepGroups } from '../../src/plan/groups.js';
import { BATCH_DATA_BYTES, cutBatches, type Group, pack } from '../../src/plan/pack.js';
import type { Experiment } from '../../src/types.js';

const steps = (c: { task: { name: string } }) => task(c.task.name).steps(c as never);
const group = (size: number, o: Partial<Group> = {}): Group => ({ key: 'k', size, steps: 100, dim: 2, ...o });

/** The batches cut from the sweep's groups by arithmetic are those pack() makes from its expanded runs. */
function expectBatchesOfPack(e: Experiment) {
  const expected = pack(expand(e), { workers: 2, lanes: 3, steps });
  const groups = sweepGroups(e, steps);
  const cuts = cutBatches(groups, { workers: 2, lanes: 3 });
  expect(cuts.length).toBe(expected.length);
  cuts.forEach((c, i) => {
    const ids = Array.from({ length: c.lanes }, (_, k) => runOfGroup(e, groups[c.group], c.start + k).id);
    expect(ids).toEqual(expected[i].runs.map((r) => r.id));
    expect(groups[c.group].steps).toBe(expected[i].steps);
  });
}

describe('cutting groups into lane batches', () => {
  it('cuts a group evenly at the lane cap (1025 runs -> 513 + 512)', () => {
    const cuts = cutBatches([group(1025)], { workers: 1, lanes: 1024 });
    expect(cuts.map((c) => c.lanes)).toEqual([513, 512]);
    expect(cuts.map((c) => c.start).sort((a, b) => a - b)).toEqual([0, 513]);
  });

  // Each lane holds its own data: a thousand lanes of 100 MB each would be 100 GB.
  it('caps the lanes of a batch by the data they hold', () => {
    const cuts = cutBatches([group(10, { laneBytes: BATCH_DATA_BYTES / 4 })], { workers: 1 });
    expect(cuts.map((c) => c.lanes)).toEqual([4, 3, 3]);
    expect(cutBatches([group(3, { laneBytes: 2 * BATCH_DATA_BYTES })], { workers: 1 })).toHaveLength(3);
  });

  it('splits a lone batch so that every worker gets work', () => {
    expect(cutBatches([group(100)], { workers: 2 }).map((c) => c.lanes)).toEqual([50, 50]);
  });

  it('splits while it shortens the makespan: 3 equal groups on 2 workers become 4 batches', () => {
    const cuts = cutBatches([group(140, { key: 'a' }), group(140, { key: 'b' }), group(140, { key: 'c' })], {
      workers: 2,
    });
    expect(cuts.map((c) => c.lanes)).toEqual([140, 140, 70, 70]);
  });

  it('puts the costliest batches first, and never splits below one lane', () => {
    const cuts = cutBatches([group(3, { steps: 10 }), group(1, { steps: 1000 })], { workers: 8 });
    expect(cuts[0]).toMatchObject({ group: 1, lanes: 1 });
    expect(cuts.every((c) => c.lanes >= 1)).toBe(true);
    expect(cuts.reduce((n, c) => n + c.lanes, 0)).toBe(4);
  });

  it('ranks by the work a lane-step does at its d: 20 lanes at d = 16 before 20 at d = 4', () => {
    const cuts = cutBatches([group(20, { dim: 4 }), group(20, { dim: 16 })], { workers: 1 });
    expect(cuts.map((c) => c.group)).toEqual([1, 0]);
  });
});

describe('planning by arithmetic on the axes', () => {
  const experiment = (...sweep: string[]) =>
    parseExperiment(
      [
        'name: t',
        'task: { name: mvn-classifier, n_per_class: 5, epochs: 1 }',
        'max_runs: 2000000',
        'sweep:',
        ...sweep.map((l) => `  ${l}`),
      ].join('\n'),
      'plan.yaml',
    );

  it.each([
    [['lr.cov: [1.0e-4, 1.0e-3]', 'parameterization: [full, tril]', 'seed: 7', 'task.epochs: [1, 2]']],
    [['optimizer.nesterov: [false, true]', 'seed: 5', 'dim: [2, 3]', 'optimizer.momentum: [0.1, 0.5]']],
    [['seed: 4', 'optimizer.name: [adam, sgd, rmsprop]', 'lr.cov: [1.0e-4, 1.0e-3]']],
  ])('gives the batches pack() makes from the expanded runs: %j', (sweep) => {
    const e = experiment(...sweep);
    expectBatchesOfPack(e);
  });

  it('packs only runs of one optimizer together', () => {
    const e = experiment('seed: 6', 'optimizer.name: [sgd, adam, rmsprop]');
    const batches = pack(expand(e), { workers: 1, steps });
    expect(batches.map((b) => new Set(b.runs.map((r) => r.config.optimizer.name)).size)).toEqual([1, 1, 1]);
    expect(batches.flatMap((b) => b.runs).length).toBe(18);
  });

  it.each([
    [
      [
        'sweep:',
        '  parameterization: [full, tril, diag]',
        '  task.epochs: [1, 2]',
        '  lr.cov: [1.0e-4, 1.0e-3, 1.0e-2]',
        '  lr.mean: [1.0e-3, 1.0e-3, 1.0e-2]',
        '  seed: 4',
        'zip: [[lr.mean, lr.cov]]',
        'exclude:',
        '  - { parameterization: full, lr.cov: 1.0e-2 }',
        '  - { task.epochs: 2, seed: [0, 3] }',
        'include:',
        '  - { parameterization: tril, lr.cov: 0.1 }',
        '  - { parameterization: lowrank, task.epochs: 3 }',
      ],
    ],
    [
      [
        'sweep:',
        '  seed: 5',
        '  parameterization: [full, tril]',
        'depends:',
        '  task.epochs: { on: seed, values: { 0: 1, 1: 2, 2: 3, 3: 1, 4: 2 } }',
        'exclude: [{ seed: 1, parameterization: tril }]',
      ],
    ],
  ])('gives the batches pack() makes under zip, exclude, include and depends: %j', (lines) => {
    const e = parseExperiment(
      ['name: t', 'task: { name: mvn-classifier, n_per_class: 5, epochs: 1 }', ...lines].join('\n'),
      'plan.yaml',
    );
    expect(sweepGroups(e, steps).reduce((n, g) => n + g.size, 0)).toBe([...expand(e)].length);
    expectBatchesOfPack(e);
  });

  it('counts a million-run sweep without making its runs', () => {
    const e = experiment(
      'parameterization: [full, tril, log-cholesky]',
      'lr.cov: {logspace: [1.0e-5, 1.0e-2, 200]}',
      'seed: 1667',
    );
    const groups = sweepGroups(e, steps);
    expect(groups.map((g) => g.size)).toEqual([333_400, 333_400, 333_400]);
    expect(runOfGroup(e, groups[2], 333_399).config).toMatchObject({
      parameterization: 'log-cholesky',
      seed: 1666,
    });
  });
});
