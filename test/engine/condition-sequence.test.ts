import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainBatch } from '../../src/engine/train/train.js';
import { shareBuiltWasm } from '../../src/ground/built-wasm.js';
import type { LaneBatch, RunConfig, RunResult } from '../../src/types.js';
import { ROOT } from '../cli/cli.js';
import { useBackend } from './backend.js';
import { dirtyNextBlocks } from './conditions.js';
import { batchOf, classifierConfig, scoreMatchingConfig } from './configs.js';

// A frontier's worker trains batch after batch in one thread, and each batch's condition kernels
// (native/condition-wasm.ts) take their linear memory from an instance collected before, or from
// memory past the last one: a read of anything the batch did not write first sees another batch's
// values (a5ec14d: stale `wants` flags let runs above the limit end ok). Here batches of every size
// tier train one after another on memory made dirty two ways, and each run must end as it does
// alone in a thread of its own, whose memory no batch touched.

/**
 * The kernels' size tiers: quads written out, blocks in pairs (3); masks' list, passes apart (8);
 * strips, block by block beside the batch's pass (16); a strip's remainder (20); block by block
 * alone, blocks copied in for `moves` (32); both (40).
 */
const DIMS = [3, 8, 16, 20, 32, 40];
const PARAMETERIZATIONS = ['full', 'tril', 'log-cholesky', 'precision-cholesky'];

/**
 * Per d, a score-matching batch of 2 lanes and a classifier batch of 1 (2 units): the same 2
 * blocks, so the same bytes of kernels' memory, which the second takes from the first once it is
 * collected (condition-wasm.ts `free` is by size). A low limit that runs reach (singular) or stay
 * under (ok), and steps too large (diverged). The parameterizations in turn: full's check on
 * Sigma, tril's exact factor, the rounded diagonals of log-cholesky and precision-cholesky.
 */
function batches(): LaneBatch[] {
  return DIMS.flatMap((d, i) => {
    const sm = PARAMETERIZATIONS[i % 4];
    const classifier = PARAMETERIZATIONS[(i + 1) % 4];
    const near = (c: RunConfig): RunConfig => ({
      ...c,
      thresholds: { divergence_bound: 1e8, max_condition: 10 },
    });
    const steep: RunConfig = {
      ...scoreMatchingConfig({ parameterization: sm, lr: 0.1, seed: i, dim: d, iterations: 30 }),
      thresholds: { divergence_bound: 100, max_condition: 2 ** 23 },
    };
    const base = classifierConfig({ parameterization: classifier, lr: 1e-2, seed: i, epochs: 1 });
    return [
      batchOf([
        near(scoreMatchingConfig({ parameterization: sm, lr: 1e-2, seed: i, dim: d, iterations: 30 })),
        steep,
      ]),
      batchOf([near({ ...base, dim: d, task: { ...base.task, n_per_class: Math.max(10, d) } })]),
    ];
  });
}

/** What a run's result says, timing aside. */
const verdict = (r: RunResult) => ({
  outcome: r.outcome,
  step: r.step,
  reason: r.outcome === 'ok' ? undefined : r.reason,
  loss: r.loss,
});

/**
 * The batch trained in a new worker thread, whose linear memory is its own and new (the built
 * code, as the pool's workers run it: test/fixtures/workers/train-alone.mjs; `npm test` builds).
 */
function alone(batch: LaneBatch): Promise<RunResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(ROOT, 'test', 'fixtures', 'workers', 'train-alone.mjs'), {
      workerData: batch,
    });
    worker.once('message', (results: RunResult[]) => {
      resolve(results);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe("a batch's results do not depend on the batches its thread trained before", () => {
  beforeAll(() => useBackend('native'));

  it('score-matching and classifier batches of d = 3 to 40, one after another, end as each run alone', async () => {
    // Collected instances' memory goes back to condition-wasm.ts's `free` only after a collection.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // Memory past the last block, float32 ones. 32 MB: more than the batches below take (16).
    dirtyNextBlocks(32 << 20);

    const all = batches();
    const seen: ReturnType<typeof verdict>[] = [];
    for (const batch of all) {
      seen.push(...trainBatch(batch).map(verdict));
      gc();
      // FinalizationRegistry callbacks run in a task of their own, after the collection.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // Each run alone, two threads at a time (their startup, mostly tfjs's, is most of their time),
    // given the built modules compiled once, as the pool's are: code, not memory, is shared.
    shareBuiltWasm();
    const runs = all.flatMap((batch) => batch.runs.map((run) => ({ ...batch, runs: [run] })));
    const expected: ReturnType<typeof verdict>[] = [];
    for (let i = 0; i < runs.length; i += 2)
      for (const results of await Promise.all(runs.slice(i, i + 2).map(alone)))
        expected.push(...results.map(verdict));
    expect(seen).toEqual(expected);
    // The runs reach every end the check decides between.
    expect(new Set(seen.map((v) => v.outcome))).toEqual(new Set(['ok', 'singular', 'diverged']));
  });
});
