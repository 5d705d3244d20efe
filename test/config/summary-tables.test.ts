import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { expectFirst, MINIMAL, writeExperiment, yaml } from './helpers.js';

const SWEPT = [...MINIMAL, 'sweep:', '  lr.cov: [1.0e-4, 1.0e-3]', '  dim: [2, 3]', '  seed: 3'];

describe('summary tables in the experiment file', () => {
  it('keeps the default: the failure rate by the summary rows and columns', () => {
    const e = loadExperiment(writeExperiment(yaml(...SWEPT)));
    expect(e.summary).toEqual({
      rows: 'lr.cov',
      columns: 'parameterization',
      tables: [{ rows: 'lr.cov', columns: 'parameterization', value: 'failure_rate' }],
    });
  });

  it('makes one table per value of a list, then the extra tables with the summary axes as defaults', () => {
    const e = loadExperiment(
      writeExperiment(
        yaml(
          ...SWEPT,
          'summary:',
          '  rows: lr.cov',
          '  columns: dim',
          '  value: [failure_rate, failure_step, cov_error]',
          '  tables:',
          '    - { value: singular_rate, rows: seed }',
          '    - { value: accuracy, columns: parameterization }',
        ),
      ),
    );
    expect(e.summary.tables).toEqual([
      { rows: 'lr.cov', columns: 'dim', value: 'failure_rate' },
      { rows: 'lr.cov', columns: 'dim', value: 'failure_step' },
      { rows: 'lr.cov', columns: 'dim', value: 'cov_error' },
      { rows: 'seed', columns: 'dim', value: 'singular_rate' },
      { rows: 'lr.cov', columns: 'parameterization', value: 'accuracy' },
    ]);
  });

  it('names an unknown statistic, with a suggestion', () => {
    expectFirst(
      yaml(...SWEPT, 'summary:', '  value: [failure_rate, failur_step]'),
      9,
      25,
      /"summary.value\[1\]" must be one of .*"failure_step".*received "failur_step"; did you mean "failure_step"\?/,
    );
  });

  it('checks the axes of extra tables where they are written', () => {
    expectFirst(
      yaml(...SWEPT, 'summary:', '  tables:', '    - { value: loss, rows: lr.mean }'),
      10,
      28,
      /summary.tables\[0\] rows "lr.mean" is not a swept setting; use one of "lr.cov", "dim", "seed" or "parameterization"$/,
    );
    expectFirst(
      yaml(...SWEPT, 'summary:', '  tables:', '    - { value: loss, rows: parameterization }'),
      10,
      28,
      /summary.tables\[0\] rows and columns are both "parameterization"/,
    );
    expectFirst(
      yaml(...SWEPT, 'summary:', '  tables:', '    - { rows: dim }'),
      10,
      7,
      /missing required key "value" in "summary.tables\[0\]"/,
    );
  });
});
