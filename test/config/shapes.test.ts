import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { expectFirst, MINIMAL, writeExperiment, yaml } from './helpers.js';

describe('list-valued task options sized by settings', () => {
  it('accepts lists that match units and dim', () => {
    const file = writeExperiment(
      yaml(
        ...MINIMAL,
        '  units: 3',
        '  means: [[0, 0, 0], [1, 1, 1], [2, 2, 2]]',
        'dim: 3',
        'sweep: {dim: [3], task.units: [3]}',
      ),
    );
    expect(loadExperiment(file).base.task.means).toHaveLength(3);
  });

  it('rejects a list whose length is not the setting that sizes it', () => {
    expectFirst(
      yaml(...MINIMAL, '  means: [[0, 0], [1, 1], [2, 2]]'),
      4,
      10,
      /"task.means" must have 2 items \("task.units" is 2\), received 3$/,
    );
    expectFirst(
      yaml(...MINIMAL, '  init_means:', '    - [0, 0]', '    - [1, 1, 1]'),
      6,
      7,
      /"task.init_means\[1\]" must have 2 items \("dim" is 2\), received 3$/,
    );
    expectFirst(
      yaml(...MINIMAL, '  covariances: [[[1, 0], [0, 1]], [[1, 0], [0]]]'),
      4,
      44,
      /"task.covariances\[1\]\[1\]" must have 2 items \("dim" is 2\), received 1$/,
    );
  });

  it('rejects sweeping a setting that sizes a fixed list', () => {
    expectFirst(
      yaml(...MINIMAL, '  means: [[0, 0], [1, 1]]', 'sweep: {dim: [2, 3]}'),
      4,
      10,
      /"task.means" has one fixed shape, but "dim" is swept; remove one of them$/,
    );
  });
});

describe('starting points', () => {
  it('checks init_mean and init_covariance (mle, score-matching) against dim', () => {
    const mle = ['name: t', 'task:', '  name: mle'];
    expect(
      loadExperiment(
        writeExperiment(yaml(...mle, '  init_mean: [1, 2]', '  init_covariance: [[2, 1], [1, 2]]')),
      ).base.task.init_covariance,
    ).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expectFirst(
      yaml(...mle, '  init_mean: [1, 2, 3]'),
      4,
      14,
      /"task.init_mean" must have 2 items \("dim" is 2\), received 3$/,
    );
    expectFirst(
      yaml('name: t', 'task:', '  name: score-matching', '  init_covariance: [[1, 0], [0]]'),
      4,
      29,
      /"task.init_covariance\[1\]" must have 2 items \("dim" is 2\), received 1$/,
    );
  });

  it('rejects covariances that are not symmetric positive definite, at the matrix', () => {
    expectFirst(
      yaml('name: t', 'task:', '  name: mle', '  init_covariance: [[1, 0], [0, -1]]'),
      4,
      20,
      /"task.init_covariance" is not positive definite \(its Cholesky factorisation fails\); give a matrix whose eigenvalues are all > 0$/,
    );
    expectFirst(
      yaml(...MINIMAL, '  init_covariances: [[[1, 0], [0, 1]], [[1, 0.5], [0.4, 1]]]'),
      4,
      40,
      /"task.init_covariances\[1\]" is not symmetric: \[1\]\[0\] is 0.4 but \[0\]\[1\] is 0.5; make it symmetric$/,
    );
    // The true categories too: sampling from them needs a covariance.
    expectFirst(
      yaml(...MINIMAL, '  covariances: [[[1, 0], [0, 1]], [[0, 0], [0, 0]]]'),
      4,
      35,
      /"task.covariances\[1\]" is not positive definite/,
    );
  });

  it('admits a learning rate of 0 (the group stays frozen), not below', () => {
    const e = loadExperiment(
      writeExperiment(yaml('name: t', 'task: {name: mle}', 'lr: {cov: 0, mean: 0.1}')),
    );
    expect(e.base.lr).toEqual({ cov: 0, mean: 0.1, weights: 0.01 });
    expectFirst(
      yaml(...MINIMAL, 'lr: {weights: -1}'),
      4,
      15,
      /"lr.weights" must be a number >= 0, received -1$/,
    );
  });
});
