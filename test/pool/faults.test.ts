import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { useBackend } from '../../src/engine/backend.js';
import { task } from '../../src/engine/tasks/index.js';
import { trainBatch } from '../../src/engine/train/train.js';
import { expand } from '../../src/plan/expand.js';
import { pack } from '../../src/plan/pack.js';
import { type PoolOptions, runBatches } from '../../src/pool/pool.js';
import type { RunResult } from '../../src/types.js';
import { ROOT, tempDir } from '../cli/cli.js';

// Seed 0 of the smoke sweep: 4 runs in 2 batches of 2 lanes. The mechanism is the same as with
// the whole sweep (a poisoned batch beside a healthy one, a healthy lane beside the poisoned run),
// at a third of the training.
const runs = [...expand(loadExperiment(join(ROOT, 'experiments', 'smoke.yaml')))].filter(
  (r) => r.config.seed === 0,
);
const batches = pack(runs, { workers: 2, lanes: 2, steps: (c) => task(c.task.name).steps(c) });
const poison = batches[1].runs[1].id;

it('the sweep has a healthy batch, and a healthy run beside the poisoned one', () => {
  expect(batches.map((b) => b.runs.length)).toEqual([2, 2]);
});
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', 'workers', `${name}.mjs`);
const timeless = (r: RunResult) => ({ ...r, seconds: 0 });

/**
 * What the engine makes of every run, trained here in-process: what the pool must deliver, each
 * record naming the backend its worker trained it on.
 */
let reference: Map<string, RunResult>;
beforeAll(async () => {
  await useBackend('wasm');
  reference = new Map(
    batches.flatMap((b) => trainBatch(b)).map((r) => [r.id, { ...timeless(r), backend: 'wasm' }]),
  );
});

async function sweep(o: Partial<PoolOptions>) {
  const results: RunResult[] = [];
  const retried: string[] = [];
  const end = await runBatches(batches, {
    workers: 2,
    workerFile: join(ROOT, 'dist', 'pool', 'worker.js'),
    backend: 'wasm',
    onResults: (rs) => results.push(...rs),
    onRetry: (b, reason) => retried.push(`#${b.index}: ${reason}`),
    ...o,
  });
  return { results, retried, end };
}

const CASES = [
  { name: 'engine-throws', outcome: 'error', reason: /^unknown task "poison"$/ },
  { name: 'rejects', outcome: 'error', reason: /^poisoned batch$/ },
  // One worker: the sweep can only finish if the pool replaces the worker that exited.
  { name: 'exits', outcome: 'error', reason: /^worker exited with code: 3$/, options: { workers: 1 } },
  {
    name: 'allocates',
    outcome: 'error',
    reason: /out of memory/,
    options: { resourceLimits: { maxOldGenerationSizeMb: 96 } },
  },
  // The engine would stop each run at 5 s; a batch still running at 1.5 x 5 + 5 s is stuck.
  { name: 'loops', outcome: 'timeout', reason: /stuck/, options: { timeout: 5 } },
] as const;

describe.each(CASES)('a worker that $name on one run', ({ name, outcome, reason, ...rest }) => {
  it('does not end the sweep: the batch is retried run by run, only that run fails, every other run is exact', async () => {
    process.env.COVSWEEP_POISON = poison;
    const { results, retried, end } = await sweep({
      workerFile: fixture(name),
      ...('options' in rest ? rest.options : {}),
    });
    expect(end.unfinished).toBe(0);
    expect(retried).toEqual([expect.stringMatching(/^#1: /)]);
    expect(results.map((r) => r.id).sort()).toEqual(runs.map((r) => r.id).sort());
    for (const r of results) {
      if (r.id !== poison) {
        expect(timeless(r)).toEqual(reference.get(r.id));
        continue;
      }
      expect(r.outcome).toBe(outcome);
      expect(r.outcome !== 'ok' && r.reason).toMatch(reason);
      expect(r.config).toEqual(reference.get(r.id)?.config);
    }
  });
});

describe('faults that pass', () => {
  it('a worker that exits once: its batch is retried run by run and every run is exact', async () => {
    process.env.COVSWEEP_MARKER = join(tempDir(), 'exited');
    const { results, retried } = await sweep({ workerFile: fixture('exits-once') });
    expect(retried).toHaveLength(1);
    expect(results.map(timeless).sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
      [...reference.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });
});

describe('faults that end the sweep', () => {
  it('a backend that cannot load stops the sweep with one clear error instead of failing every run', async () => {
    await expect(sweep({ backend: 'tensorflow' })).rejects.toThrow(
      /^the workers cannot start: backend "tensorflow" is not available/,
    );
  });

  it('a worker module that cannot load stops the sweep instead of waiting for a worker forever', async () => {
    await expect(sweep({ workerFile: fixture('missing-module') })).rejects.toThrow(
      /^the workers cannot start: .*no-such-file.mjs/,
    );
  });

  it('results that cannot be written stop the sweep with that error', async () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    await expect(
      sweep({
        onResults: () => {
          throw full;
        },
      }),
    ).rejects.toBe(full);
  });
});
