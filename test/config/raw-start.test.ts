import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { runsOf } from '../../src/plan/expand.js';
import { expectProblem, MINIMAL, writeExperiment, yaml } from './helpers.js';

describe('task.init_raw_scale', () => {
  it('starts from the raw parameter for parameterizations with a dim x dim raw block', () => {
    const e = loadExperiment(
      writeExperiment(
        yaml(
          ...MINIMAL,
          '  init_raw_scale: 0.02',
          'sweep:',
          '  parameterization: [full, tril, log-cholesky]',
        ),
      ),
    );
    expect(e.base.task.init_raw_scale).toBe(0.02);
  });

  it('leaves the run ids of files without it unchanged', () => {
    const without = runsOf([loadExperiment(writeExperiment(yaml(...MINIMAL)))]).map((r) => r.id);
    const withIt = runsOf([loadExperiment(writeExperiment(yaml(...MINIMAL, '  init_raw_scale: 0.02')))]).map(
      (r) => r.id,
    );
    expect(without[0]).not.toBe(withIt[0]);
    const config = runsOf([loadExperiment(writeExperiment(yaml(...MINIMAL)))])[0].config;
    expect(Object.keys(config.task)).not.toContain('init_raw_scale');
  });

  it('refuses a parameterization whose raw block is not a dim x dim matrix, where the option is', () => {
    expectProblem(
      yaml(...MINIMAL, '  init_raw_scale: 0.02', 'sweep:', '  parameterization: [tril, diag, lowrank]'),
      4,
      19,
      /"task.init_raw_scale" sets each raw covariance block to init_raw_scale \* I, but "diag", "lowrank" have raw blocks that are not a dim x dim matrix/,
    );
  });

  it('refuses a covariance start beside it', () => {
    expectProblem(
      yaml(...MINIMAL, '  init_cov_scale: 0.5', '  init_raw_scale: 0.02'),
      5,
      19,
      /"task.init_raw_scale" and "task.init_cov_scale" both say where runs start; keep one of them/,
    );
    expectProblem(
      yaml(
        'name: t',
        'task:',
        '  name: score-matching',
        '  init_covariance: [[1, 0], [0, 1]]',
        'sweep:',
        '  task.init_raw_scale: [0.1, 1]',
      ),
      6,
      24,
      /"task.init_raw_scale" and "task.init_covariance" both say/,
    );
  });

  it('must be positive', () => {
    expectProblem(yaml(...MINIMAL, '  init_raw_scale: 0'), 4, 19, /init_raw_scale/);
  });
});
