import type { TopLevelSpec } from 'vega-lite';
import { curveEvery } from '../../engine/curve.js';
import { runSteps } from '../../engine/tasks/index.js';
import { formatValue } from '../../ground/format.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import { quantileSorted } from '../../results/stats.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
import { MAX_CURVE_POINTS, MAX_PANELS, sortBy } from './limits.js';
import { CATEGORICAL } from './palette.js';

interface CurvePoint {
  panel: string;
  parameterization: string;
  step: number;
  median: number;
  q10: number;
  q90: number;
}

/**
 * Median and 10-90% quantiles of the losses of `runs` at recorded steps: every `stride`-th point
 * of the curves (and each curve's last), so that a plot of million-step curves has a few hundred
 * points per line.
 */
function quantilesByStep(runs: readonly RunResult[], stride: number) {
  const byStep = new Map<number, number[]>();
  for (const r of runs) {
    const every = curveEvery(r.config.record_every, runSteps(r.config));
    const last = r.curve.length - 1;
    for (let i = 0; i <= last; i = i === last ? last + 1 : Math.min(i + stride, last)) {
      const at = byStep.get(i * every);
      if (at) at.push(r.curve[i]);
      else byStep.set(i * every, [r.curve[i]]);
    }
  }
  return [...byStep]
    .sort(([a], [b]) => a - b)
    .map(([step, losses]) => {
      const sorted = losses.sort((a, b) => a - b);
      const q = (p: number) => quantileSorted(sorted, p);
      return { step, median: q(0.5), q10: q(0.1), q90: q(0.9) };
    });
}

/**
 * Learning curves: per parameterization, the median loss over the steps with a 10-90% band across
 * the runs still training at that step. One panel per value of every other swept setting (seeds
 * pooled), since a curve pooled over learning rates would describe no run. Undefined when no run
 * recorded a curve.
 */
export function learningCurves(e: Experiment, results: readonly RunResult[]): TopLevelSpec | undefined {
  if (!results.some((r) => r.curve.length > 0)) return undefined;
  const others = otherAxes(e, ['parameterization']);
  const longest = results.reduce((a, r) => Math.max(a, r.curve.length), 0);
  const stride = Math.max(1, Math.ceil(longest / MAX_CURVE_POINTS));
  const params = settingValues(e, 'parameterization', results).map(formatValue);
  const panelIndex = new Map<string, number>();
  const data: (CurvePoint & { pi: number })[] = [];
  let left = 0;
  for (const runs of groupBy(results, [...others, 'parameterization']).values()) {
    const c = runs[0].config;
    const panel = describeSettings(c, others) || c.task.name;
    if (!panelIndex.has(panel)) {
      if (panelIndex.size === MAX_PANELS) {
        left++;
        continue;
      }
      panelIndex.set(panel, panelIndex.size);
    }
    const pi = panelIndex.get(panel)!;
    for (const q of quantilesByStep(runs, stride))
      data.push({ panel, pi, parameterization: c.parameterization, ...q });
  }
  const panels = [...panelIndex.keys()];
  const note = left ? `only the first ${panels.length} panels are drawn` : '';
  const color = {
    field: 'parameterization',
    type: 'nominal',
    sort: params,
    scale: { domain: params, range: CATEGORICAL },
  } as const;
  const x = { field: 'step', type: 'quantitative', title: 'step' } as const;
  // Losses that stay >= 0 (cross-entropy) span decades as runs converge, down to exact zeros: a
  // symmetric-log axis (linear below 1e-3) shows them; score matching's loss goes negative.
  const symlog = data.every((d) => d.q10 >= 0);
  const scale = symlog ? ({ type: 'symlog', constant: 1e-3 } as const) : {};
  // vega's automatic ticks on a symlog axis bunch at the top: one per decade instead.
  const top = data.reduce((a, d) => Math.max(a, d.q90), Number.NEGATIVE_INFINITY);
  const axis = symlog
    ? { values: [0, 1e-3, 1e-2, 1e-1, 1, 10, 100].filter((v) => v <= top * 1.5), format: '~g' }
    : {};
  return {
    ...(note ? { title: note } : {}),
    data: { values: data },
    facet: { field: 'panel', type: 'nominal', sort: sortBy('pi'), title: null },
    columns: Math.min(4, panels.length),
    spec: {
      width: panels.length > 1 ? 220 : 560,
      height: panels.length > 1 ? 130 : 220,
      layer: [
        {
          mark: { type: 'area', fillOpacity: 0.18 },
          encoding: {
            x,
            y: { field: 'q10', type: 'quantitative', title: 'loss', scale, axis },
            y2: { field: 'q90' },
            color,
          },
        },
        {
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: {
            x,
            y: { field: 'median', type: 'quantitative', title: 'loss', scale, axis },
            color: { ...color, legend: { symbolType: 'stroke', symbolStrokeWidth: 2 } },
          },
        },
      ],
    },
    // Every panel gets its own step axis, so an unfilled last row does not leave a stray axis, and
    // its own loss scale: losses of different dimensions or learning rates differ by magnitudes.
    resolve: { axis: { x: 'independent' }, scale: { y: 'independent' } },
  };
}
