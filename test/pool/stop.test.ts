import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { task } from '../../src/engine/tasks/index.js';
import { expand } from '../../src/plan/expand.js';
import { pack } from '../../src/plan/pack.js';
import { runBatches } from '../../src/pool/pool.js';
import type { RunResult } from '../../src/types.js';
import { ROOT } from '../cli/cli.js';

const runs = [...expand(loadExperiment(join(ROOT, 'experiments', 'smoke.yaml')))];
const batches = pack(runs, { workers: 2, lanes: 2, steps: (c) => task(c.task.name).steps(c) });

/** A sweep stopped as soon as the first batch's results arrive. */
async function stoppedAfterFirstBatch(grace: number) {
  const stop = new AbortController();
  const results: RunResult[] = [];
  const end = await runBatches(batches, {
    workers: 2,
    backend: 'wasm',
    workerFile: join(ROOT, 'dist', 'pool', 'worker.js'),
    signal: stop.signal,
    grace,
    onResults: (rs) => {
      results.push(...rs);
      stop.abort();
    },
  });
  return { results, end };
}

describe('stopping a sweep (first Ctrl-C)', () => {
  it('starts no batch after the stop and lets the running one finish within the grace period', async () => {
    const { results, end } = await stoppedAfterFirstBatch(60_000);
    // The first batch, and the other worker's batch, which was running when the stop came.
    expect(results).toHaveLength(4);
    expect(end.unfinished).toBe(runs.length - 4);
    expect(results.every((r) => r.outcome !== 'error')).toBe(true);
  });

  it('drops batches still running when the grace period ends, and counts them unfinished', async () => {
    const { results, end } = await stoppedAfterFirstBatch(0);
    expect(new Set(results.map((r) => r.id)).size).toBe(results.length);
    expect(results.length + end.unfinished).toBe(runs.length);
    expect(results.length).toBeLessThan(runs.length);
  });

  it('runs nothing when stopped before it starts', async () => {
    const stop = new AbortController();
    stop.abort();
    const results: RunResult[] = [];
    const end = await runBatches(batches, {
      workers: 2,
      backend: 'wasm',
      workerFile: join(ROOT, 'dist', 'pool', 'worker.js'),
      signal: stop.signal,
      onResults: (rs) => results.push(...rs),
    });
    expect(results).toEqual([]);
    expect(end.unfinished).toBe(runs.length);
  });
});
