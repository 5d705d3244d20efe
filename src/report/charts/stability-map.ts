import { formatValue } from '../../ground/format.js';
import { settingAt } from '../../plan/expand.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
import type { Chart, RectMark, TextMark } from '../svg/model.js';
import { bands, MAX_PANELS, panelsNote } from './limits.js';
import { ORANGE_RED, rampColor } from './palette.js';

/** Above this failure rate a cell is dark enough for white text. */
const DARK = 0.55;

/** A cell of the map: its panel, row and column (bands), and its runs. */
interface Cell {
  panel: string;
  ri: number;
  ci: number;
  failed: number;
  runs: number;
}

/**
 * Failure rate over the experiment's two main axes (summary rows x columns) as a heatmap, one
 * panel per task and per value of any other swept setting (seeds are pooled: they are the
 * replicates the rate is over). Each cell is labelled failed/runs; cells without runs stay empty.
 */
export function stabilityMap(e: Experiment, results: readonly RunResult[]): Chart {
  const { rows, columns } = e.summary;
  const others = otherAxes(e, [rows, columns]);
  // More values than a map can show (1024 seeds as rows) are grouped into bands of neighbours.
  const rowAxis = bands(settingValues(e, rows, results).map(formatValue));
  const colAxis = bands(settingValues(e, columns, results).map(formatValue));
  const cells = new Map<string, Cell>();
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
  const note = panelsNote(panels.length, allPanels.length);
  const byPanel = new Map<string, Cell[]>();
  for (const c of cells.values()) {
    const list = byPanel.get(c.panel);
    if (list) list.push(c);
    else byPanel.set(c.panel, [c]);
  }
  return {
    ...(note ? { note } : {}),
    columns: panels.length > 1 ? 3 : 1,
    // Every panel has the same rows: named left of the first column only, as a facet's are.
    sharedY: true,
    panels: panels.map((panel) => {
      const rects: RectMark[] = [];
      const texts: TextMark[] = [];
      for (const { ri, ci, failed, runs } of byPanel.get(panel) ?? []) {
        const rate = failed / runs;
        const text = `${failed}/${runs}`;
        rects.push({
          type: 'rect',
          x: ci,
          y: ri,
          fill: rampColor(ORANGE_RED, rate),
          title: `${columns} ${colAxis.names[ci]}, ${rows} ${rowAxis.names[ri]}: ${text} failed (${Math.round(rate * 100)}%)`,
        });
        texts.push({
          type: 'text',
          x: ci,
          y: ri,
          text,
          fill: rate > DARK ? 'white' : '#222',
          size: 12,
          anchor: 'middle',
        });
      }
      return {
        header: [panel],
        width: Math.max(180, 96 * colAxis.names.length),
        height: Math.max(64, 32 * rowAxis.names.length),
        x: { type: 'band', title: columns, values: colAxis.names },
        y: { type: 'band', title: rows, values: rowAxis.names },
        layers: [{ marks: rects, stroke: 'white', strokeWidth: 1 }, { marks: texts }],
      };
    }),
    legends: [
      { type: 'gradient', title: 'failure rate', colors: ORANGE_RED, ticks: [0, 0.5, 1], format: '.0%' },
    ],
  };
}
