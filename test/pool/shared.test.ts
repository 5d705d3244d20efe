import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatches, WorkerPool } from '../../src/pool/pool.js';
import type { LaneBatch } from '../../src/types.js';
import { ROOT } from '../cli/cli.js';
import { classifierConfig } from '../engine/configs.js';

const workerFile = join(ROOT, 'test', 'fixtures', 'workers', 'thread-id.mjs');
const batch = (index: number): LaneBatch => ({
  index,
  shapeKey: '',
  steps: 1,
  runs: [{ id: `run${index}`, config: classifierConfig({ seed: index }) }],
});

/** The worker threads that trained two rounds of two batches each, one call per round. */
async function rounds(shared?: WorkerPool) {
  const threads: string[][] = [];
  for (const round of [0, 1]) {
    const used: string[] = [];
    await runBatches([batch(2 * round), batch(2 * round + 1)], {
      pool: shared,
      workers: 2,
      workerFile,
      backend: 'cpu',
      onResults: (_, backend) => used.push(backend),
    });
    threads.push(used.sort());
  }
  return threads;
}

describe('a worker pool shared by several calls (a frontier session)', () => {
  it('trains every call on the same threads, and stays up until its owner destroys it', async () => {
    const pool = new WorkerPool({ workers: 2, workerFile });
    try {
      const [first, second] = await rounds(pool);
      expect(new Set([...first, ...second]).size).toBeLessThanOrEqual(2);
      expect(second.every((t) => first.includes(t))).toBe(true);
    } finally {
      await pool.destroy();
    }
  });

  it('is not what a call without one gets: each starts threads of its own', async () => {
    const [first, second] = await rounds();
    expect(second.some((t) => first.includes(t))).toBe(false);
  });
});
