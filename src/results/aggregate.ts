import { formatValue } from '../ground/format.js';
import type { AggregateName, Outcome } from '../ground/vocabulary.js';
import type { RunResult } from '../types.js';
import { median, wilson } from './stats.js';

/** One table cell's statistic over its runs (never empty: a cell without runs has no value). */
export interface CellValue {
  /** What the Markdown and HTML tables show. */
  text: string;
  /** The cell's numbers for tables/*.csv, in the order of `Aggregate.csv`; undefined is blank. */
  csv: (number | undefined)[];
  /** A proportion in [0, 1] (rates only): shading and the stability map. */
  rate?: number;
}

/** A statistic a summary table can show in each cell. */
export interface Aggregate {
  /** Table heading. */
  title: string;
  /** How to read a cell, printed under the table. */
  about: string;
  /** CSV column names of the statistic (after the cell's settings and its run count). */
  csv: string[];
  of(runs: readonly RunResult[]): CellValue;
}

/** "7/10 = 70% [40-89]": count, share and its 95% Wilson interval, in whole percent. */
function share(k: number, n: number): CellValue {
  const { low, high } = wilson(k, n);
  const pct = (x: number) => Math.round(100 * x);
  return {
    text: `${k}/${n} = ${pct(k / n)}% [${pct(low)}-${pct(high)}]`,
    csv: [k, k / n, low, high],
    rate: k / n,
  };
}

/** A share of runs: `count` names the CSV column of the count, `rate` the share's. */
function rateOf(title: string, count: string, rate: string, counts: (r: RunResult) => boolean): Aggregate {
  return {
    title,
    about: `${count}/runs = share [95% Wilson interval], in percent.`,
    csv: [count, rate, 'ci_low', 'ci_high'],
    of: (runs) => share(runs.filter(counts).length, runs.length),
  };
}

const outcomeRate = (o: Outcome) =>
  rateOf(`Share of runs ending ${o}`, o, `${o}_rate`, (r) => r.outcome === o);

/**
 * The median of `pick` over the runs it applies to, with their count when that is not every run
 * of the cell; "-" when none does (the cell has runs, so it is not blank).
 */
function medianOf(
  title: string,
  about: string,
  name: string,
  pick: (r: RunResult) => number | undefined,
  show: (v: number) => string = formatValue,
): Aggregate {
  return {
    title,
    about: `${about} "(n=k)": only k of the cell's runs count; "-": none does.`,
    csv: ['n', name],
    of(runs) {
      const values = runs.map(pick).filter((v): v is number => v !== undefined && !Number.isNaN(v));
      if (values.length === 0) return { text: '-', csv: [0, undefined] };
      const m = median(values);
      const n = values.length < runs.length ? ` (n=${values.length})` : '';
      return { text: `${show(m)}${n}`, csv: [values.length, m] };
    },
  };
}

/** Medians of final numbers are taken over runs that ended ok: a failed run's are from a broken state. */
const okMetric = (name: string, what: string, definition = what) =>
  medianOf(`Median ${what} (runs ended ok)`, `Median ${definition} of the runs that ended ok.`, name, (r) =>
    r.outcome === 'ok' ? r.metrics[name] : undefined,
  );

/** Every statistic a table can show, by its name in src/ground/vocabulary.ts. */
export const AGGREGATES = {
  failure_rate: rateOf('Failure rate', 'failed', 'failure_rate', (r) => r.outcome !== 'ok'),
  ok_rate: outcomeRate('ok'),
  singular_rate: outcomeRate('singular'),
  diverged_rate: outcomeRate('diverged'),
  error_rate: outcomeRate('error'),
  timeout_rate: outcomeRate('timeout'),
  failure_step: medianOf(
    'Median step of failure',
    'Median step at which the failed runs failed.',
    'failure_step',
    (r) => (r.outcome === 'ok' ? undefined : r.step),
    (s) => String(Math.round(s)),
  ),
  loss: medianOf(
    'Median final loss (runs ended ok)',
    'Median final loss of the runs that ended ok.',
    'loss',
    (r) => (r.outcome === 'ok' ? r.loss : undefined),
  ),
  accuracy: okMetric('accuracy', 'training accuracy'),
  mean_error: okMetric('mean_error', 'mean error', '||mu - mu_true||'),
  cov_error: okMetric('cov_error', 'covariance error', '||Sigma - Sigma_true||_F'),
  opt_mean_error: okMetric('opt_mean_error', 'mean error to the optimum', '||mu - sample mean||'),
  opt_cov_error: okMetric(
    'opt_cov_error',
    'covariance error to the optimum',
    '||Sigma - 1/N sample covariance||_F',
  ),
  // Dead units are a hazard on the way, whatever the ending: these count every run that reports them.
  dead_unit_rate: rateOf(
    'Share of runs with a dead unit',
    'with_dead_units',
    'dead_unit_rate',
    (r) => (r.metrics.dead_unit_steps ?? 0) > 0,
  ),
  dead_unit_steps: medianOf(
    'Median dead unit-steps',
    'Median count of (unit, trial) pairs whose float32 activation exp(log p) underflowed to 0 (mvn-classifier).',
    'dead_unit_steps',
    (r) => r.metrics.dead_unit_steps,
    (s) => String(Math.round(s)),
  ),
} satisfies Record<AggregateName, Aggregate>;
