import { runSteps, taskSpec } from '../../engine/tasks/specs.js';
import { curveEvery } from '../../engine/train/curve.js';
import { formatValue } from '../../ground/format.js';
import { groupBy, settingValues } from '../../results/pivot.js';
import { quantileSorted } from '../../results/stats.js';
import { type Experiment, isCommand, type RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
import type { Chart, NumberAxis } from '../svg/model.js';
import { MAX_CURVE_POINTS, MAX_PANELS } from './limits.js';
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

/** A failed run's cross: where its smoothed curve stopped. */
interface CurveFailure {
  panel: string;
  parameterization: string;
  step: number;
  loss: number;
}

/** What the learning curves draw: per panel and parameterization, the quantiles at each step, the failures, and each line's end. */
export interface CurveData {
  panels: string[];
  lines: CurvePoint[];
  failures: CurveFailure[];
  ends: (CurvePoint & { text: string })[];
  /** Panels left out (MAX_PANELS). */
  left: number;
}

/** The learning curves' numbers (see `learningCurves`). */
export function curveData(e: Experiment, results: readonly RunResult[]): CurveData {
  const others = otherAxes(e, ['parameterization']);
  const longest = results.reduce((a, r) => Math.max(a, r.curve.length), 0);
  const stride = Math.max(1, Math.ceil(longest / MAX_CURVE_POINTS));
  const panels = new Set<string>();
  const lines: CurvePoint[] = [];
  const failures: CurveFailure[] = [];
  const ends: CurveData['ends'] = [];
  let left = 0;
  for (const runs of groupBy(results, [...others, 'parameterization']).values()) {
    const c = runs[0].config;
    const panel = describeSettings(c, others) || c.task.name;
    if (!panels.has(panel)) {
      if (panels.size === MAX_PANELS) {
        left++;
        continue;
      }
      panels.add(panel);
    }
    const curves = runs.map(smoothed);
    const line = quantilesByStep(curves, stride).map((q) => ({
      panel,
      parameterization: c.parameterization,
      ...q,
    }));
    lines.push(...line);
    const end = line.at(-1);
    if (end) ends.push({ ...end, text: `${end.runs} run${end.runs === 1 ? '' : 's'}` });
    // One cross per stretch of `stride` curve points, so thousands of failed runs draw a few hundred marks.
    const crosses = new Map<number, { step: number; loss: number }>();
    runs.forEach((r, i) => {
      const last = curves[i].at(-1);
      const at = Math.floor(r.step / (everyOf(r) * stride));
      if (r.outcome !== 'ok' && last && !crosses.has(at)) crosses.set(at, { step: r.step, loss: last[1] });
    });
    for (const x of crosses.values()) failures.push({ panel, parameterization: c.parameterization, ...x });
  }
  return { panels: [...panels], lines, failures, ends, left };
}

/** Decades a symlog loss axis is labelled at: vega's automatic ticks on one bunch at the top. */
const SYMLOG_TICKS = [0, 1e-3, 1e-2, 1e-1, 1, 10, 100];

/**
 * The loss axis of one panel. Losses that stay >= 0 (cross-entropy) span decades as runs
 * converge, down to exact zeros: a symmetric-log axis (linear below 1e-3) shows them, labelled per
 * decade; score matching's loss goes negative, on a linear axis.
 */
function lossAxis(
  lines: readonly CurvePoint[],
  failures: readonly CurveFailure[],
  symlog: boolean,
): NumberAxis {
  // The crosses too: a failed run's last loss may lie far outside the band.
  const losses = [...lines.flatMap((d) => [d.q10, d.median, d.q90]), ...failures.map((f) => f.loss)].filter(
    Number.isFinite,
  );
  const lo = losses.reduce((a, v) => Math.min(a, v), Number.POSITIVE_INFINITY);
  const hi = losses.reduce((a, v) => Math.max(a, v), Number.NEGATIVE_INFINITY);
  if (!symlog) return { type: 'linear', title: 'loss', domain: [lo, hi], zero: true };
  const values = SYMLOG_TICKS.filter((v) => v <= hi * 1.5);
  // The top tick sits on the axis's end when it lies above the data.
  const top = Math.max(hi, values.at(-1) ?? hi);
  return { type: 'symlog', title: 'loss', domain: [0, top], constant: 1e-3, values, format: '~g' };
}

/**
 * Learning curves: per parameterization, the median loss over the steps with a 10-90% band across
 * the runs still training at that step, each run's curve first smoothed over its task's window. A
 * cross marks each failed run where its curve stopped; the label at a line's end says how many runs
 * it still holds there. One panel per value of every other swept setting (seeds pooled), since a
 * curve pooled over learning rates would describe no run; each panel has its own step axis and its
 * own loss scale (losses of different dimensions or learning rates differ by magnitudes).
 * Undefined when no run recorded a curve.
 */
export function learningCurves(e: Experiment, results: readonly RunResult[]): Chart | undefined {
  if (!results.some((r) => r.curve.length > 0)) return undefined;
  const { panels, lines, failures, ends, left } = curveData(e, results);
  const params = settingValues(e, 'parameterization', results).map(formatValue);
  const colors = parameterizationColors(params);
  const color = (p: string) => colors.get(p) ?? '#888';
  const symlog = lines.every((d) => d.q10 >= 0);
  return {
    ...(left ? { note: `only the first ${panels.length} panels are drawn` } : {}),
    columns: Math.min(2, panels.length),
    panels: panels.map((panel) => {
      const here = lines.filter((d) => d.panel === panel);
      const series = params.filter((p) => here.some((d) => d.parameterization === p));
      const of = (p: string) => here.filter((d) => d.parameterization === p);
      const crosses = failures.filter((f) => f.panel === panel);
      const steps = [...here, ...crosses].map((d) => d.step);
      return {
        header: [panel],
        width: panels.length > 1 ? 400 : 640,
        height: panels.length > 1 ? 200 : 260,
        x: {
          type: 'linear',
          title: 'step',
          domain: [steps.reduce((a, v) => Math.min(a, v), 0), steps.reduce((a, v) => Math.max(a, v), 0)],
          zero: true,
        },
        y: lossAxis(here, crosses, symlog),
        layers: [
          {
            marks: series.map((p) => ({
              type: 'area' as const,
              points: of(p).map((d): [number, number, number] => [d.step, d.q10, d.q90]),
              fill: color(p),
              opacity: 0.12,
            })),
          },
          {
            marks: series.map((p) => ({
              type: 'line' as const,
              points: of(p).map((d): [number, number] => [d.step, d.median]),
              stroke: color(p),
              width: 2,
            })),
          },
          {
            marks: crosses.map((f) => ({
              type: 'symbol' as const,
              x: f.step,
              y: f.loss,
              shape: 'cross' as const,
              size: 45,
              fill: color(f.parameterization),
              opacity: 0.8,
              title: `${f.parameterization}: a run failed at step ${f.step}`,
            })),
          },
          {
            marks: ends
              .filter((d) => d.panel === panel)
              .map((d) => ({
                type: 'text' as const,
                x: d.step,
                y: d.median,
                text: d.text,
                fill: color(d.parameterization),
                size: 10,
                anchor: 'end' as const,
                dy: -7,
              })),
          },
        ],
      };
    }),
    legends: [
      {
        type: 'symbols',
        title: 'parameterization',
        entries: params.map((p) => ({ label: p, color: color(p), symbol: 'stroke' as const })),
      },
    ],
  };
}
