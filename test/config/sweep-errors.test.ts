import { describe, expect, it } from 'vitest';
import { expectFirst, MINIMAL, yaml } from './helpers.js';

const sweep = (...axes: string[]) => yaml(...MINIMAL, 'sweep:', ...axes.map((a) => `  ${a}`));

describe('sweep problems', () => {
  it('rejects an unknown parameterization in a sweep list, at the item', () => {
    expectFirst(
      sweep('parameterization: [full, cholesky]'),
      5,
      28,
      /"sweep.parameterization\[1\]" must be one of "full", "full-jitter", "tril", .* or "full-clip", received "cholesky"$/,
    );
  });

  it('rejects lr.cov < 0 in a list, logspace bounds <= 0, and a linspace that generates lr.cov < 0', () => {
    expectFirst(sweep('lr.cov: [0.1, -1]'), 5, 17, /"sweep.lr.cov\[1\]" must be a number >= 0, received -1$/);
    expectFirst(
      sweep('lr.cov: {logspace: [-1, 1, 3]}'),
      5,
      23,
      /"sweep.lr.cov.logspace\[0\]" must be a number > 0, received -1$/,
    );
    expectFirst(
      sweep('lr.cov: {linspace: [-1, 1, 3]}'),
      5,
      11,
      /sweep axis "lr.cov" generates -1, but "lr.cov" must be a number >= 0; change the linspace$/,
    );
  });

  it('checks generated values against integer settings too', () => {
    expectFirst(
      sweep('dim: {linspace: [2, 3, 3]}'),
      5,
      8,
      /sweep axis "dim" generates 2.5, but "dim" must be an integer >= 1 and <= 256/,
    );
  });

  it('rejects an empty axis', () => {
    expectFirst(sweep('dim: []'), 5, 8, /sweep axis "dim" is empty; give at least one value$/);
    expectFirst(sweep('dim: {range: [9, 2]}'), 5, 8, /sweep axis "dim" is empty; give at least one value/);
    expectFirst(sweep('dim: {range: [2, 9, 0]}'), 5, 8, /sweep axis "dim" has range step 0/);
  });

  it('rejects paths that are not settable', () => {
    expectFirst(
      sweep('lr.foo: [1]'),
      5,
      3,
      /cannot sweep "lr.foo": no such setting; did you mean "lr.cov"\?$/,
    );
    expectFirst(
      sweep('task.name: [score-matching]'),
      5,
      3,
      /cannot sweep "task.name": .*write one experiment per task, as YAML documents of one file separated by "---"$/,
    );
    expectFirst(sweep('name: [a, b]'), 5, 3, /cannot sweep "name"/);
    expectFirst(
      sweep('task.means: [1]'),
      5,
      3,
      /cannot sweep "task.means": only settings holding one number, string or boolean/,
    );
    expectFirst(
      sweep('task.n_data: [1]'),
      5,
      3,
      /cannot sweep "task.n_data": task "mvn-classifier" has no option "n_data"; sweepable: parameterization, /,
    );
    expectFirst(
      sweep('lr: [1]'),
      5,
      3,
      /cannot sweep "lr" as a whole; sweep its settings: "lr.cov", "lr.mean" or "lr.weights"$/,
    );
  });

  it('rejects axes that are neither a list nor a generator', () => {
    expectFirst(
      sweep('lr.cov: 0.1'),
      5,
      11,
      /sweep axis "lr.cov" must be a list of values, \{range: .*\{logspace: \[a, b, n\]\}, received 0.1$/,
    );
    expectFirst(sweep('seed: 0'), 5, 9, /sweep axis "seed" must be an integer >= 1, received 0$/);
    expectFirst(
      sweep('dim: {logspce: [1, 2, 3]}'),
      5,
      9,
      /unknown key "logspce" in "sweep.dim"; did you mean "logspace"\?$/,
    );
  });

  it('rejects repeated values', () => {
    expectFirst(
      sweep('optimizer.nesterov: [true, true]'),
      5,
      23,
      /sweep axis "optimizer.nesterov" has true more than once; list each value once$/,
    );
  });

  it('rejects a sweep larger than max_runs, saying how to raise it, before expanding it', () => {
    const start = performance.now();
    const error = expectFirst(
      sweep('seed: 1000', 'lr.cov: {logspace: [1.0e-5, 1, 1000000000]}'),
      5,
      3,
      /the sweep expands to 1000000000000 runs \(seed 1000 x lr.cov 1000000000\), more than max_runs \(100000\); .*set "max_runs: 1000000000000"/,
    );
    expect(performance.now() - start).toBeLessThan(2000);
    expect(error.problems).toHaveLength(1);
    expectFirst(
      yaml(...MINIMAL, 'max_runs: 10', 'sweep:', '  seed: 11'),
      6,
      3,
      /expands to 11 runs .*more than max_runs \(10\)/,
    );
  });

  it('requires summary rows and columns to be swept (or seed/parameterization)', () => {
    expectFirst(
      yaml(...MINIMAL, 'sweep:', '  dim: [2, 3]', 'summary:', '  rows: lr.cov'),
      7,
      9,
      /summary rows "lr.cov" is not a swept setting; use one of "dim", "seed" or "parameterization"$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'sweep: {dim: [2, 3]}', 'summary: {columns: dmi}'),
      5,
      20,
      /summary columns "dmi" is not a swept setting; did you mean "dim"\?$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'summary: {rows: seed, columns: seed}'),
      4,
      17,
      /summary rows and columns are both "seed"/,
    );
  });
});
