import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { expand, runCount, settingAt, withSettings } from '../../src/plan/expand.js';
import { runId } from '../../src/plan/ids.js';
import { otherAxes } from '../../src/report/panels.js';
import { expectFirst, expectProblem, MINIMAL, writeExperiment, yaml } from './helpers.js';

const load = (...lines: string[]) => loadExperiment(writeExperiment(yaml(...MINIMAL, ...lines)));

/** The given settings of every run, in plan order. */
const runsOf = (paths: string[], ...lines: string[]) =>
  [...expand(load(...lines))].map((r) => paths.map((p) => settingAt(r.config, p)));

describe('sweep rules: what valid files expand to', () => {
  it('keeps the ids and order of a plain Cartesian sweep (the last axis fastest)', () => {
    const e = load('sweep:', '  parameterization: [full, tril]', '  lr.cov: [1.0e-3, 1.0e-2]', '  seed: 2');
    // Built by hand, independently of the space arithmetic.
    const ids: string[] = [];
    for (const p of ['full', 'tril'])
      for (const lr of [1e-3, 1e-2])
        for (const seed of [0, 1]) {
          const config = withSettings(e.base, [
            ['parameterization', p],
            ['lr.cov', lr],
            ['seed', seed],
          ]);
          ids.push(runId(config));
        }
    expect([...expand(e)].map((r) => r.id)).toEqual(ids);
  });

  it('zips axes: their values pair position by position, at the place of the first one', () => {
    const runs = runsOf(
      ['parameterization', 'lr.cov', 'lr.mean'],
      'sweep:',
      '  lr.cov: [1.0e-3, 1.0e-2, 1.0e-1]',
      '  parameterization: [full, tril]',
      '  lr.mean: [1.0e-3, 1.0e-3, 1.0e-2]',
      'zip: [[lr.mean, lr.cov]]',
    );
    expect(runs).toEqual([
      ['full', 1e-3, 1e-3],
      ['tril', 1e-3, 1e-3],
      ['full', 1e-2, 1e-3],
      ['tril', 1e-2, 1e-3],
      ['full', 1e-1, 1e-2],
      ['tril', 1e-1, 1e-2],
    ]);
  });

  it('excludes every run matching all settings of a rule, a list meaning any of its values', () => {
    const runs = runsOf(
      ['parameterization', 'dim', 'lr.cov'],
      'sweep:',
      '  parameterization: [full, tril]',
      '  dim: [2, 4]',
      '  lr.cov: [1.0e-3, 1.0e-2, 1.0e-1]',
      'exclude:',
      '  - { parameterization: full, lr.cov: [1.0e-2, 0.1] }',
      '  - { dim: 4, lr.cov: 0.1 }',
    );
    expect(runs).toEqual([
      ['full', 2, 1e-3],
      ['full', 4, 1e-3],
      ['tril', 2, 1e-3],
      ['tril', 2, 1e-2],
      ['tril', 2, 1e-1],
      ['tril', 4, 1e-3],
      ['tril', 4, 1e-2],
    ]);
  });

  it('adds included runs after the sweep; settings they do not name keep their fixed value', () => {
    const runs = runsOf(
      ['parameterization', 'dim', 'lr.cov'],
      'dim: 3',
      'lr: { cov: 0.5 }',
      'sweep:',
      '  parameterization: [full, tril]',
      '  lr.cov: [1.0e-3]',
      'include:',
      '  - { parameterization: diag, lr.cov: 0.1 }',
      '  - { dim: 2 }',
    );
    expect(runs).toEqual([
      ['full', 3, 1e-3],
      ['tril', 3, 1e-3],
      ['diag', 3, 0.1],
      ['full', 2, 0.5],
    ]);
  });

  it("gives an included run of another optimizer that optimizer's settings, as a swept name would", () => {
    const e = load(
      'optimizer: { momentum: 0.5 }',
      'sweep:',
      '  optimizer.name: [sgd, rmsprop]',
      'include:',
      '  - { optimizer.name: adam, lr.cov: 0.1 }',
    );
    const runs = [...expand(e)].map((r) => r.config.optimizer);
    expect(runs).toEqual([
      { name: 'sgd', momentum: 0.5, nesterov: false },
      { name: 'rmsprop', alpha: 0.99, eps: 1e-8 },
      { name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    ]);
  });

  it('sets a dependent setting from its axis, in included runs too', () => {
    const runs = runsOf(
      ['dim', 'task.epochs'],
      'sweep:',
      '  dim: [2, 8]',
      'depends:',
      '  task.epochs: { on: dim, values: { 2: 1, 8: 3 } }',
      'include:',
      '  - { dim: 8, parameterization: tril }',
      '  - { dim: 2, task.epochs: 7 }',
    );
    expect(runs).toEqual([
      [2, 1],
      [8, 3],
      [8, 3],
      [2, 7],
    ]);
  });

  it('matches depends keys to float and string axis values as written', () => {
    const runs = runsOf(
      ['lr.cov', 'lr.mean', 'parameterization', 'thresholds.max_condition'],
      'sweep:',
      '  lr.cov: { logspace: [1.0e-3, 1.0e-1, 3] }',
      '  parameterization: [full, log-cholesky]',
      'depends:',
      '  lr.mean: { on: lr.cov, values: { 1e-3: 0.5, 0.01: 0.25, 1.0e-1: 0.125 } }',
      '  thresholds.max_condition: { on: parameterization, values: { full: 100, log-cholesky: 1000 } }',
    );
    expect(runs.map((r) => r.join(' '))).toEqual([
      '0.001 0.5 full 100',
      '0.001 0.5 log-cholesky 1000',
      '0.01 0.25 full 100',
      '0.01 0.25 log-cholesky 1000',
      '0.1 0.125 full 100',
      '0.1 0.125 log-cholesky 1000',
    ]);
  });

  it('counts runs exactly under every rule, and records what each did', () => {
    const e = load(
      'sweep:',
      '  parameterization: [full, tril, diag]',
      '  lr.cov: [1.0e-3, 1.0e-2]',
      '  lr.mean: [1.0e-3, 1.0e-2]',
      '  seed: 10',
      'zip: [[lr.cov, lr.mean]]',
      'exclude: [{ parameterization: full, lr.cov: 1.0e-2 }, { parameterization: [full, tril], seed: 9 }]',
      'include: [{ parameterization: lowrank }]',
    );
    // 3 x 2 x 10 = 60; -10 (full, 0.01); -1 (full, 0.001, seed 9) - 2 (tril, seed 9); +1.
    expect(runCount(e)).toBe(48);
    expect([...expand(e)].length).toBe(48);
    expect(new Set([...expand(e)].map((r) => r.id)).size).toBe(48);
    expect(e.space.effects.map((x) => x.runs)).toEqual([120, 60, 50, 47, 48]);
    // Tables see each value of a zipped axis once.
    expect(e.axes.find((a) => a.path === 'lr.mean')?.values).toEqual([1e-3, 1e-2]);
  });
});

describe('sweep rules in tables and plots', () => {
  it('lets tables pivot on a dependent setting, and plots draw zipped axes as one', () => {
    const e = load(
      'sweep:',
      '  parameterization: [full, tril]',
      '  lr.cov: [1.0e-3, 1.0e-2]',
      '  lr.mean: [1.0e-3, 1.0e-2]',
      '  dim: [2, 4]',
      'zip: [[lr.cov, lr.mean]]',
      'depends: { task.epochs: { on: dim, values: { 2: 1, 4: 2 } } }',
      'summary: { rows: task.epochs, columns: parameterization }',
    );
    expect(e.summary.rows).toBe('task.epochs');
    expect(otherAxes(e, ['lr.cov', 'parameterization'])).toEqual(['dim']);
    expect(otherAxes(e, ['dim', 'parameterization'])).toEqual(['lr.cov', 'lr.mean']);
  });
});

describe('sweep rules: problems, at the place they are', () => {
  const axes = ['sweep:', '  parameterization: [full, tril]', '  lr.cov: [1.0e-3, 1.0e-2]', '  dim: [2, 4]'];

  it('rejects zip paths that are not sweep axes, with did-you-mean', () => {
    expectFirst(
      yaml(...MINIMAL, ...axes, 'zip: [[lr.cov, dmi]]'),
      8,
      16,
      /zip\[0\] names "dmi", which is not a sweep axis; did you mean "dim"\?$/,
    );
  });

  it('rejects zipped axes of different lengths', () => {
    expectFirst(
      yaml(
        ...MINIMAL,
        'sweep:',
        '  lr.cov: [1.0e-3, 1.0e-2]',
        '  dim: [2, 4, 8]',
        'zip:',
        '  - [lr.cov, dim]',
      ),
      8,
      5,
      /zip\[0\] pairs axes of different lengths \("lr.cov" 2, "dim" 3\); zipped axes move together/,
    );
  });

  it('rejects an axis zipped twice, a group of one, and repeated pairs', () => {
    expectFirst(
      yaml(...MINIMAL, ...axes, 'zip: [[lr.cov, dim], [dim, parameterization]]'),
      8,
      23,
      /zip\[1\] names "dim" in zip\[0\] too/,
    );
    expectFirst(yaml(...MINIMAL, ...axes, 'zip: [[lr.cov]]'), 8, 7, /"zip\[0\]" must have at least 2 items/);
    expectFirst(
      yaml(...MINIMAL, 'sweep:', '  lr.cov: [0.1, 0.1]', '  dim: [2, 2]', 'zip: [[lr.cov, dim]]'),
      7,
      7,
      /zip\[0\] pairs the same values \(0.1, 2\) at positions 0 and 1; list each combination once/,
    );
  });

  it('rejects exclude rules naming unknown, unswept or dependent settings', () => {
    expectFirst(
      yaml(...MINIMAL, ...axes, 'exclude: [{ lr.cvo: 0.01 }]'),
      8,
      13,
      /unknown key "lr.cvo" in "exclude\[0\]"; did you mean "lr.cov"\?/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'exclude: [{ seed: 1 }]'),
      8,
      13,
      /exclude\[0\] names "seed", which is not swept; exclude rules match sweep axes: parameterization, lr.cov, dim$/,
    );
    expectFirst(
      yaml(
        ...MINIMAL,
        ...axes,
        'depends: { seed: { on: dim, values: { 2: 1, 4: 2 } } }',
        'exclude: [{ seed: 1 }]',
      ),
      9,
      13,
      /exclude\[0\] names "seed", which depends on "dim"; exclude by "dim" instead/,
    );
  });

  it('rejects exclude values the axis does not take, and values failing the schema', () => {
    expectFirst(
      yaml(...MINIMAL, ...axes, 'exclude:', '  - { parameterization: diag }'),
      9,
      25,
      /exclude\[0\] "parameterization" "diag" is not a value of the sweep axis \("full" or "tril"\); use one of its values/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'exclude:', '  - { parameterization: tirl }'),
      9,
      25,
      /"exclude\[0\].parameterization" must be one of .*, received "tirl"; did you mean "tril"\?/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'exclude:', '  - { lr.cov: [1.0e-3, 0.02] }'),
      9,
      24,
      /exclude\[0\] "lr.cov" 0.02 is not a value of the sweep axis \(0.001 or 0.01\); use one of its values/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'exclude:', '  - { dim: -1 }'),
      9,
      12,
      /"exclude\[0\].dim" must be an integer >= 1 and <= 256, received -1/,
    );
  });

  it('rejects an exclude rule that matches no run, an empty one, and rules that leave nothing', () => {
    expectFirst(
      yaml(
        ...MINIMAL,
        ...axes,
        'zip: [[lr.cov, dim]]',
        'exclude:',
        '  - { parameterization: full }',
        '  - { lr.cov: 1.0e-3, dim: 4 }',
      ),
      11,
      5,
      /exclude\[1\] matches no run: its zipped settings never take these values together/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'exclude: [{}]'),
      8,
      11,
      /exclude\[0\] is empty, so it would match every run/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'exclude: [{ parameterization: [full, tril] }]'),
      8,
      1,
      /the exclude rules leave no run of the sweep/,
    );
  });

  it('rejects depends problems: swept path, unknown axis, missing and extra values, bad values', () => {
    expectFirst(
      yaml(...MINIMAL, ...axes, 'depends:', '  dim: { on: lr.cov, values: { 0.001: 2, 0.01: 4 } }'),
      9,
      3,
      /"dim" is both swept and set by depends; remove it from one of them/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'depends:', '  task.epochs: { on: dmi, values: { 2: 1 } }'),
      9,
      22,
      /depends "task.epochs" is on "dmi", which is not a sweep axis; did you mean "dim"\?/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'depends:', '  task.epochs:', '    on: dim', '    values: { 2: 1 }'),
      11,
      5,
      /depends "task.epochs" gives no value for dim 4; add "4: \.\.\."/,
    );
    expectFirst(
      yaml(
        ...MINIMAL,
        ...axes,
        'depends:',
        '  task.epochs:',
        '    on: dim',
        '    values: { 2: 1, 4: 2, 8: 3 }',
      ),
      11,
      27,
      /depends "task.epochs" gives a value for dim 8, which the "dim" axis does not take \(2, 4\); remove it/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'depends:', '  task.epochs:', '    on: dim', '    values: { 2: 1, 4: 0 }'),
      11,
      24,
      /"depends.task.epochs.values.4" must be an integer >= 1/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'depends:', '  task.epochs: { values: { 2: 1, 4: 2 } }'),
      9,
      16,
      /missing required key "on" in "depends.task.epochs"/,
    );
  });

  it('rejects included runs that repeat a run, or that depends cannot fill', () => {
    // The same run as a swept one once that optimizer's settings are in: alpha 0.99 is its default.
    expectFirst(
      yaml(
        ...MINIMAL,
        'sweep:',
        '  optimizer.name: [sgd, rmsprop]',
        'include:',
        '  - { optimizer.name: rmsprop, optimizer.alpha: 0.99 }',
      ),
      7,
      5,
      /include\[0\] is already run 1 of the sweep \(id [0-9a-f]{12}\); remove it/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'include:', '  - { parameterization: tril, lr.cov: 1.0e-2, dim: 4 }'),
      9,
      5,
      /include\[0\] is already run 7 of the sweep \(id [0-9a-f]{12}\); remove it/,
    );
    expectFirst(
      yaml(...MINIMAL, ...axes, 'include:', '  - { dim: 8 }', '  - { dim: 8 }'),
      10,
      5,
      /include\[1\] is the same run as include\[0\]; remove one/,
    );
    expectFirst(
      yaml(
        ...MINIMAL,
        ...axes,
        'depends: { task.epochs: { on: dim, values: { 2: 1, 4: 2 } } }',
        'include:',
        '  - { dim: 8 }',
      ),
      10,
      5,
      /include\[0\] has dim 8, for which depends "task.epochs" gives no value; set "task.epochs" in it, or add 8 to depends/,
    );
    expectProblem(
      yaml(...MINIMAL, ...axes, 'include:', '  - { lr.cov: -1 }'),
      9,
      15,
      /"include\[0\].lr.cov" must be a number >= 0, received -1/,
    );
  });
});
