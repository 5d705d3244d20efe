import type { TopLevelSpec } from 'vega-lite';
import { formatValue } from '../../ground/format.js';
import { settingAt } from '../../plan/expand.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';

/**
 * Failure rate over the experiment's two main axes (summary rows x columns) as a heatmap, one
 * panel per task and per value of any other swept setting (seeds are pooled: they are the
 * replicates the rate is over). Each cell is labelled failed/runs; cells without runs stay empty.
 */
export function stabilityMap(e: Experiment, results: readonly RunResult[]): TopLevelSpec {
  const { rows, columns } = e.summary;
  const others = otherAxes(e, [rows, columns]);
  const data = [...groupBy(results, ['task.name', ...others, rows, columns]).values()].map((runs) => {
    const c = runs[0].config;
    const failed = runs.filter((r) => r.outcome !== 'ok').length;
    return {
      panel: [c.task.name, describeSettings(c, others)].filter(Boolean).join(' · '),
      row: formatValue(settingAt(c, rows)),
      col: formatValue(settingAt(c, columns)),
      rate: failed / runs.length,
      text: `${failed}/${runs.length}`,
    };
  });
  const rowOrder = settingValues(e, rows, results).map(formatValue);
  const colOrder = settingValues(e, columns, results).map(formatValue);
  const panels = [...new Set(data.map((d) => d.panel))];
  const x = {
    field: 'col',
    type: 'ordinal',
    sort: colOrder,
    title: columns,
    axis: { labelAngle: 0 },
  } as const;
  const y = { field: 'row', type: 'ordinal', sort: rowOrder, title: rows } as const;
  return {
    data: { values: data },
    facet: { field: 'panel', type: 'nominal', sort: panels, title: null },
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
