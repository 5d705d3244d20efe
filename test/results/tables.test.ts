import { describe, expect, it } from 'vitest';
import { pivotCsv, pivotFileNames, pivotMarkdown, summaryMarkdown } from '../../src/report/markdown.js';
import { AGGREGATES } from '../../src/results/aggregate.js';
import { parseResultLine, resultLine } from '../../src/results/jsonl.js';
import { pivot } from '../../src/results/pivot.js';
import { reasonGroups } from '../../src/results/reasons.js';
import type { RunResult } from '../../src/types.js';
import { experiment, made } from './fixtures.js';

const e = experiment();

describe('cell statistics', () => {
  it('writes a failure rate as count, share and 95% Wilson interval in whole percent', () => {
    const runs = Array.from({ length: 10 }, (_, seed) =>
      made(e, { seed, outcome: seed < 7 ? 'singular' : 'ok' }),
    );
    const cell = AGGREGATES.failure_rate.of(runs);
    expect(cell.text).toBe('7/10 = 70% [40-89]');
    expect(cell.rate).toBe(0.7);
    expect(cell.csv).toEqual([
      7,
      0.7,
      expect.closeTo(0.39677814746114526, 12),
      expect.closeTo(0.892208732593699, 12),
    ]);
    expect(AGGREGATES.singular_rate.of(runs).text).toBe('7/10 = 70% [40-89]');
    expect(AGGREGATES.diverged_rate.of(runs).text).toBe('0/10 = 0% [0-28]');
    expect(AGGREGATES.ok_rate.of(runs).text).toBe('3/10 = 30% [11-60]');
  });

  it('takes medians over the runs they apply to and says how many when not all', () => {
    const runs = [
      made(e, { seed: 0, outcome: 'singular', step: 8 }),
      made(e, { seed: 1, outcome: 'diverged', step: 21 }),
      made(e, { seed: 2, outcome: 'ok', loss: 0.5, metrics: { accuracy: 0.9 } }),
    ];
    expect(AGGREGATES.failure_step.of(runs).text).toBe('15 (n=2)');
    // Final numbers of failed runs come from a broken state: only runs that ended ok count.
    expect(AGGREGATES.loss.of(runs).text).toBe('0.5 (n=1)');
    expect(AGGREGATES.accuracy.of(runs)).toEqual({ text: '0.9 (n=1)', csv: [1, 0.9] });
    expect(AGGREGATES.failure_step.of([runs[2]])).toEqual({ text: '-', csv: [0, undefined] });
  });
});

describe('pivot tables', () => {
  // tril at lr 1e-2 has no runs at all; log-cholesky is absent.
  const results = [
    made(e, { parameterization: 'full', lr: 1e-4, seed: 0 }),
    made(e, { parameterization: 'full', lr: 1e-4, seed: 1, outcome: 'singular' }),
    made(e, { parameterization: 'full', lr: 1e-2, seed: 0, outcome: 'singular' }),
    made(e, { parameterization: 'tril', lr: 1e-4, seed: 0 }),
  ];
  const p = pivot(e, results, { rows: 'lr.cov', columns: 'parameterization', value: 'failure_rate' });

  it('lists rows and columns in sweep order and leaves cells without runs blank, not zero', () => {
    expect(pivotMarkdown(p)).toBe(
      [
        '| lr.cov \\ parameterization | full | tril | log-cholesky |',
        '| --- | --- | --- | --- |',
        '| 1e-4 | 1/2 = 50% [9-91] | 0/1 = 0% [0-79] |  |',
        '| 0.01 | 1/1 = 100% [21-100] |  |  |',
      ].join('\n'),
    );
  });

  it('writes one CSV line per cell, blank numbers and 0 runs where there are none', () => {
    const lines = pivotCsv(p).trim().split('\n');
    expect(lines[0]).toBe('lr_cov,parameterization,runs,failed,failure_rate,ci_low,ci_high');
    expect(lines[1]).toMatch(/^0\.0001,full,2,1,0\.5,0\.09\d+,0\.90\d+$/);
    expect(lines).toContain('0.01,tril,0,,,,');
    expect(lines).toHaveLength(7);
  });

  it('names table files by statistic and axes, uniquely', () => {
    const spec = { rows: 'lr.cov', columns: 'parameterization', value: 'loss' } as const;
    expect(pivotFileNames([spec, { ...spec, value: 'failure_rate' }, spec])).toEqual([
      'loss-lr.cov-parameterization.csv',
      'failure_rate-lr.cov-parameterization.csv',
      'loss-lr.cov-parameterization-2.csv',
    ]);
  });
});

describe('failure reasons', () => {
  it('groups failed runs by outcome and failure kind, most first, with the first run as example', () => {
    const rs = [
      made(e, {
        seed: 0,
        outcome: 'singular',
        kind: 'cholesky',
        reason: 'cholesky failed for unit 2 at step 8: pivot 1 = -0.01',
      }),
      made(e, {
        seed: 1,
        outcome: 'diverged',
        kind: 'non-finite-loss',
        reason: 'loss non-finite at step 9: NaN',
      }),
      made(e, {
        seed: 2,
        outcome: 'singular',
        kind: 'cholesky',
        reason: 'cholesky failed for unit 1 at step 80: pivot 2 = -3e-5',
      }),
      made(e, { seed: 3 }),
    ];
    expect(reasonGroups(rs)).toEqual([
      {
        outcome: 'singular',
        kind: 'cholesky',
        runs: 2,
        example: rs[0].id,
        exampleReason: 'cholesky failed for unit 2 at step 8: pivot 1 = -0.01',
      },
      {
        outcome: 'diverged',
        kind: 'non-finite-loss',
        runs: 1,
        example: rs[1].id,
        exampleReason: 'loss non-finite at step 9: NaN',
      },
    ]);
  });

  it('reads a failure kind into results written before kinds, from the reason as the engine worded it', () => {
    const old = (outcome: string, reason: string) => {
      const { kind: _, ...r } = made(e, { outcome: 'singular', reason }) as RunResult & { kind?: string };
      return parseResultLine(resultLine({ ...r, outcome } as RunResult));
    };
    const kinds = [
      old('singular', 'cholesky failed for unit 2 at step 8: pivot 1 = -0.01'),
      old('singular', 'factor diagonal not positive at step 4: L[2,2] = NaN'),
      old('singular', 'factor overflowed at step 7: L[1,1] = Infinity'),
      old('singular', 'covariance ill-conditioned at step 3: condition number >= 1.0e+7 (limit 8.4e+6)'),
      old('diverged', 'loss non-finite at step 1: Infinity'),
      old('diverged', 'loss beyond 1.0e+8 at step 1: 2.0e+8'),
      old('diverged', 'parameters non-finite or beyond 1.0e+8 at step 1'),
      old('timeout', 'time limit of 1 s reached at step 9'),
      old('error', 'unknown task "poison"'),
      old('diverged', 'something new'),
    ].map((r) => (r.outcome === 'ok' ? 'ok' : r.kind));
    expect(kinds).toEqual([
      'cholesky',
      'factor-diagonal',
      'overflow',
      'condition',
      'non-finite-loss',
      'loss-bound',
      'parameter-bound',
      'timeout',
      'exception',
      'unknown',
    ]);
    // A recorded kind is kept as written, whatever the reason says.
    const recorded = made(e, { outcome: 'diverged', kind: 'loss-bound', reason: 'cholesky failed' });
    expect(parseResultLine(resultLine(recorded))).toEqual(recorded);
  });
});

describe('summary.md', () => {
  it('has every table the experiment asks for, outcomes and reasons', () => {
    const e2 = experiment(
      'summary: { rows: lr.cov, value: [failure_rate, failure_step], tables: [{ rows: seed, value: loss }] }',
    );
    const md = summaryMarkdown(
      e2,
      [made(e2, { outcome: 'singular', kind: 'condition', reason: 'x at step 2' }), made(e2, { seed: 1 })],
      'now',
    );
    expect(md).toContain('## Failure rate by lr.cov and parameterization');
    expect(md).toContain('## Median step of failure by lr.cov and parameterization');
    expect(md).toContain('## Median final loss (runs ended ok) by seed and parameterization');
    expect(md).toContain('| singular | condition | 1 |');
    expect(md).toContain('## Runs by outcome');
  });

  it('shows dead units by the column setting when runs report them, and nothing when none does', () => {
    const e2 = experiment();
    const dead = (parameterization: string, steps: number, outcome: 'ok' | 'singular' = 'ok') =>
      made(e2, { parameterization, outcome, reason: 'x at step 2', metrics: { dead_unit_steps: steps } });
    const md = summaryMarkdown(
      e2,
      [dead('full', 0), dead('full', 12, 'singular'), dead('tril', 0), dead('tril', 0), dead('tril', 3)],
      'now',
    );
    expect(md).toContain('## Dead units');
    expect(md).toContain('|  | full | tril | log-cholesky | all |');
    // full: 1 of 2 (the failed run counts too: the hazard came before the ending); medians 6 and 0.
    expect(md).toMatch(
      /\| Share of runs with a dead unit \| 1\/2 = 50% \[\d+-\d+\] \| 1\/3 = 33% \[\d+-\d+\] \| {2}\| 2\/5 = 40% /,
    );
    expect(md).toContain('| Median dead unit-steps | 6 | 0 |  | 0 |');
    expect(summaryMarkdown(e2, [made(e2, {})], 'now')).not.toContain('Dead units');
  });
});
