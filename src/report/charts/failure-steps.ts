import type { TopLevelSpec } from 'vega-lite';
import { runSteps } from '../../engine/tasks/index.js';
import { settingValues } from '../../results/pivot.js';
import type { Experiment, RunResult } from '../../types.js';
import { OUTCOME_COLORS } from './palette.js';

/**
 * When runs failed: a histogram of the failure step per parameterization, coloured by outcome, on
 * a step axis that spans the whole training so early and late failures look it. Undefined when no
 * run failed (there is nothing to draw).
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
  return {
    data: {
      values: failed.map((r) => ({
        parameterization: r.config.parameterization,
        step: r.step,
        outcome: r.outcome,
      })),
    },
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
      mark: { type: 'bar', binSpacing: 1 },
      encoding: {
        x: {
          field: 'step',
          type: 'quantitative',
          bin: { maxbins: 50, extent: [0, steps] },
          scale: { domain: [0, steps] },
          title: `step of failure (of ${steps})`,
        },
        y: { aggregate: 'count', type: 'quantitative', title: 'runs' },
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
