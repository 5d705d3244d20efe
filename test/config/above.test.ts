import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { expectFirst, writeExperiment, yaml } from './helpers.js';

const scoreMatching = (...lines: string[]) => yaml('name: t', 'task:', '  name: score-matching', ...lines);

describe('settings that must exceed another', () => {
  it('rejects score matching with n_data <= dim, at n_data', () => {
    expectFirst(
      scoreMatching('  n_data: 4', 'dim: 4'),
      4,
      11,
      /"task.n_data" is 4 but "dim" is 4; task "score-matching" needs task.n_data > dim: the sample covariance .* is singular.*; raise task.n_data or lower dim$/,
    );
  });

  it('points at dim when n_data is the default, and names the sweep extremes', () => {
    expectFirst(scoreMatching('dim: 64'), 4, 6, /"task.n_data" is 50 but "dim" is 64;/);
    expectFirst(
      scoreMatching('  n_data: 10', 'sweep:', '  dim: [2, 4, 16]'),
      4,
      11,
      /"task.n_data" is 10 but "dim" goes up to 16;/,
    );
    expectFirst(
      scoreMatching('dim: 3', 'sweep:', '  task.n_data: [3, 100]'),
      6,
      16,
      /"task.n_data" goes down to 3 but "dim" is 3;/,
    );
  });

  // Math.min(...values) over a 300k-value range overflowed the call stack.
  it('checks a swept range of 300k values', () => {
    expectFirst(
      scoreMatching('dim: 4', 'max_runs: 1000000', 'sweep:', '  task.n_data: {range: [4, 300004]}'),
      7,
      16,
      /"task.n_data" goes down to 4 but "dim" is 4;/,
    );
  });
});

describe('data a run would hold', () => {
  it('refuses n_per_class: 1e8 when the file is validated, at the setting', () => {
    expectFirst(
      yaml('name: t', 'task:', '  name: mvn-classifier', '  n_per_class: 100000000'),
      4,
      16,
      /a run would hold 4.00e\+8 numbers of data \(task.n_per_class 100000000 x task.units 2 x dim 2\), more than 16777216 \(192 MB\); lower task.n_per_class$/,
    );
  });

  it('takes the largest swept value, and lets data just under the limit pass', () => {
    expectFirst(
      yaml('name: t', 'task: {name: mle}', 'dim: 16', 'sweep:', '  task.n_data: [100, 2000000]'),
      5,
      16,
      /a run would hold 3.20e\+7 numbers .*task.n_data 2000000 x dim 16.*; lower task.n_data$/,
    );
    const file = writeExperiment(yaml('name: t', 'task: {name: mle, n_data: 1000000}', 'dim: 16'));
    expect(loadExperiment(file).base.task.n_data).toBe(1_000_000);
  });

  it('refuses a description longer than 10000 characters', () => {
    expectFirst(
      yaml('name: t', 'task: {name: mle}', `description: ${'x'.repeat(10_001)}`),
      3,
      14,
      /"description" has 10001 characters, more than 10000;/,
    );
  });
});
