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
