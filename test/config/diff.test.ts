import { describe, expect, it } from 'vitest';
import { experimentChanges } from '../../src/config/diff.js';
import { parseExperiment } from '../../src/config/load.js';
import { yaml } from './helpers.js';

const experiment = (...lines: string[]) =>
  parseExperiment(yaml('name: t', 'task: {name: mvn-classifier, epochs: 2}', ...lines), 't.yaml');

describe('experimentChanges', () => {
  const before = experiment('sweep:', '  lr.cov: [1.0e-3, 1.0e-2]', '  seed: 3');

  it('is empty when the runs are the same, however the file is written', () => {
    const same = parseExperiment(
      yaml(
        '# a comment',
        'description: other words',
        'name: t',
        'task:',
        '  epochs: 2',
        '  name: mvn-classifier',
        'sweep:',
        '  seed: [0, 1, 2]',
        '  lr.cov: [0.001, 0.01]',
      ),
      'moved.yaml',
    );
    expect(experimentChanges(before, same)).toEqual([]);
  });

  it('names each changed setting with its values before and after, and the run counts', () => {
    const after = experiment('lr: {mean: 0.005}', 'sweep:', '  lr.cov: [1.0e-3, 3.0e-2]', '  seed: 3');
    expect(experimentChanges(before, after)).toEqual([
      'lr.cov: [0.001, 0.01] -> [0.001, 0.03]',
      'lr.mean: 0.002 -> 0.005',
      'runs: 6 -> 6 (0 in both)',
    ]);
    const more = experiment('sweep:', '  lr.cov: [1.0e-3, 1.0e-2]', '  seed: 10');
    expect(experimentChanges(before, more)).toEqual([
      'seed: [0, 1, 2] -> [0, 1, 2, 3, 4, ... (10 values)]',
      'runs: 6 -> 20 (6 in both)',
    ]);
  });

  it('names a renamed experiment', () => {
    const renamed = parseExperiment(
      yaml(
        'name: u',
        'task: {name: mvn-classifier, epochs: 2}',
        'sweep:',
        '  lr.cov: [1.0e-3, 1.0e-2]',
        '  seed: 3',
      ),
      'u.yaml',
    );
    expect(experimentChanges(before, renamed)).toEqual(['name: t -> u']);
  });
});
