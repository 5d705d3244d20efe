import type { TopLevelSpec } from 'vega-lite';
import type { BackendChoice } from '../../engine/backend-choice.js';
import { runSteps } from '../../engine/tasks/specs.js';
import type { RunResult } from '../../types.js';
import { OUTCOME_COLORS } from './palette.js';

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

/**
 * The path to failure: each covariance's smallest eigenvalue and condition number over the steps
 * of one failed run (float64, from its float32 parameters), with the step it failed at marked.
 * This is the picture that explains a Cholesky error: the smallest eigenvalue heading to zero.
 */
export function failurePathPlot(path: FailurePath): TopLevelSpec {
  const units = (path.rows[0]?.length ?? 3) - 3;
  const values = path.rows.flatMap((row) =>
    Array.from({ length: units / 2 }, (_, u) => [
      { step: row[0], unit: `unit ${u + 1}`, measure: 'smallest eigenvalue', value: row[3 + 2 * u] },
      // Infinite (an eigenvalue <= 0) has no place on a log axis: the eigenvalue panel shows it.
      ...(Number.isFinite(row[4 + 2 * u])
        ? [{ step: row[0], unit: `unit ${u + 1}`, measure: 'condition number', value: row[4 + 2 * u] }]
        : []),
    ]).flat(),
  );
  const color = OUTCOME_COLORS[path.run.outcome];
  const x = { field: 'step', type: 'quantitative', title: 'step' } as const;
  const panel = (measure: string, scale: object, title: string) => ({
    width: 640,
    height: 150,
    layer: [
      {
        data: { values: values.filter((v) => v.measure === measure) },
        mark: { type: 'line', strokeWidth: 1.8, point: values.length < 400 ? { size: 14 } : false },
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
      panel('smallest eigenvalue', { zero: true }, 'smallest eigenvalue'),
      panel('condition number', { type: 'log' }, 'condition number (log)'),
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}
