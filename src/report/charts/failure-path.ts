import type { BackendChoice } from '../../engine/backend-choice.js';
import { runSteps } from '../../engine/tasks/specs.js';
import type { RunResult } from '../../types.js';
import type { Chart } from '../svg/model.js';
import { DARK2, OUTCOME_COLORS } from './palette.js';
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

/**
 * Which steps each unit's line of one measure keeps, the trace's column `3 + 2 * unit + measure`
 * (0: smallest eigenvalue, 1: condition number, on a log scale): those it cannot leave out
 * without moving the line drawn by TOLERANCE_PX (thin-line.ts). A line of hundreds of thousands of
 * steps over 640 pixels is mostly points that fall on it, each bytes of the page and work for the
 * browser. Pixels are counted on the narrowest scales the plot can have (its domains hold the
 * data, and zero on linear scales), so its own, rounded out to ticks, move the lines less.
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

/** A measure's lines, one per unit as [step, value] points, and whether each step shows as a point. */
export interface PathLines {
  measure: 'smallest eigenvalue' | 'condition number';
  units: [number, number][][];
  points: boolean;
}

/**
 * The lines of the path to failure: per measure, each unit's [step, value] points (a condition
 * number that is infinite, an eigenvalue <= 0, has no place on its log axis and is left out). A
 * short run keeps every step, each drawn as a point; a long one's lines leave out the steps they
 * pass within a tenth of a pixel of (`keptSteps`).
 */
export function failurePathLines(path: FailurePath): PathLines[] {
  const { rows } = path;
  const units = ((rows[0]?.length ?? 3) - 3) / 2;
  let finiteConditions = 0;
  for (const row of rows)
    for (let u = 0; u < units; u++) if (Number.isFinite(row[4 + 2 * u])) finiteConditions++;
  const points = rows.length * units + finiteConditions < 400;
  const linesOf = (measure: 0 | 1): [number, number][][] => {
    const kept = points ? undefined : keptSteps(rows, units, measure);
    return Array.from({ length: units }, (_, u) => {
      const line: [number, number][] = [];
      for (const [i, row] of rows.entries()) {
        const value = row[3 + 2 * u + measure];
        if ((measure === 0 || Number.isFinite(value)) && (!kept || kept[u][i])) line.push([row[0], value]);
      }
      return line;
    });
  };
  return [
    { measure: 'smallest eigenvalue', units: linesOf(0), points },
    { measure: 'condition number', units: linesOf(1), points },
  ];
}

/**
 * The path to failure: each covariance's smallest eigenvalue and condition number over the steps
 * of one failed run (float64, from its float32 parameters), with the step it failed at marked.
 * This is the picture that explains a Cholesky error: the smallest eigenvalue heading to zero.
 */
export function failurePathPlot(path: FailurePath): Chart {
  const lines = failurePathLines(path);
  const steps = path.rows.map((r) => r[0]);
  const stepDomain: [number, number] = [
    steps.reduce((a, v) => Math.min(a, v), 0),
    steps.reduce((a, v) => Math.max(a, v), 0),
  ];
  const rule = OUTCOME_COLORS[path.run.outcome];
  const unitColor = (u: number) => DARK2[u % DARK2.length];
  const extent = (l: PathLines): [number, number] => {
    const vs = l.units
      .flat()
      .map(([, v]) => v)
      .filter(Number.isFinite);
    return [
      vs.reduce((a, v) => Math.min(a, v), Number.POSITIVE_INFINITY),
      vs.reduce((a, v) => Math.max(a, v), Number.NEGATIVE_INFINITY),
    ];
  };
  const units = lines[0].units.length;
  return {
    columns: 1,
    panels: lines.map((l) => {
      const [lo, hi] = extent(l);
      const log = l.measure === 'condition number';
      return {
        width: WIDTH,
        height: HEIGHT,
        x: { type: 'linear', title: 'step', domain: stepDomain, zero: true },
        y: log
          ? { type: 'log', title: 'condition number (log)', domain: Number.isFinite(lo) ? [lo, hi] : [1, 10] }
          : {
              type: 'linear',
              title: 'smallest eigenvalue',
              domain: Number.isFinite(lo) ? [lo, hi] : [0, 1],
              zero: true,
            },
        layers: [
          {
            marks: l.units.map((line, u) => ({
              type: 'line' as const,
              points: line,
              stroke: unitColor(u),
              width: 1.8,
            })),
          },
          ...(l.points
            ? [
                {
                  marks: l.units.flatMap((line, u) =>
                    line.map(([x, y]) => ({
                      type: 'symbol' as const,
                      x,
                      y,
                      shape: 'circle' as const,
                      size: 14,
                      fill: unitColor(u),
                    })),
                  ),
                },
              ]
            : []),
          {
            marks: [
              {
                type: 'rule' as const,
                x: path.run.step,
                stroke: rule,
                width: 1.5,
                dash: [4, 3],
                title: `step ${path.run.step}: ended ${path.run.outcome}`,
              },
            ],
          },
        ],
      };
    }),
    legends: [
      {
        type: 'symbols',
        entries: Array.from({ length: units }, (_, u) => ({
          label: `unit ${u + 1}`,
          color: unitColor(u),
          symbol: 'stroke' as const,
        })),
      },
    ],
  };
}
