import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { expand } from '../../src/plan/expand.js';
import { expectFirst, MINIMAL, yaml } from './helpers.js';

const load = (...lines: string[]) => parseExperiment(yaml(...MINIMAL, ...lines), 't.yaml');

describe('optimizer settings', () => {
  it('gives each optimizer its own options at their torch defaults', () => {
    expect(load('optimizer: {name: adam}').base.optimizer).toEqual({
      name: 'adam',
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
    });
    expect(load('optimizer: {name: rmsprop, alpha: 0.9}').base.optimizer).toEqual({
      name: 'rmsprop',
      alpha: 0.9,
      eps: 1e-8,
    });
    // sgd's momentum is the task's (seed 000: 0.3) unless the file sets it.
    expect(load().base.optimizer).toEqual({ name: 'sgd', momentum: 0.3, nesterov: false });
  });

  it('keeps the ids of sgd runs as they were before other optimizers existed', () => {
    // Ids computed by covsweep at e20825d, when sgd was the only optimizer.
    const ids = (text: string) => [...expand(parseExperiment(text, 't.yaml'))].map((r) => r.id);
    expect(
      ids(
        yaml(
          ...MINIMAL,
          'optimizer: {momentum: 0.5}',
          'sweep:',
          '  optimizer.nesterov: [false, true]',
          '  parameterization: [full, tril]',
        ),
      ),
    ).toEqual(['93220ab88a99', 'd839948c3099', '58b8f73fa0e5', '285bdb711b9c']);
    expect(ids(yaml('name: t', 'task: {name: score-matching}'))).toEqual(['0d1646c4eb26']);
  });

  it('sweeps optimizer.name, each run with its optimizer settings and only those', () => {
    const configs = (...lines: string[]) => [...expand(load(...lines))].map((r) => r.config.optimizer);
    expect(
      configs('optimizer: {momentum: 0.5, beta2: 0.99}', 'sweep: {optimizer.name: [sgd, adam, rmsprop]}'),
    ).toEqual([
      { name: 'sgd', momentum: 0.5, nesterov: false },
      { name: 'adam', beta1: 0.9, beta2: 0.99, eps: 1e-8 },
      { name: 'rmsprop', alpha: 0.99, eps: 1e-8 },
    ]);
    // An option every swept optimizer has may be swept with them.
    expect(
      configs('sweep:', '  optimizer.name: [adam, rmsprop]', '  optimizer.eps: [1.0e-8, 1.0e-6]'),
    ).toEqual([
      { name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 },
      { name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-6 },
      { name: 'rmsprop', alpha: 0.99, eps: 1e-8 },
      { name: 'rmsprop', alpha: 0.99, eps: 1e-6 },
    ]);
  });
});

describe('optimizer problems', () => {
  it('rejects an option of another optimizer, at its key', () => {
    expectFirst(
      yaml(...MINIMAL, 'optimizer:', '  name: sgd', '  beta1: 0.8'),
      6,
      3,
      /"optimizer.beta1" is an option of "adam", but the optimizer is "sgd"; set "optimizer.name: adam" or remove "beta1"$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'optimizer: {alpha: 0.9}', 'sweep:', '  optimizer.name: [sgd, adam]'),
      4,
      13,
      /"optimizer.alpha" is an option of "rmsprop", but the sweep's optimizers are "sgd" and "adam"; sweep "rmsprop" too or remove "alpha"$/,
    );
  });

  it('rejects a swept option that some swept optimizer lacks (its runs would repeat)', () => {
    expectFirst(
      yaml(...MINIMAL, 'sweep:', '  optimizer.name: [sgd, adam]', '  optimizer.momentum: [0, 0.5]'),
      6,
      3,
      /sweep axis "optimizer.momentum" varies an option of "sgd", but the sweep's optimizers are "sgd" and "adam"; the runs of "adam" would repeat; sweep "optimizer.momentum" in an experiment of "sgd" alone$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'optimizer: {name: adam}', 'sweep:', '  optimizer.nesterov: [false, true]'),
      6,
      3,
      /sweep axis "optimizer.nesterov" varies an option of "sgd", but the optimizer is "adam"; set "optimizer.name: sgd" or remove the axis$/,
    );
  });

  it('checks option values and names against the schema', () => {
    expectFirst(
      yaml(...MINIMAL, 'optimizer: {name: adam, beta2: 1}'),
      4,
      32,
      /"optimizer.beta2" must be a number >= 0 and < 1, received 1$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'optimizer: {name: rmsprop, eps: 0}'),
      4,
      33,
      /"optimizer.eps" must be a number > 0, received 0/,
    );
    expectFirst(
      yaml(...MINIMAL, 'optimizer: {name: adamw}'),
      4,
      19,
      /"optimizer.name" must be one of "sgd", "adam" or "rmsprop", received "adamw"; did you mean "adam"\?$/,
    );
  });
});
