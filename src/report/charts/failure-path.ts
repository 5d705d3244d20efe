import type { TopLevelSpec } from 'vega-lite';
import type { BackendChoice } from '../../engine/backend-choice.js';
import { runSteps } from '../../engine/tasks/specs.js';
import type { RunResult } from '../../types.js';
import { OUTCOME_COLORS } from './palette.js';
import { thinLine } from './thin-line.js';

/** A failed run retraced: the run and its trace's rows (step, loss, grad_norm, then min_eig and cond per unit). */
export interface FailurePath {
  run: RunResult;
  rows: number[][];
  /** Whether the retrace ended as recorded (same outcome at the same step). */
  same: boolean;
}

/**
 * Retraces one failed run, alone, on the backend it was recorded with: the same computation as
 * `covsweep repro --trace`, so the picture shows the numbers of the run it names. Runs that read a
 * data file are left to repro (their file sits beside the experiment, not in the results).
 */
export async function retrace(run: RunResult): Promise<FailurePath> {
  // The engine loads here, not with the report: a report with no failed run never trains.
  const [{ useRecordedBackend }, { Trace }, { trainBatch }] = await Promise.all([
    import('../../engine/auto-backend.js'),
    import('../../engine/train/trace.js'),
    import('../../engine/train/train.js'),
  ]);
  const batch = {
    index: 0,
    shapeKey: '',
    runs: [{ id: run.id, config: run.config }],
    steps: runSteps(run.config),
  };
  await useRecordedBackend((run.backend ?? 'cpu') as BackendChoice, batch);
  const trace = new Trace(run.config);
  const [again] = trainBatch(batch, { onStep: trace.onStep });
  return { run, rows: trace.rows, same: again.outcome === run.outcome && again.step === run.step };
}

/** The failed run a report retraces: the first of `candidates` that failed and reads no data file. */
export const runToRetrace = (candidates: readonly RunResult[]) =>
  candidates.find((r) => r.outcome !== 'ok' && r.config.task.data === undefined);

/** The plot's size in pixels (each of its two panels). */
const WIDTH = 640;
const HEIGHT = 150;

/**
 * How far, in pixels, a drawn line may pass from a step's point: a tenth of a pixel, under a
 * fifth of the line's width, so the thinned line draws as the full one does.
 */
const TOLERANCE_PX = 0.1;

/** One panel's rows: a unit's value at a step, of one measure. */
type Row = { step: number; unit: string; measure: string; value: number };

/**
 * A panel's rows with the steps that draw no differently left out, unit by unit: a line of
 * hundreds of thousands of steps over 640 pixels is mostly points that fall on it, and each costs
 * vega as much as one that shows. Pixels are counted on the widest scales vega can choose (its
 * domains hold the data, and zero on linear scales): vega's scales are at least as wide, so the
 * lines drawn move less than TOLERANCE_PX. `log`: the values sit on a log scale.
 */
function thinRows(rows: Row[], log: boolean): Row[] {
  const ys = rows.map((r) => (log ? Math.log10(r.value) : r.value));
  const perStep =
    WIDTH /
    (widest(
      rows.map((r) => r.step),
      true,
    ) || 1);
  const yWidest = widest(ys, !log);
  const perValue = yWidest > 0 ? HEIGHT / yWidest : 0;
  const byUnit = new Map<string, number[]>();
  for (const [i, r] of rows.entries()) {
    const at = byUnit.get(r.unit);
    if (at) at.push(i);
    else byUnit.set(r.unit, [i]);
  }
  const kept = new Uint8Array(rows.length);
  for (const at of byUnit.values()) {
    const xs = at.map((i) => rows[i].step * perStep);
    for (const k of thinLine(
      xs,
      at.map((i) => ys[i] * perValue),
      TOLERANCE_PX,
    ))
      kept[at[k]] = 1;
  }
  return rows.filter((_, i) => kept[i]);
}

/** The extent of the finite `values` (with 0 when `zero`), 0 when there are none. */
function widest(values: readonly number[], zero: boolean): number {
  let lo = zero ? 0 : Number.POSITIVE_INFINITY;
  let hi = zero ? 0 : Number.NEGATIVE_INFINITY;
  for (const v of values)
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  return hi > lo ? hi - lo : 0;
}

/**
 * The path to failure: each covariance's smallest eigenvalue and condition number over the steps
 * of one failed run (float64, from its float32 parameters), with the step it failed at marked.
 * This is the picture that explains a Cholesky error: the smallest eigenvalue heading to zero.
 * A short run shows each step as a point; a long one's lines leave out the steps they pass within
 * a tenth of a pixel of (`thinRows`).
 */
export function failurePathPlot(path: FailurePath): TopLevelSpec {
  const units = (path.rows[0]?.length ?? 3) - 3;
  const values: Row[] = path.rows.flatMap((row) =>
    Array.from({ length: units / 2 }, (_, u) => [
      { step: row[0], unit: `unit ${u + 1}`, measure: 'smallest eigenvalue', value: row[3 + 2 * u] },
      // Infinite (an eigenvalue <= 0) has no place on a log axis: the eigenvalue panel shows it.
      ...(Number.isFinite(row[4 + 2 * u])
        ? [{ step: row[0], unit: `unit ${u + 1}`, measure: 'condition number', value: row[4 + 2 * u] }]
        : []),
    ]).flat(),
  );
  const points = values.length < 400;
  const color = OUTCOME_COLORS[path.run.outcome];
  const x = { field: 'step', type: 'quantitative', title: 'step' } as const;
  const panel = (measure: string, scale: { type?: 'log'; zero?: boolean }, title: string) => {
    const rows = values.filter((v) => v.measure === measure);
    return {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          data: { values: points ? rows : thinRows(rows, scale.type === 'log') },
          mark: { type: 'line', strokeWidth: 1.8, point: points ? { size: 14 } : false },
          encoding: {
            x,
            y: { field: 'value', type: 'quantitative', title, scale },
            color: { field: 'unit', type: 'nominal', title: null, scale: { scheme: 'dark2' } },
          },
        },
        {
          data: { values: [{ step: path.run.step }] },
          mark: { type: 'rule', strokeDash: [4, 3], color, strokeWidth: 1.5 },
          encoding: { x },
        },
      ],
    };
  };
  return {
    vconcat: [
      panel('smallest eigenvalue', { zero: true }, 'smallest eigenvalue'),
      panel('condition number', { type: 'log' }, 'condition number (log)'),
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}
