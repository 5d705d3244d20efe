import type { TopLevelSpec } from 'vega-lite';
import { curveEvery } from '../../engine/curve.js';
import { runSteps } from '../../engine/tasks/index.js';
import { formatValue } from '../../ground/format.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import { quantileSorted } from '../../results/stats.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
import { CATEGORICAL } from './palette.js';

interface CurvePoint {
  panel: string;
  parameterization: string;
  step: number;
  median: number;
  q10: number;
  q90: number;
}

/** Median and 10-90% quantiles of the losses of `runs` at each recorded step. */
function quantilesByStep(runs: readonly RunResult[]) {
  const byStep = new Map<number, number[]>();
  for (const r of runs) {
    const every = curveEvery(r.config.record_every, runSteps(r.config));
    r.curve.forEach((loss, i) => {
      const at = byStep.get(i * every);
      if (at) at.push(loss);
      else byStep.set(i * every, [loss]);
    });
  }
  return [...byStep].map(([step, losses]) => {
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
  const data: CurvePoint[] = [];
  for (const runs of groupBy(results, [...others, 'parameterization']).values()) {
    const c = runs[0].config;
    const panel = describeSettings(c, others) || c.task.name;
    for (const q of quantilesByStep(runs)) data.push({ panel, parameterization: c.parameterization, ...q });
  }
  const params = settingValues(e, 'parameterization', results).map(formatValue);
  const panels = [...new Set(data.map((d) => d.panel))];
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
  const top = Math.max(...data.map((d) => d.q90));
  const axis = symlog
    ? { values: [0, 1e-3, 1e-2, 1e-1, 1, 10, 100].filter((v) => v <= top * 1.5), format: '~g' }
    : {};
  return {
    data: { values: data },
    facet: { field: 'panel', type: 'nominal', sort: panels, title: null },
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
