import type { TopLevelSpec } from 'vega-lite';
import { runSteps, taskSpec } from '../../engine/tasks/specs.js';
import { curveEvery } from '../../engine/train/curve.js';
import { formatValue } from '../../ground/format.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import { quantileSorted } from '../../results/stats.js';
import { type Experiment, isCommand, type RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
import { MAX_CURVE_POINTS, MAX_PANELS, sortBy } from './limits.js';
import { parameterizationColors } from './palette.js';

interface CurvePoint {
  panel: string;
  parameterization: string;
  step: number;
  median: number;
  q10: number;
  q90: number;
  /** Runs still training at this step. */
  runs: number;
}

/** Steps between a run's curve points, as recorded (older records: as the trainer chose them). */
const everyOf = (r: RunResult) => r.curve_every ?? curveEvery(r.config.record_every, runSteps(r.config));

/**
 * A run's curve as a trailing mean over its task's window (an epoch of trials for the classifier,
 * whose one-trial losses are noise), as [step, loss] pairs; unsmoothed when the task sets none.
 */
function smoothed(r: RunResult): [number, number][] {
  const every = everyOf(r);
  // A command task runs as a process and has no engine task to name a window.
  const window = isCommand(r.config) ? 1 : (taskSpec(r.config.task.name).curveWindow?.(r.config) ?? 1);
  const k = Math.max(1, Math.round(window / every));
  let sum = 0;
  return r.curve.map((loss, i) => {
    sum += loss - (i >= k ? r.curve[i - k] : 0);
    return [i * every, sum / Math.min(i + 1, k)];
  });
}

/**
 * Median and 10-90% quantiles of the smoothed losses at recorded steps: every `stride`-th point of
 * the curves (and each curve's last), so that a plot of million-step curves has a few hundred
 * points per line; `runs` is how many curves still reach each step.
 */
function quantilesByStep(curves: readonly [number, number][][], stride: number) {
  const byStep = new Map<number, number[]>();
  for (const curve of curves) {
    const last = curve.length - 1;
    for (let i = 0; i <= last; i = i === last ? last + 1 : Math.min(i + stride, last)) {
      const [step, loss] = curve[i];
      const at = byStep.get(step);
      if (at) at.push(loss);
      else byStep.set(step, [loss]);
    }
  }
  return [...byStep]
    .sort(([a], [b]) => a - b)
    .map(([step, losses]) => {
      const sorted = losses.sort((a, b) => a - b);
      const q = (p: number) => quantileSorted(sorted, p);
      return { step, median: q(0.5), q10: q(0.1), q90: q(0.9), runs: losses.length };
    });
}

/**
 * Learning curves: per parameterization, the median loss over the steps with a 10-90% band across
 * the runs still training at that step, each run's curve first smoothed over its task's window. A
 * cross marks each failed run where its curve stopped; the label at a line's end says how many runs
 * it still holds there. One panel per value of every other swept setting (seeds pooled), since a
 * curve pooled over learning rates would describe no run. Undefined when no run recorded a curve.
 */
export function learningCurves(e: Experiment, results: readonly RunResult[]): TopLevelSpec | undefined {
  if (!results.some((r) => r.curve.length > 0)) return undefined;
  const others = otherAxes(e, ['parameterization']);
  const longest = results.reduce((a, r) => Math.max(a, r.curve.length), 0);
  const stride = Math.max(1, Math.ceil(longest / MAX_CURVE_POINTS));
  const panelIndex = new Map<string, number>();
  const data: (CurvePoint & { pi: number })[] = [];
  const failures: { panel: string; pi: number; parameterization: string; step: number; loss: number }[] = [];
  const ends: (CurvePoint & { pi: number })[] = [];
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
    const curves = runs.map(smoothed);
    const line = quantilesByStep(curves, stride).map((q) => ({
      panel,
      pi,
      parameterization: c.parameterization,
      ...q,
    }));
    data.push(...line);
    if (line.length) ends.push(line[line.length - 1]);
    // One cross per stretch of `stride` curve points, so thousands of failed runs draw a few hundred marks.
    const crosses = new Map<number, { step: number; loss: number }>();
    runs.forEach((r, i) => {
      const last = curves[i].at(-1);
      const at = Math.floor(r.step / (everyOf(r) * stride));
      if (r.outcome !== 'ok' && last && !crosses.has(at)) crosses.set(at, { step: r.step, loss: last[1] });
    });
    for (const x of crosses.values())
      failures.push({ panel, pi, parameterization: c.parameterization, ...x });
  }
  const params = settingValues(e, 'parameterization', results).map(formatValue);
  const panels = [...panelIndex.keys()];
  const note = left ? `only the first ${panels.length} panels are drawn` : '';
  const color = parameterizationColors(params);
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
  const y = (field: string) => ({ field, type: 'quantitative', title: 'loss', scale, axis }) as const;
  // One data set for every layer (a facet's layers cannot bring their own), told apart by `kind`.
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  return {
    ...(note ? { title: note } : {}),
    data: {
      values: [
        ...data.map((d) => ({ ...d, kind: 'quantiles' })),
        ...failures.map((f) => ({ ...f, kind: 'failure' })),
        ...ends.map((d) => ({ ...d, kind: 'end', text: `${d.runs} run${d.runs === 1 ? '' : 's'}` })),
      ],
    },
    facet: { field: 'panel', type: 'nominal', sort: sortBy('pi'), title: null },
    columns: Math.min(2, panels.length),
    spec: {
      width: panels.length > 1 ? 400 : 640,
      height: panels.length > 1 ? 200 : 260,
      layer: [
        {
          transform: only('quantiles'),
          mark: { type: 'area', fillOpacity: 0.12 },
          encoding: { x, y: y('q10'), y2: { field: 'q90' }, color },
        },
        {
          transform: only('quantiles'),
          mark: { type: 'line', strokeWidth: 2 },
          encoding: {
            x,
            y: y('median'),
            color: { ...color, legend: { symbolType: 'stroke', symbolStrokeWidth: 2.5 } },
          },
        },
        {
          transform: only('failure'),
          mark: { type: 'point', shape: 'cross', size: 45, filled: true, opacity: 0.8 },
          encoding: { x, y: y('loss'), color },
        },
        {
          transform: only('end'),
          mark: { type: 'text', align: 'right', dy: -7, fontSize: 10 },
          encoding: { x, y: y('median'), text: { field: 'text' }, color },
        },
      ],
    },
    // Every panel gets its own step axis, so an unfilled last row does not leave a stray axis, and
    // its own loss scale: losses of different dimensions or learning rates differ by magnitudes.
    resolve: { axis: { x: 'independent' }, scale: { y: 'independent' } },
  };
}
