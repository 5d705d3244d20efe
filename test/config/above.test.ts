import { describe, it } from 'vitest';
import { expectFirst, yaml } from './helpers.js';

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
