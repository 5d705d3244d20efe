import type { MessagePort } from 'node:worker_threads';
import { backendFor } from '../engine/auto-backend.js';
import type { BackendChoice } from '../engine/backend-choice.js';
import { loadRunPlugins, usesPlugins } from '../engine/plugins/load.js';
import { trainBatch } from '../engine/train/train.js';
import { lineTail, withoutParams } from '../results/line.js';
import type { LaneBatch, RunResult } from '../types.js';

/** What the pool posts for one lane batch. */
export interface WorkerTask {
  batch: LaneBatch;
  backend: BackendChoice;
  /** Where the worker tells the pool how the batch is going (`WorkerMessage`). */
  port: MessagePort;
}

export interface WorkerReply {
  results: RunResult[];
  backend: string;
  /**
   * Each result's line after its id and config (results/line.ts), made here, where the workers
   * write them in parallel rather than the main thread one after the other at the end. Where
   * tails[i] is made, results[i] comes without its params' values (`withoutParams`).
   */
  tails?: (string | undefined)[];
}

/** What a worker tells the pool while it holds a batch. */
export type WorkerMessage =
  /** The backend is ready and training begins: the batch's time limit counts from here. */
  | { type: 'started' }
  | { type: 'progress'; steps: number }
  /**
   * An exception: while loading the backend (`setup`: every batch would fail
   * the same way) or while training (`batch`).
   */
  | { type: 'fault'; phase: 'setup' | 'batch'; message: string };

/** Piscina entry: train one lane batch. Backends load once per worker thread. */
export default async function run({ batch, backend, port }: WorkerTask): Promise<WorkerReply> {
  const post = (m: WorkerMessage) => port.postMessage(m);
  let used: string;
  // Plugin modules load in every worker, as in the main thread (once per thread, then cached).
  const plugins = usesPlugins(batch.runs[0].config);
  try {
    if (plugins) await loadRunPlugins(batch.runs[0]);
    used = await backendFor(backend, batch);
  } catch (err) {
    // Choosing the backend trains a step of the batch: a plugin's exception there is the batch's.
    return fault(post, plugins ? 'batch' : 'setup', err);
  }
  post({ type: 'started' });
  let results: RunResult[];
  try {
    results = trainBatch(batch, { onProgress: (steps) => post({ type: 'progress', steps }) });
  } catch (err) {
    return fault(post, 'batch', err);
  }
  port.close();
  const tails = results.map(lineTail);
  // A result whose line is made goes without its params, which the pool reads back from the line.
  return {
    results: results.map((r, i) => (tails[i] === undefined ? r : withoutParams(r))),
    backend: used,
    tails,
  };
}

/**
 * After an exception this thread's tfjs may be broken (an aborted wasm module
 * fails every later call), so it must not take another batch. Throwing would
 * hand the thread straight back to Piscina for the next batch; instead it
 * reports the fault and waits for the pool to terminate it, which also makes
 * Piscina start a fresh thread in its place.
 */
function fault(post: (m: WorkerMessage) => void, phase: 'setup' | 'batch', err: unknown): Promise<never> {
  post({ type: 'fault', phase, message: err instanceof Error ? err.message : String(err) });
  return new Promise<never>(() => {});
}
