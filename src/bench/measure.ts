import { Bench } from 'tinybench';
import { useBackend } from '../engine/backend.js';
import { LaneTrainer } from '../engine/train/train.js';
import { benchBatch, benchConfig, type Cell } from './grid.js';
import { ReferenceStep } from './reference.js';

/**
 * A measured cell: lane-steps per second from the median on-CPU time of one
 * step, the same from the median wall-clock time, or why it failed.
 */
export type Measured =
  | { cell: Cell; laneStepsPerSecond: number; wallLaneStepsPerSecond: number; samples: number }
  | { cell: Cell; error: string };

/**
 * Lane-steps per sample of the reference loop at d = 2: one step (~0.3 µs) is
 * below the clock's resolution. A step costs about d^3, so larger d take fewer.
 */
const REFERENCE_STEPS = 2000;

/** Samples a cell takes when its steps are fast enough (tinybench's minimum). */
const SAMPLES = 5;

/**
 * Time `LaneTrainer.advance` of the cell's batch with tinybench for about
 * `ms` milliseconds after a warm-up, and take the median step. Batch setup
 * (data, data upload) is outside the timing; a batch that runs out of steps is
 * remade between samples. A first, untimed-by-tinybench step gauges the cell:
 * when SAMPLES steps would not fit in `budgetMs` of wall-clock time, it takes
 * as many as fit (at least that one, which then is the measurement).
 */
export async function measureCell(cell: Cell, ms: number, budgetMs: number): Promise<Measured> {
  try {
    await useBackend(cell.backend as Parameters<typeof useBackend>[0]);
    const batch = benchBatch(cell);
    let trainer = new LaneTrainer(batch);
    try {
      const wall0 = performance.now();
      const cpu0 = cpuNow();
      trainer.advance();
      const probe = { wallMs: performance.now() - wall0, cpuMs: cpuNow() - cpu0, samples: 1 };
      const fit = Math.floor(budgetMs / probe.wallMs) - 1;
      const median =
        fit < 1
          ? probe
          : await medianMs(
              ms,
              () => trainer.advance(),
              () => {
                if (trainer.done) {
                  trainer.dispose();
                  trainer = new LaneTrainer(batch);
                }
              },
              // The probe step warmed a slow cell up already.
              { iterations: Math.min(SAMPLES, fit), warmup: probe.wallMs < 100 },
            );
      return {
        cell,
        laneStepsPerSecond: cell.lanes / (median.cpuMs / 1000),
        wallLaneStepsPerSecond: cell.lanes / (median.wallMs / 1000),
        samples: median.samples,
      };
    } finally {
      trainer.dispose();
    }
  } catch (err) {
    return { cell, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether the cell's task and parameterization have a native step (needs a tfjs backend loaded). */
export function hasNativeStep(cell: Cell): boolean {
  const trainer = new LaneTrainer(benchBatch({ ...cell, lanes: 1 }), undefined, true);
  try {
    return trainer.engine === 'native';
  } finally {
    trainer.dispose();
  }
}

/** Lane-steps per second (on-CPU and wall-clock medians) of the reference loop (seed 000's task at `dim`, one lane, plain float32 JS). */
export async function measureReference(
  ms: number,
  dim: number,
): Promise<{ dim: number; cpu: number; wall: number }> {
  const reference = new ReferenceStep(benchConfig('mvn-classifier', 'full', dim));
  const steps = Math.max(1, Math.round(REFERENCE_STEPS / (dim / 2) ** 3));
  const median = await medianMs(ms, () => {
    let loss = 0;
    for (let i = 0; i < steps; i++) loss += reference.advance();
    // A failed run would stop working and time nothing; at the bench's learning rates none fails.
    if (Number.isNaN(loss)) throw new Error(`the reference run at d = ${dim} failed`);
  });
  return { dim, cpu: steps / (median.cpuMs / 1000), wall: steps / (median.wallMs / 1000) };
}

/** This process's CPU time in milliseconds (the bench runs on one thread). */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Median time of `fn` by tinybench, on-CPU (tinybench's clock: on a shared
 * machine, time spent waiting for a core is not the engine's) and wall-clock
 * (from the hooks around each sample), over at least `o.iterations` samples
 * and `ms` milliseconds. `beforeEach` runs outside both.
 */
async function medianMs(
  ms: number,
  fn: () => void,
  beforeEach?: () => void,
  o: { iterations: number; warmup: boolean } = { iterations: SAMPLES, warmup: true },
) {
  const walls: number[] = [];
  let start = 0;
  const bench = new Bench({
    time: ms,
    iterations: o.iterations,
    warmupTime: Math.min(ms, 100),
    warmupIterations: 2,
    now: cpuNow,
  });
  bench.add('cell', fn, {
    beforeEach() {
      beforeEach?.();
      start = performance.now();
    },
    afterEach() {
      walls.push(performance.now() - start);
    },
  });
  if (o.warmup) await bench.warmup();
  walls.length = 0;
  await bench.run();
  const result = bench.tasks[0].result;
  if (!result || result.error) throw result?.error ?? new Error('tinybench gave no result');
  return { cpuMs: median(result.samples), wallMs: median(walls), samples: result.samples.length };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
