import { join } from 'node:path';
import { expect } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { trainBatch } from '../../src/engine/train/train.js';
import { runAt } from '../../src/plan/expand.js';

/** Where the peers' fixtures and their data are. */
export const GOLDEN = join(import.meta.dirname, '..', 'golden');

/**
 * What the peer tests compare: covsweep's trajectory against a torch peer's (fixture written by a
 * script in test/golden, with torch; the tests need none). Tolerance as the golden tests': four
 * times how far float32 rounding alone moves the peer's run (its float64 shadow), and never under
 * FLOOR, relative to max(1, |value|).
 */
const FLOOR = 2e-5;

/** Largest |a - b| / max(1, |b|). */
function deviation(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i]))));
}

/** Each named series of ours within the tolerance of the peer's, given the peer's float64 shadow of it. */
export function expectPeerClose(
  series: [name: string, ours: number[], peer: number[], shadow: number[]][],
): void {
  for (const [name, a, b, b64] of series) {
    const allowed = Math.max(FLOOR, 4 * deviation(b, b64));
    expect(deviation(a, b), `${name}: allowed ${allowed.toExponential(2)}`).toBeLessThanOrEqual(allowed);
  }
}

/** Each step's losses (step by lane), and the parameters the last step saw by group (lane by value). */
export type Lanes<G extends string> = { losses: number[][] } & Record<G, number[][]>;

/**
 * covsweep's runs of one peer case, one experiment (relative to test/golden) per lane, trained
 * as one batch for `steps` steps: each step's losses, and the parameters before the last step's
 * update (what the peer's on_step saw then) by the names of the task's parameter groups.
 */
export function covsweepLanes<G extends string>(
  experiments: Record<string, unknown>[],
  steps: number,
  groups: readonly G[],
): Lanes<G> {
  const runs = experiments.map((e) =>
    runAt(parseExperiment(JSON.stringify({ name: 'peer', ...e }), join(GOLDEN, 'peer.yaml')), 0),
  );
  const seen: { losses: number[][] } & Record<string, number[][]> = { losses: [] };
  const results = trainBatch(
    { index: 0, shapeKey: '', runs, steps: 0 },
    {
      onStep(step, s) {
        seen.losses.push(Array.from(s.loss));
        if (step !== steps - 1) return;
        groups.forEach((name, i) => {
          const size = s.params[i].length / runs.length;
          seen[name] = runs.map((_, b) => Array.from(s.params[i].subarray(b * size, (b + 1) * size)));
        });
      },
    },
  );
  expect(results.map((r) => r.outcome)).toEqual(runs.map(() => 'ok'));
  expect(seen.losses.length).toBe(steps);
  return seen as Lanes<G>;
}
