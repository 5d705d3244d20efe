import type { TopLevelSpec } from 'vega-lite';
import { type FrontierExperiment, frontierRows } from '../../frontier/summary.js';
import { formatValue } from '../../ground/format.js';
import type { RunResult } from '../../types.js';
import { otherAxes } from '../panels.js';
import { CATEGORICAL } from './palette.js';

/** The setting along the plot's x axis: dim when swept (the question is how the frontier scales), else the first other. */
function xAxis(e: FrontierExperiment): string | undefined {
  const swept = e.axes.map((a) => a.path).filter((p) => p !== 'seed');
  return swept.includes('dim') ? 'dim' : (swept.find((p) => p !== 'parameterization') ?? swept[0]);
}

/**
 * The frontier: median critical value (log axis) over dim, one line per parameterization, with the
 * 10-90% range over seeds as a bar. A frontier beyond the searched range is drawn at the bound it
 * passed, as a triangle pointing past it. One panel per value of any other swept setting.
 * Undefined when no search has finished a round.
 */
export function frontierPlot(e: FrontierExperiment, results: readonly RunResult[]): TopLevelSpec | undefined {
  const rows = frontierRows(e, results);
  const x = xAxis(e);
  if (!rows.length || !x) return undefined;
  const { min, max, setting } = e.frontier;
  const series = x !== 'parameterization' && e.axes.some((a) => a.path === 'parameterization');
  const others = otherAxes(e, [x, 'parameterization']);
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  const data = rows.map((r) => {
    const at = new Map(r.settings);
    return {
      panel: others.map((p) => `${p} ${formatValue(at.get(p))}`).join(' · '),
      x: x === 'dim' ? Number(at.get(x)) : formatValue(at.get(x)),
      series: series ? String(at.get('parameterization')) : setting,
      median: clamp(r.median),
      p10: clamp(r.p10),
      p90: clamp(r.p90),
      found:
        r.median === Number.NEGATIVE_INFINITY
          ? `below ${formatValue(min)}`
          : r.median === Number.POSITIVE_INFINITY
            ? `${formatValue(max)} or above`
            : 'within the range',
    };
  });
  const seriesOrder = [...new Set(data.map((d) => d.series))];
  const panels = [...new Set(data.map((d) => d.panel))];
  const dims = [...new Set(data.map((d) => d.x))];
  const xEncoding =
    x === 'dim'
      ? // Dimensions double in a typical sweep: a log2 axis spaces them evenly.
        ({
          field: 'x',
          type: 'quantitative',
          title: x,
          scale: { type: 'log', base: 2, nice: false, padding: 12 },
          axis: { values: dims as number[] },
        } as const)
      : ({ field: 'x', type: 'ordinal', title: x, sort: dims as string[], axis: { labelAngle: 0 } } as const);
  const color = {
    field: 'series',
    type: 'nominal',
    title: series ? 'parameterization' : null,
    sort: seriesOrder,
    scale: seriesOrder.length > CATEGORICAL.length ? { scheme: 'tableau20' } : { range: CATEGORICAL },
  } as const;
  const y = {
    field: 'median',
    type: 'quantitative' as const,
    title: `critical ${setting}`,
    scale: { type: 'log' as const, domain: [min, max] },
    axis: { format: '~g' },
  };
  return {
    data: { values: data },
    facet: { field: 'panel', type: 'nominal', sort: panels, title: null },
    columns: Math.min(3, panels.length),
    spec: {
      width: panels.length > 1 ? 260 : 520,
      height: 260,
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2, opacity: 0.35 },
          encoding: { x: xEncoding, y: { ...y, field: 'p10' }, y2: { field: 'p90' }, color },
        },
        { mark: { type: 'line', strokeWidth: 1.6 }, encoding: { x: xEncoding, y, color } },
        {
          mark: { type: 'point', filled: true, size: 50 },
          encoding: {
            x: xEncoding,
            y,
            color,
            shape: {
              field: 'found',
              type: 'nominal',
              title: 'median',
              scale: {
                domain: ['within the range', `below ${formatValue(min)}`, `${formatValue(max)} or above`],
                range: ['circle', 'triangle-down', 'triangle-up'],
              },
            },
          },
        },
      ],
    },
  };
}
