import type { TopLevelSpec } from 'vega-lite';
import { runSteps } from '../../engine/tasks/specs.js';
import { settingValues } from '../../results/pivot.js';
import type { Experiment, RunResult } from '../../types.js';
import { OUTCOME_COLORS } from './palette.js';

/** Bins per decade of the step axis: fine enough to separate step 7 from step 37. */
const BINS_PER_DECADE = 5;

/**
 * When runs failed: a histogram of the failure step per parameterization, coloured by outcome.
 * Failure steps span decades (full fails in its first 40 steps, others near the end of 2000), so
 * the step axis is logarithmic, binned evenly in log(step + 1) (step 0 needs a place), and counts
 * are whole runs. Undefined when no run failed (there is nothing to draw).
 */
export function failureSteps(e: Experiment, results: readonly RunResult[]): TopLevelSpec | undefined {
  const failed = results.filter((r) => r.outcome !== 'ok');
  if (failed.length === 0) return undefined;
  const steps = results.reduce((a, r) => Math.max(a, runSteps(r.config)), 0);
  const outcomes = Object.keys(OUTCOME_COLORS).filter(
    (o) => o !== 'ok' && failed.some((r) => r.outcome === o),
  );
  const order = settingValues(e, 'parameterization', results)
    .map(String)
    .filter((p) => failed.some((r) => r.config.parameterization === p));
  const bins = new Map<
    string,
    { parameterization: string; outcome: string; from: number; to: number; runs: number }
  >();
  for (const r of failed) {
    const bin = Math.floor(Math.log10(r.step + 1) * BINS_PER_DECADE);
    const key = JSON.stringify([r.config.parameterization, r.outcome, bin]);
    const at = bins.get(key);
    if (at) at.runs++;
    else
      bins.set(key, {
        parameterization: r.config.parameterization,
        outcome: r.outcome,
        from: 10 ** (bin / BINS_PER_DECADE),
        to: 10 ** ((bin + 1) / BINS_PER_DECADE),
        runs: 1,
      });
  }
  const decades = Array.from({ length: Math.ceil(Math.log10(steps + 1)) + 1 }, (_, i) => 10 ** i);
  return {
    data: { values: [...bins.values()] },
    facet: {
      row: {
        field: 'parameterization',
        type: 'nominal',
        sort: order,
        title: null,
        header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' },
      },
    },
    spec: {
      width: 640,
      height: 70,
      mark: { type: 'bar', stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x: {
          field: 'from',
          type: 'quantitative',
          scale: { type: 'log', domain: [1, decades.at(-1)!] },
          axis: { values: decades, format: '~s' },
          title: `step of failure + 1, log scale (training has ${steps} steps)`,
        },
        x2: { field: 'to' },
        y: {
          aggregate: 'sum',
          field: 'runs',
          type: 'quantitative',
          title: 'runs',
          axis: { tickMinStep: 1, format: 'd' },
        },
        color: {
          field: 'outcome',
          type: 'nominal',
          scale: {
            domain: outcomes,
            range: outcomes.map((o) => OUTCOME_COLORS[o as keyof typeof OUTCOME_COLORS]),
          },
        },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}
