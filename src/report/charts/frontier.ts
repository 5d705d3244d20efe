import { type FrontierExperiment, frontierRows } from '../../frontier/summary.js';
import { formatValue } from '../../ground/format.js';
import type { RunResult } from '../../types.js';
import { otherAxes } from '../panels.js';
import type { Axis, Chart, Shape } from '../svg/model.js';
import { CATEGORICAL, CATEGORICAL_20 } from './palette.js';

/** The setting along the plot's x axis: dim when swept (the question is how the frontier scales), else the first other. */
function xAxis(e: FrontierExperiment): string | undefined {
  const swept = e.axes.map((a) => a.path).filter((p) => p !== 'seed');
  return swept.includes('dim') ? 'dim' : (swept.find((p) => p !== 'parameterization') ?? swept[0]);
}

/** A frontier's median beyond the searched range is drawn at the bound it passed, as a triangle pointing past it. */
const SHAPES: Record<string, Shape> = { within: 'circle', below: 'triangle-down', above: 'triangle-up' };

/**
 * The frontier: median critical value (log axis) over dim, one line per parameterization, with the
 * 10-90% range over seeds as a bar. A frontier beyond the searched range is drawn at the bound it
 * passed, as a triangle pointing past it. One panel per value of any other swept setting.
 * Undefined when no search has finished a round.
 */
export function frontierPlot(e: FrontierExperiment, results: readonly RunResult[]): Chart | undefined {
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
          ? 'below'
          : r.median === Number.POSITIVE_INFINITY
            ? 'above'
            : 'within',
      text: formatValue(r.median),
    };
  });
  const seriesOrder = [...new Set(data.map((d) => d.series))];
  const palette = seriesOrder.length > CATEGORICAL.length ? CATEGORICAL_20 : CATEGORICAL;
  const color = (s: string) => palette[seriesOrder.indexOf(s) % palette.length];
  const panels = [...new Set(data.map((d) => d.panel))];
  const xs = [...new Set(data.map((d) => d.x))];
  // Dimensions double in a typical sweep: a log2 axis spaces them evenly. Other settings are named.
  const numeric = x === 'dim';
  const dims = xs as number[];
  const xAt = (v: number | string) => (numeric ? (v as number) : xs.indexOf(v));
  const xAxisOf = (): Axis =>
    numeric
      ? {
          type: 'log',
          base: 2,
          title: x,
          domain: [Math.min(...dims), Math.max(...dims)],
          nice: false,
          padding: 12,
          values: [...dims].sort((a, b) => a - b),
          format: '~g',
        }
      : { type: 'point', title: x, values: xs as string[] };
  const found = {
    within: 'within the range',
    below: `below ${formatValue(min)}`,
    above: `${formatValue(max)} or above`,
  };
  return {
    columns: Math.min(3, panels.length),
    panels: panels.map((panel) => {
      const here = data.filter((d) => d.panel === panel);
      return {
        ...(panel ? { header: [panel] } : {}),
        width: panels.length > 1 ? 260 : 520,
        height: 260,
        x: xAxisOf(),
        y: { type: 'log', title: `critical ${setting}`, domain: [min, max], nice: false, format: '~g' },
        layers: [
          {
            marks: here.map((d) => ({
              type: 'rule' as const,
              x: xAt(d.x),
              y: d.p10,
              y2: d.p90,
              stroke: color(d.series),
              width: 2,
              opacity: 0.35,
            })),
          },
          {
            marks: seriesOrder.map((s) => ({
              type: 'line' as const,
              points: here
                .filter((d) => d.series === s)
                .map((d): [number, number] => [xAt(d.x), d.median])
                .sort((a, b) => a[0] - b[0]),
              stroke: color(s),
              width: 1.6,
            })),
          },
          {
            marks: here.map((d) => ({
              type: 'symbol' as const,
              x: xAt(d.x),
              y: d.median,
              shape: SHAPES[d.found],
              size: 50,
              fill: color(d.series),
              title: `${d.series}, ${x} ${d.x}: median critical ${setting} ${d.text} (${found[d.found as keyof typeof found]})`,
            })),
          },
        ],
      };
    }),
    legends: [
      {
        type: 'symbols',
        ...(series ? { title: 'parameterization' } : {}),
        entries: seriesOrder.map((s) => ({ label: s, color: color(s), symbol: 'circle' as const })),
      },
      {
        type: 'symbols',
        title: 'median',
        entries: (['within', 'below', 'above'] as const).map((f) => ({
          label: found[f],
          color: '#555',
          symbol: SHAPES[f],
        })),
      },
    ],
  };
}
