import type { MessagePort } from 'node:worker_threads';
import { backendFor } from '../engine/auto-backend.js';
import type { BackendChoice } from '../engine/backend.js';
import { trainBatch } from '../engine/train.js';
import type { LaneBatch, RunResult } from '../types.js';

/** What the pool posts for one lane batch. */
export interface WorkerTask {
  batch: LaneBatch;
  backend: BackendChoice;
  /** Receives `{ steps }` progress messages while the batch trains. */
  progress: MessagePort;
}

export interface WorkerReply {
  results: RunResult[];
  backend: string;
}

/** Piscina entry: train one lane batch. Backends load once per worker thread. */
export default async function run({ batch, backend, progress }: WorkerTask): Promise<WorkerReply> {
  const used = await backendFor(backend, batch);
  try {
    const results = trainBatch(batch, { onProgress: (steps) => progress.postMessage({ steps }) });
    return { results, backend: used };
  } finally {
    progress.close();
  }
}
