import type { TopLevelSpec } from 'vega-lite';
import { formatValue } from '../../ground/format.js';
import { settingAt } from '../../plan/expand.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
import { bands, MAX_PANELS, panelsNote, sortBy } from './limits.js';

/**
 * Failure rate over the experiment's two main axes (summary rows x columns) as a heatmap, one
 * panel per task and per value of any other swept setting (seeds are pooled: they are the
 * replicates the rate is over). Each cell is labelled failed/runs; cells without runs stay empty.
 */
export function stabilityMap(e: Experiment, results: readonly RunResult[]): TopLevelSpec {
  const { rows, columns } = e.summary;
  const others = otherAxes(e, [rows, columns]);
  // More values than a map can show (1024 seeds as rows) are grouped into bands of neighbours.
  const rowAxis = bands(settingValues(e, rows, results).map(formatValue));
  const colAxis = bands(settingValues(e, columns, results).map(formatValue));
  const cells = new Map<string, { panel: string; ri: number; ci: number; failed: number; runs: number }>();
  for (const runs of groupBy(results, ['task.name', ...others, rows, columns]).values()) {
    const c = runs[0].config;
    const panel = [c.task.name, describeSettings(c, others)].filter(Boolean).join(' · ');
    const ri = rowAxis.band.get(formatValue(settingAt(c, rows))) ?? 0;
    const ci = colAxis.band.get(formatValue(settingAt(c, columns))) ?? 0;
    const key = JSON.stringify([panel, ri, ci]);
    const cell = cells.get(key) ?? { panel, ri, ci, failed: 0, runs: 0 };
    cell.failed += runs.filter((r) => r.outcome !== 'ok').length;
    cell.runs += runs.length;
    cells.set(key, cell);
  }
  const allPanels = [...new Set([...cells.values()].map((d) => d.panel))];
  const panels = allPanels.slice(0, MAX_PANELS);
  const pi = new Map(panels.map((p, i) => [p, i]));
  const data = [...cells.values()]
    .filter((d) => pi.has(d.panel))
    .map(({ panel, ri, ci, failed, runs }) => ({
      panel,
      pi: pi.get(panel),
      row: rowAxis.names[ri],
      ri,
      col: colAxis.names[ci],
      ci,
      rate: failed / runs,
      text: `${failed}/${runs}`,
    }));
  const note = panelsNote(panels.length, allPanels.length);
  const x = {
    field: 'col',
    type: 'ordinal',
    sort: sortBy('ci'),
    title: columns,
    axis: { labelAngle: 0 },
  } as const;
  const y = { field: 'row', type: 'ordinal', sort: sortBy('ri'), title: rows } as const;
  const colOrder = colAxis.names;
  const rowOrder = rowAxis.names;
  return {
    ...(note ? { title: note } : {}),
    data: { values: data },
    facet: { field: 'panel', type: 'nominal', sort: sortBy('pi'), title: null },
    columns: panels.length > 1 ? 3 : 1,
    spec: {
      width: Math.max(180, 96 * colOrder.length),
      height: Math.max(64, 32 * rowOrder.length),
      layer: [
        {
          mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
          encoding: {
            x,
            y,
            color: {
              field: 'rate',
              type: 'quantitative',
              title: 'failure rate',
              scale: { domain: [0, 1], scheme: 'orangered' },
              legend: { format: '.0%', gradientLength: 120 },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 12 },
          encoding: {
            x,
            y,
            text: { field: 'text' },
            color: { condition: { test: 'datum.rate > 0.55', value: 'white' }, value: '#222' },
          },
        },
      ],
    },
  };
}
