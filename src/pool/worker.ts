import type { MessagePort } from 'node:worker_threads';
import { type BackendChoice, useBackend } from '../engine/backend.js';
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

let ready: Promise<string> | undefined;

/** Piscina entry: train one lane batch. The backend loads once per worker thread. */
export default async function run({ batch, backend, progress }: WorkerTask): Promise<WorkerReply> {
  ready ??= useBackend(backend);
  const used = await ready;
  try {
    const results = trainBatch(batch, { onProgress: (steps) => progress.postMessage({ steps }) });
    return { results, backend: used };
  } finally {
    progress.close();
  }
}
