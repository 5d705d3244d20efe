import { runSteps } from '../../engine/tasks/specs.js';
import { settingValues } from '../../results/pivot.js';
import type { Experiment, Outcome, RunResult } from '../../types.js';
import type { Chart, RectMark } from '../svg/model.js';
import { OUTCOME_COLORS } from './palette.js';

/** Bins per decade of the step axis: fine enough to separate step 7 from step 37. */
const BINS_PER_DECADE = 5;

/** Failed runs of one parameterization and outcome whose step + 1 falls in [from, to). */
export interface StepBin {
  parameterization: string;
  outcome: Outcome;
  from: number;
  to: number;
  runs: number;
}

/** The failed runs binned evenly in log(step + 1) (step 0 needs a place), per parameterization and outcome. */
export function failureStepBins(results: readonly RunResult[]): StepBin[] {
  const bins = new Map<string, StepBin>();
  for (const r of results) {
    if (r.outcome === 'ok') continue;
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
  return [...bins.values()];
}

/** The whole steps whose step + 1 falls in a bin: "step 0", "steps 3 to 5". */
function stepsOf(b: StepBin): string {
  const [first, last] = [Math.ceil(b.from - 1 - 1e-9), Math.ceil(b.to - 1 - 1e-9) - 1];
  return first === last ? `step ${first}` : `steps ${first} to ${last}`;
}

/**
 * When runs failed: a histogram of the failure step per parameterization, coloured by outcome
 * (stacked where outcomes share a bin). Failure steps span decades (full fails in its first 40
 * steps, others near the end of 2000), so the step axis is logarithmic, binned evenly in
 * log(step + 1), and counts are whole runs, each row on its own count scale. Undefined when no run
 * failed (there is nothing to draw).
 */
export function failureSteps(e: Experiment, results: readonly RunResult[]): Chart | undefined {
  const failed = results.filter((r) => r.outcome !== 'ok');
  if (failed.length === 0) return undefined;
  const steps = results.reduce((a, r) => Math.max(a, runSteps(r.config)), 0);
  const outcomes = (Object.keys(OUTCOME_COLORS) as Outcome[]).filter(
    (o) => o !== 'ok' && failed.some((r) => r.outcome === o),
  );
  const order = settingValues(e, 'parameterization', results)
    .map(String)
    .filter((p) => failed.some((r) => r.config.parameterization === p));
  const bins = failureStepBins(results);
  const decades = Array.from({ length: Math.ceil(Math.log10(steps + 1)) + 1 }, (_, i) => 10 ** i);
  return {
    columns: 1,
    headers: 'left',
    sharedX: true,
    panels: order.map((p) => {
      // Outcomes sharing a bin stack in the legend's order.
      const bars: RectMark[] = [];
      const height = new Map<number, number>();
      for (const o of outcomes)
        for (const b of bins.filter((b) => b.parameterization === p && b.outcome === o)) {
          const below = height.get(b.from) ?? 0;
          height.set(b.from, below + b.runs);
          bars.push({
            type: 'rect',
            x: b.from,
            x2: b.to,
            y: below,
            y2: below + b.runs,
            fill: OUTCOME_COLORS[o],
            title: `${p}, ${o}: ${b.runs} run${b.runs === 1 ? '' : 's'} failed at ${stepsOf(b)}`,
          });
        }
      const top = [...height.values()].reduce((a, v) => Math.max(a, v), 1);
      return {
        header: [p],
        width: 640,
        height: 70,
        x: {
          type: 'log',
          title: `step of failure + 1, log scale (training has ${steps} steps)`,
          domain: [1, decades.at(-1)!],
          nice: false,
          values: decades,
          format: '~s',
        },
        y: { type: 'linear', title: 'runs', domain: [0, top], integer: true, format: 'd' },
        layers: [{ marks: bars, stroke: 'white', strokeWidth: 0.5 }],
      };
    }),
    legends: [
      {
        type: 'symbols',
        title: 'outcome',
        entries: outcomes.map((o) => ({ label: o, color: OUTCOME_COLORS[o], symbol: 'square' as const })),
      },
    ],
  };
}
