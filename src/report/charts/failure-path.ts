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

/** A row of the plot: a unit's value of a measure at a step. */
type Row = { step: number; unit: string; measure: string; value: number };

/**
 * Which steps each unit's line of one measure keeps, the trace's column `3 + 2 * unit + measure`
 * (0: smallest eigenvalue, 1: condition number, on a log scale): those it cannot leave out
 * without moving the line drawn by TOLERANCE_PX (thin-line.ts). A line of hundreds of thousands of
 * steps over 640 pixels is mostly points that fall on it, and each costs vega as much as one that
 * shows. Pixels are counted on the widest scales vega can choose (its domains hold the data, and
 * zero on linear scales), so vega's, at least as wide, move the lines less.
 */
function keptSteps(rows: readonly number[][], units: number, measure: 0 | 1): Uint8Array[] {
  const log = measure === 1;
  const n = rows.length;
  const ys = Array.from({ length: units }, (_, u) => {
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i][3 + 2 * u + measure];
      column[i] = log ? Math.log10(v) : v;
    }
    return column;
  });
  const xs = Float64Array.from(rows, (row) => row[0]);
  const perStep = WIDTH / (widest([xs], true) || 1);
  const yWidest = widest(ys, !log);
  const perValue = yWidest > 0 ? HEIGHT / yWidest : 0;
  const px = xs.map((x) => x * perStep);
  return ys.map((column) => {
    const keep = new Uint8Array(n);
    for (const i of thinLine(
      px,
      column.map((y) => y * perValue),
      TOLERANCE_PX,
    ))
      keep[i] = 1;
    return keep;
  });
}

/** The extent of the finite values of `columns` (with 0 when `zero`), 0 when there are none. */
function widest(columns: readonly Float64Array[], zero: boolean): number {
  let lo = zero ? 0 : Number.POSITIVE_INFINITY;
  let hi = zero ? 0 : Number.NEGATIVE_INFINITY;
  for (const column of columns)
    for (const v of column)
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  return hi > lo ? hi - lo : 0;
}

/**
 * The path to failure: each covariance's smallest eigenvalue and condition number over the steps
 * of one failed run (float64, from its float32 parameters), with the step it failed at marked.
 * This is the picture that explains a Cholesky error: the smallest eigenvalue heading to zero.
 * A short run shows each step as a point; a long one's lines leave out the steps they pass within
 * a tenth of a pixel of (`keptSteps`).
 */
export function failurePathPlot(path: FailurePath): TopLevelSpec {
  const { rows } = path;
  const units = ((rows[0]?.length ?? 3) - 3) / 2;
  // Infinite (an eigenvalue <= 0) has no place on a log axis: the eigenvalue panel shows it.
  let finiteConditions = 0;
  for (const row of rows)
    for (let u = 0; u < units; u++) if (Number.isFinite(row[4 + 2 * u])) finiteConditions++;
  const points = rows.length * units + finiteConditions < 400;
  /** A panel's rows, step by step and unit by unit within a step. */
  const rowsOf = (measure: 0 | 1, name: string): Row[] => {
    const kept = points ? undefined : keptSteps(rows, units, measure);
    const out: Row[] = [];
    for (const [i, row] of rows.entries())
      for (let u = 0; u < units; u++) {
        const value = row[3 + 2 * u + measure];
        if ((measure === 0 || Number.isFinite(value)) && (!kept || kept[u][i]))
          out.push({ step: row[0], unit: `unit ${u + 1}`, measure: name, value });
      }
    return out;
  };
  const color = OUTCOME_COLORS[path.run.outcome];
  const x = { field: 'step', type: 'quantitative', title: 'step' } as const;
  const panel = (measure: 0 | 1, name: string, scale: { type?: 'log'; zero?: boolean }, title: string) => ({
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: rowsOf(measure, name) },
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
  });
  return {
    vconcat: [
      panel(0, 'smallest eigenvalue', { zero: true }, 'smallest eigenvalue'),
      panel(1, 'condition number', { type: 'log' }, 'condition number (log)'),
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}
