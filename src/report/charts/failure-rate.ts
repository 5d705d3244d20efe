import type { TopLevelSpec } from 'vega-lite';
import { formatValue } from '../../ground/format.js';
import { settingAt } from '../../plan/expand.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import { wilson } from '../../results/stats.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
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

/**
 * Failure rate against the swept rate: one line per parameterization, with its 95% Wilson interval
 * as a bar at each rate, on a log axis when the rates span a decade or more. One panel per value of
 * every other swept setting (seeds pooled: they are what the rate is over). The plot people draw by
 * hand beside the stability map. Undefined when nothing numeric is swept.
 */
export function failureRate(e: Experiment, results: readonly RunResult[]): TopLevelSpec | undefined {
  const x = rateAxis(e, results);
  if (!x) return undefined;
  const others = otherAxes(e, [x, 'parameterization']);
  const data = [...groupBy(results, ['task.name', ...others, 'parameterization', x]).values()].map((runs) => {
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
  const rates = data.map((d) => d.rate);
  const [min, max] = [rates.reduce((a, b) => Math.min(a, b)), rates.reduce((a, b) => Math.max(a, b))];
  const log = min > 0 && max / min >= 10;
  const params = settingValues(e, 'parameterization', results).map(formatValue);
  const panels = [...new Set(data.map((d) => d.panel))];
  const xEnc = {
    field: 'rate',
    type: 'quantitative',
    title: x,
    scale: log ? ({ type: 'log' } as const) : ({ zero: false } as const),
    axis: { format: '~g' },
  } as const;
  const color = parameterizationColors(params);
  const y = {
    field: 'failure',
    type: 'quantitative' as const,
    title: 'failure rate',
    scale: { domain: [0, 1] },
    axis: { format: '.0%' },
  };
  return {
    data: { values: data },
    facet: { field: 'panel', type: 'nominal', sort: panels, title: null },
    columns: panels.length > 1 ? 2 : 1,
    spec: {
      width: panels.length > 1 ? 360 : 560,
      height: 220,
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.55 },
          encoding: { x: xEnc, y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
        },
        {
          mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 40 } },
          encoding: {
            x: xEnc,
            y,
            color: { ...color, legend: { symbolType: 'stroke', symbolStrokeWidth: 2.5 } },
          },
        },
      ],
    },
  };
}
