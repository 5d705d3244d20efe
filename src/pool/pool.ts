import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { BackendChoice } from '../engine/backend.js';
import type { LaneBatch, RunResult } from '../types.js';
import type { WorkerReply, WorkerTask } from './worker.js';

export interface PoolOptions {
  /** @default one per available core */
  workers?: number;
  backend: BackendChoice;
  /** Every result of a batch, as soon as the batch ends. */
  onResults: (results: RunResult[], backend: string) => void;
  /** Steps done so far by a batch. */
  onProgress?: (batch: LaneBatch, steps: number) => void;
}

export const defaultWorkers = () => availableParallelism();

const workerFile = new URL('./worker.js', import.meta.url).href;

/**
 * Train lane batches on a Piscina pool of worker threads, one pool task per
 * batch. A batch that throws becomes `error` results for its lanes; the
 * others go on.
 */
export async function runBatches(batches: LaneBatch[], o: PoolOptions): Promise<void> {
  const workers = o.workers ?? defaultWorkers();
  const pool = new Piscina<WorkerTask, WorkerReply>({
    filename: workerFile,
    minThreads: workers,
    maxThreads: workers,
    // Batches are queued up front; let the queue hold all of them.
    maxQueue: Number.POSITIVE_INFINITY,
  });
  try {
    await Promise.all(
      batches.map(async (batch) => {
        const { port1, port2 } = new MessageChannel();
        port1.on('message', (m: { steps: number }) => o.onProgress?.(batch, m.steps));
        try {
          const reply = await pool.run(
            { batch, backend: o.backend, progress: port2 },
            { transferList: [port2] },
          );
          o.onResults(reply.results, reply.backend);
        } catch (err) {
          o.onResults(errorResults(batch, err), 'none');
        } finally {
          port1.close();
        }
      }),
    );
  } finally {
    await pool.destroy();
  }
}

function errorResults(batch: LaneBatch, err: unknown): RunResult[] {
  const reason = err instanceof Error ? err.message : String(err);
  return batch.runs.map(({ id, config }) => ({
    id,
    config,
    outcome: 'error',
    reason,
    step: 0,
    loss: Number.NaN,
    metrics: {},
    curve: [],
    seconds: 0,
  }));
}
