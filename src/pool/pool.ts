import { MessageChannel, type ResourceLimits, receiveMessageOnPort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { BackendChoice } from '../engine/backend-choice.js';
import { shareBuiltWasm } from '../ground/built-wasm.js';
import { CovsweepError } from '../ground/errors.js';
import { lineFromTail, paramsFromLine } from '../results/line.js';
import { isCommand, type LaneBatch, type RunResult } from '../types.js';
import { COMMAND_BACKEND, runCommand } from './command.js';
import { batchLimit, type Ending, errorMessage, failedResults, runLimit } from './faults.js';
import { LoadWatch } from './loaded.js';
import type { WorkerMessage, WorkerReply, WorkerTask } from './worker.js';
import { defaultWorkers } from './workers.js';

export interface PoolOptions {
  /** @default one per available core */
  workers?: number;
  backend: BackendChoice;
  /**
   * Every result of a batch, as soon as the batch ends, with each one's line of results.jsonl
   * where its worker made it. An exception here (disk full) ends the sweep.
   */
  onResults: (results: RunResult[], backend: string, lines?: (string | undefined)[]) => void;
  /** Steps done so far by a batch (0 again when a failed batch's runs are retried). */
  onProgress?: (batch: LaneBatch, steps: number) => void;
  /** A batch failed and its runs will be retried one by one. */
  onRetry?: (batch: LaneBatch, reason: string) => void;
  /** Seconds each run may take, on top of its own `timeout` (the smaller applies); 0 = none. */
  timeout?: number;
  /** Abort to stop: no batch starts after it; running ones get `grace` ms to finish, then are dropped. */
  signal?: AbortSignal;
  /** @default 5000 */
  grace?: number;
  /** The worker module (a path or file: URL); tests point it at fault fixtures. @default ./worker.js */
  workerFile?: string;
  /** V8 heap limits of each worker thread; a worker past them is replaced like one that crashed. */
  resourceLimits?: ResourceLimits;
  /**
   * Worker threads to train on, shared with other calls (a frontier's rounds), which then
   * outlive this one: its owner destroys it. Without it, a pool of `workers` threads is made and
   * destroyed here. Its own workers, workerFile and resourceLimits then apply.
   */
  pool?: WorkerPool;
}

export interface PoolEnd {
  /** Runs left without a result because the sweep was stopped. */
  unfinished: number;
}

const WORKER_FILE = new URL('./worker.js', import.meta.url).href;

/**
 * A fresh worker loads tfjs and its backend before it trains (seconds); one
 * that has not started its batch by this is not going to, and a worker that
 * fails before it starts would fail every batch: both end the sweep.
 */
const STARTUP_SECONDS = 120;

/**
 * Piscina worker threads, started when first used, that several `runBatches`
 * calls can share: a fresh worker spends seconds loading tfjs and its backend
 * before it trains, which every frontier round would pay again with a pool of
 * its own. Workers hold no state between batches, so results do not depend on
 * which pool trained them.
 */
export class WorkerPool {
  readonly workers: number;
  private piscina?: Piscina<WorkerTask, WorkerReply>;
  private loads?: LoadWatch;

  constructor(private readonly o: Pick<PoolOptions, 'workers' | 'workerFile' | 'resourceLimits'> = {}) {
    this.workers = o.workers ?? defaultWorkers();
  }

  /** The threads, started now if they are not yet. */
  threads(): Piscina<WorkerTask, WorkerReply> {
    if (!this.piscina) {
      // Before the threads start: they take the modules compiled here (see shareBuiltWasm).
      shareBuiltWasm();
      this.piscina = new Piscina<WorkerTask, WorkerReply>({
        filename: this.o.workerFile ?? WORKER_FILE,
        minThreads: this.workers,
        maxThreads: this.workers,
        resourceLimits: this.o.resourceLimits,
      });
      // A worker dying between batches has nothing to retry and Piscina replaces it;
      // unheard, the 'error' event would throw in the main thread.
      this.piscina.on('error', () => {});
      const p = this.piscina;
      this.loads = new LoadWatch(() => p.threads);
    }
    // Threads Piscina started since (in place of one that failed or was ended) are watched too.
    this.loads?.watch();
    return this.piscina;
  }

  /**
   * Ends the threads, each once it has loaded its module (or failed to, or after a bound): one
   * ended while still loading can abort the whole process (see LoadWatch), as a session that fails
   * right after starting them would. Resolves once these threads and those of every earlier
   * call have ended, so that a session can start ending them, write its report meanwhile, and
   * wait for them last.
   */
  destroy(): Promise<void> {
    const p = this.piscina;
    const loads = this.loads;
    this.piscina = undefined;
    this.loads = undefined;
    const earlier = this.ending;
    this.ending = (async () => {
      await earlier;
      await loads?.all();
      await p?.destroy();
    })();
    return this.ending;
  }

  /** The last `destroy`'s end. */
  private ending?: Promise<void>;

  /** Resolves once every thread has loaded its module or is gone (at most 20 s): see LoadWatch. */
  async loaded(): Promise<void> {
    await this.loads?.all();
  }
}

/** A batch to train; `alone` for the one-run retries of a failed batch, which are not retried again. */
interface Job {
  batch: LaneBatch;
  alone: boolean;
}

/**
 * Train lane batches on a Piscina pool of worker threads, one pool task per
 * batch, at most one batch per worker in flight, so that stopping only has to
 * stop starting them. Faults stay local: a batch whose worker throws, exits or
 * runs out of memory, or runs past its time limit, loses its worker (Piscina
 * starts a fresh one) and its runs are retried once each, alone, so that one
 * poisonous run is found and the others finish; a run that fails alone too is
 * recorded as `error` (or `timeout`). How a run ended numerically (singular,
 * diverged) is a result, never a fault, and never retried.
 */
export async function runBatches(batches: LaneBatch[], o: PoolOptions): Promise<PoolEnd> {
  const pool = o.pool ?? new WorkerPool(o);
  const workers = pool.workers;
  const queue: Job[] = batches.map((batch) => ({ batch, alone: false }));
  const running = new Map<Job, AbortController>();
  let nextIndex = batches.length;
  let unfinished = 0;
  let fatal: unknown;
  const stopAll = () => {
    for (const c of running.values()) c.abort({ kind: 'stopped' } satisfies Ending);
  };

  function settle(job: Job, end: Ending) {
    if (end.kind === 'stopped') {
      unfinished += job.batch.runs.length;
    } else if (end.kind === 'fault' && end.phase === 'setup') {
      unfinished += job.batch.runs.length;
      fatal ??= new CovsweepError('E_IO', `the workers cannot start: ${end.message}`);
      stopAll();
    } else if (!job.alone) {
      o.onRetry?.(job.batch, end.kind === 'stuck' ? `still running after ${end.seconds} s` : end.message);
      o.onProgress?.(job.batch, 0);
      const retries = job.batch.runs.map((run) => ({
        batch: { ...job.batch, index: nextIndex++, runs: [run] },
        alone: true,
      }));
      queue.unshift(...retries);
    } else {
      o.onResults(failedResults(job.batch, end), 'none');
    }
  }

  async function attempt(job: Job) {
    const controller = new AbortController();
    running.set(job, controller);
    if (isCommand(job.batch.runs[0].config)) return attemptCommand(job, controller.signal);
    const abort = (end: Ending) => controller.abort(end);
    const { port1, port2 } = new MessageChannel();
    const limit = batchLimit(job.batch, o.timeout);
    let started = false;
    let guard = setTimeout(
      () =>
        abort({ kind: 'fault', phase: 'setup', message: `no worker started within ${STARTUP_SECONDS} s` }),
      STARTUP_SECONDS * 1000,
    );
    const handle = (m: WorkerMessage) => {
      if (m.type === 'progress') o.onProgress?.(job.batch, m.steps);
      else if (m.type === 'fault') abort({ kind: 'fault', phase: m.phase, message: m.message });
      else {
        started = true;
        clearTimeout(guard);
        if (limit) guard = setTimeout(() => abort({ kind: 'stuck', ...limit }), limit.seconds * 1000);
      }
    };
    port1.on('message', handle);
    // Piscina ends the thread of a task it is told to abort, and the thread may still be loading
    // its module (a fault elsewhere stops every batch at once): it is told once they have loaded.
    const ending = new AbortController();
    controller.signal.addEventListener('abort', () => void pool.loaded().then(() => ending.abort()), {
      once: true,
    });
    let reply: WorkerReply | undefined;
    let end: Ending | undefined;
    try {
      reply = await pool
        .threads()
        .run(
          { batch: limited(job.batch, o.timeout), backend: o.backend, port: port2 },
          { transferList: [port2], signal: ending.signal },
        );
    } catch (err) {
      // Messages the worker sent before it died may not have been dispatched yet.
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) handle(m.message);
      end = controller.signal.aborted
        ? controller.signal.reason
        : // Before training starts a fault is the worker's own (its module or backend), not the batch's.
          { kind: 'fault', phase: started ? 'batch' : 'setup', message: errorMessage(err) };
    } finally {
      clearTimeout(guard);
      port1.close();
      running.delete(job);
    }
    try {
      if (reply) {
        const results = restored(job.batch, reply.results, reply.backend);
        o.onResults(results, reply.backend, linesOf(results, reply.tails, reply.backend));
      } else settle(job, end!);
    } catch (err) {
      // Results that cannot be written: nothing more should run.
      fatal ??= err;
      stopAll();
    }
  }

  /**
   * A command run (packed alone): its process is spawned from this thread, one of the pool's
   * `workers` slots, and killed on stop. It cannot take a worker down, so it is never retried.
   */
  async function attemptCommand(job: Job, signal: AbortSignal) {
    const [run] = job.batch.runs;
    try {
      const result = await runCommand(run, {
        timeout: o.timeout,
        signal,
        onProgress: (steps) => o.onProgress?.(job.batch, steps),
      });
      if (result) o.onResults([result], COMMAND_BACKEND);
      else unfinished += 1;
    } catch (err) {
      fatal ??= err;
      stopAll();
    } finally {
      running.delete(job);
    }
  }

  let graceTimer: NodeJS.Timeout | undefined;
  const onStop = () => {
    graceTimer = setTimeout(stopAll, o.grace ?? 5000);
  };
  o.signal?.addEventListener('abort', onStop, { once: true });
  const inFlight = new Set<Promise<void>>();
  try {
    for (;;) {
      while (!o.signal?.aborted && !fatal && queue.length && inFlight.size < workers) {
        const task: Promise<void> = attempt(queue.shift()!).finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
      if (!inFlight.size) break;
      await Promise.race(inFlight);
    }
  } finally {
    clearTimeout(graceTimer);
    o.signal?.removeEventListener('abort', onStop);
    if (!o.pool) await pool.destroy();
  }
  if (fatal) throw fatal;
  return { unfinished: unfinished + queue.reduce((n, j) => n + j.batch.runs.length, 0) };
}

/** The batch as posted: each run's time limit lowered to the CLI's where that is smaller. */
function limited(batch: LaneBatch, cliTimeout = 0): LaneBatch {
  if (!cliTimeout) return batch;
  return {
    ...batch,
    runs: batch.runs.map((run) => ({
      ...run,
      config: { ...run.config, timeout: runLimit(run.config, cliTimeout) },
    })),
  };
}

/**
 * Results with each run's config as planned (`--timeout` is a limit of this
 * session, not a setting of the run, so it changes neither its id nor its
 * record) and the backend that trained them, which `repro` runs them on again.
 */
function restored(batch: LaneBatch, results: RunResult[], backend: string): RunResult[] {
  const configs = new Map(batch.runs.map((r) => [r.id, r.config]));
  return results.map((r) => ({ ...r, config: configs.get(r.id) ?? r.config, backend }));
}

/**
 * The restored results' lines from the tails their worker made (undefined where it made none);
 * each result with a line reads its params (which the worker left out) from it.
 */
function linesOf(
  results: RunResult[],
  tails: readonly (string | undefined)[] = [],
  backend = '',
): (string | undefined)[] {
  return results.map((r, i) => {
    const tail = tails[i];
    if (tail === undefined) return undefined;
    const line = lineFromTail(r.id, r.config, tail, backend);
    paramsFromLine(r, line);
    return line;
  });
}
