import { formatValue } from '../../ground/format.js';
import { settingAt } from '../../plan/expand.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import { wilson } from '../../results/stats.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
import type { Chart } from '../svg/model.js';
import { parameterizationColors } from './palette.js';

/**
 * The swept rate a failure-rate plot runs along: the summary's rows or columns when numeric (the
 * flagship's lr.cov), else the first numeric swept setting but seed; undefined when there is none.
 */
export function rateAxis(e: Experiment, results: readonly RunResult[]): string | undefined {
  const numeric = (p: string) =>
    p !== 'seed' &&
    p !== 'parameterization' &&
    settingValues(e, p, results).every((v) => typeof v === 'number');
  const candidates = [e.summary.rows, e.summary.columns, ...e.axes.map((a) => a.path)];
  return candidates.find(
    (p) => e.axes.some((a) => a.path === p) && numeric(p) && settingValues(e, p, results).length > 1,
  );
}

/** A point of the failure-rate plot: runs of one parameterization at one rate in one panel. */
export interface RatePoint {
  panel: string;
  parameterization: string;
  rate: number;
  failure: number;
  /** The 95% Wilson interval of `failure`. */
  low: number;
  high: number;
  runs: number;
}

/** The failure rate of each panel, parameterization and value of the swept rate `x`. */
export function failureRatePoints(e: Experiment, results: readonly RunResult[], x: string): RatePoint[] {
  const others = otherAxes(e, [x, 'parameterization']);
  return [...groupBy(results, ['task.name', ...others, 'parameterization', x]).values()].map((runs) => {
    const c = runs[0].config;
    const failed = runs.filter((r) => r.outcome !== 'ok').length;
    const { low, high } = wilson(failed, runs.length);
    return {
      panel: [c.task.name, describeSettings(c, others)].filter(Boolean).join(' · '),
      parameterization: c.parameterization,
      rate: settingAt(c, x) as number,
      failure: failed / runs.length,
      low,
      high,
      runs: runs.length,
    };
  });
}

/**
 * Failure rate against the swept rate: one line per parameterization, with its 95% Wilson interval
 * as a bar at each rate, on a log axis when the rates span a decade or more. One panel per value of
 * every other swept setting (seeds pooled: they are what the rate is over). The plot people draw by
 * hand beside the stability map. Undefined when nothing numeric is swept.
 */
export function failureRate(e: Experiment, results: readonly RunResult[]): Chart | undefined {
  const x = rateAxis(e, results);
  if (!x) return undefined;
  const data = failureRatePoints(e, results, x);
  const rates = data.map((d) => d.rate);
  const [min, max] = [rates.reduce((a, b) => Math.min(a, b)), rates.reduce((a, b) => Math.max(a, b))];
  const log = min > 0 && max / min >= 10;
  const params = settingValues(e, 'parameterization', results).map(formatValue);
  const colors = parameterizationColors(params);
  const panels = [...new Set(data.map((d) => d.panel))];
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
  return {
    columns: panels.length > 1 ? 2 : 1,
    sharedY: true,
    panels: panels.map((panel) => {
      const here = data.filter((d) => d.panel === panel);
      const series = params.filter((p) => here.some((d) => d.parameterization === p));
      const color = (p: string) => colors.get(p) ?? '#888';
      return {
        header: [panel],
        width: panels.length > 1 ? 360 : 560,
        height: 220,
        // One x scale for every panel, as the facet had.
        x: log
          ? { type: 'log', title: x, domain: [min, max], format: '~g', padding: 5 }
          : { type: 'linear', title: x, domain: [min, max], format: '~g', padding: 5 },
        y: { type: 'linear', title: 'failure rate', domain: [0, 1], nice: false, format: '.0%' },
        layers: [
          {
            marks: here.map((d) => ({
              type: 'rule' as const,
              x: d.rate,
              y: d.low,
              y2: d.high,
              stroke: color(d.parameterization),
              width: 1.5,
              opacity: 0.55,
            })),
          },
          {
            marks: series.map((p) => ({
              type: 'line' as const,
              points: here
                .filter((d) => d.parameterization === p)
                .sort((a, b) => a.rate - b.rate)
                .map((d): [number, number] => [d.rate, d.failure]),
              stroke: color(p),
              width: 2,
            })),
          },
          {
            marks: here.map((d) => ({
              type: 'symbol' as const,
              x: d.rate,
              y: d.failure,
              shape: 'circle' as const,
              size: 40,
              fill: color(d.parameterization),
              title: `${d.parameterization}, ${x} ${formatValue(d.rate)}: ${pct(d.failure)} of ${d.runs} runs failed (95% interval ${pct(d.low)} to ${pct(d.high)})`,
            })),
          },
        ],
      };
    }),
    legends: [
      {
        type: 'symbols',
        title: 'parameterization',
        entries: params.map((p) => ({ label: p, color: colors.get(p)!, symbol: 'stroke' as const })),
      },
    ],
  };
}
