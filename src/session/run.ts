import { basename } from 'node:path';
import { runDataBytes } from '../config/data-size.js';
import type { BackendChoice } from '../engine/backend-choice.js';
import { runSteps } from '../engine/tasks/specs.js';
import type { FrontierExperiment } from '../frontier/summary.js';
import { CovsweepError } from '../ground/errors.js';
import { VERSION } from '../ground/version.js';
import { runCount, runsOf } from '../plan/expand.js';
import { pack } from '../plan/pack.js';
import { type Selection, select } from '../plan/select.js';
import { parseShard, shardLabel } from '../plan/shard.js';
import { runBatches, WorkerPool } from '../pool/pool.js';
import { capWorkers, defaultWorkers } from '../pool/workers.js';
import { reportNotes, reportRun } from '../report/reporters.js';
import { inPlanOrder } from '../results/order.js';
import { folderToResume, openToResume } from '../results/resume.js';
import { type Manifest, RunFolder } from '../results/store.js';
import type { LaneBatch, RunResult, RunSpec, Suite } from '../types.js';
import type { SessionEvents } from './events.js';
import { loadFolderPlugins } from './folder-plugins.js';
import { searchFrontier } from './frontier.js';

export interface RunSessionOptions {
  /** Folder under which each run gets runs/<experiment>/<UTC time>/. @default 'runs' */
  root?: string;
  /** Worker threads, at most two per core (more is lowered, with a note). @default one per available core */
  workers?: number;
  /** @default 'auto' */
  backend?: BackendChoice;
  /** Most runs per lane batch. @default the packer's choice */
  lanes?: number;
  /** Seconds each run may take, on top of the experiment's own limit (the smaller applies). */
  timeout?: number;
  /** Which of the sweeps' runs to train (a shard, chosen ids); a frontier's runs are never selected. */
  selection?: Selection;
  /**
   * Continue a folder instead of making one: `dir`, or else the newest of the suite's under
   * `root`, with its own selection. `force` continues it even though the file now plans other runs.
   */
  resume?: { dir?: string; force?: boolean };
  /** Abort to stop: nothing new starts, running batches get `graceSeconds` to finish. */
  signal?: AbortSignal;
  /** @default 5 */
  graceSeconds?: number;
  events?: SessionEvents;
  /** The pool's worker module; tests point it at the built one. @default the pool's */
  workerFile?: string;
}

export interface RunSessionResult {
  /** The run folder. */
  dir: string;
  /** Every result in the folder, in plan order. */
  results: RunResult[];
  /** Runs the folder is meant to hold. */
  planned: number;
  /** Runs left without a result because the session was stopped; 0 when it ran to the end. */
  unfinished: number;
  /** summary.md's text. */
  summary: string;
}

/**
 * The lane batches `runs` train in: what `run` trains and what the API's `plan` shows (batch
 * sizes follow each run's steps and the data it holds).
 */
export function packRuns(runs: RunSpec[], workers: number, lanes?: number): LaneBatch[] {
  return pack(runs, { workers, lanes, steps: runSteps, laneBytes: runDataBytes });
}

/**
 * Trains the runs of an experiment file's experiments (all, a shard, chosen ids, or those a folder
 * lacks) through one pool into one folder, then writes its tables and report. Sweeps train first,
 * then the frontier searches round by round. Results reach results.jsonl as each batch ends, so a
 * stopped or failed session keeps every finished run.
 */
export async function runSession(suite: Suite, o: RunSessionOptions = {}): Promise<RunSessionResult> {
  // One writer per folder: the session takes its lock, and it is released however the session
  // ends; so are the pool's threads.
  const held: Held = {};
  try {
    return await lockedSession(suite, o, held);
  } finally {
    held.release?.();
    // Ending the threads cannot fail the session: its results and reports are written, or its
    // own error is the one to report (threads started early may have failed to load meanwhile).
    await held.pool?.destroy().catch(() => {});
  }
}

/** What a session holds until it ends: the folder's lock, the worker threads. */
interface Held {
  release?: () => void;
  pool?: WorkerPool;
}

async function lockedSession(suite: Suite, o: RunSessionOptions, held: Held): Promise<RunSessionResult> {
  const events = o.events ?? {};
  const capped = capWorkers(o.workers ?? defaultWorkers());
  if (capped.note) events.onNote?.(capped.note);
  const { workers } = capped;
  const { timeout, lanes } = o;
  const searches = suite.experiments.filter((e): e is FrontierExperiment => e.frontier !== undefined);
  const sweeps = suite.experiments.filter((e) => !e.frontier);
  // One pool for the sweeps and every frontier round: its workers load their modules once. No more
  // threads than runs: 2 runs never start 1000 engines. When the run count is known without
  // expanding the plan (one sweep, nothing selected or resumed), the threads start here and load
  // their modules while this thread expands the plan and makes the folder.
  const poolFor = (runs: number) =>
    new WorkerPool({ workers: Math.max(1, Math.min(workers, runs)), workerFile: o.workerFile });
  if (!o.resume && !o.selection?.shard && !o.selection?.only && sweeps.length <= 1) {
    const runs = suite.experiments.reduce((n, e) => n + runCount(e), 0);
    held.pool = poolFor(runs);
    if (runs) held.pool.threads();
  }
  const now = new Date().toISOString();
  // Taken before a resume reads (and may cut) results.jsonl.
  const toResume = o.resume ? folderToResume(suite, o.root ?? 'runs', o.resume.dir) : undefined;
  held.release = toResume?.lock();
  // The folder's copies of plugin modules, for its copy of the experiment. Copies that no longer
  // load (edited since) make a changed experiment: openToResume says so, and refuses without force.
  if (toResume) await loadFolderPlugins(toResume.dir).catch(ignoreConfigError);
  const resumed = toResume && openToResume(suite, toResume, Boolean(o.resume?.force));
  const old = resumed?.folder.manifest();
  const asked = o.selection ?? {};
  const selection: Selection = old
    ? { shard: old.shard ? parseShard(old.shard) : undefined, only: old.only }
    : asked;
  // Checked (an --only id the file lacks) before any folder is made. A frontier's runs are
  // chosen by its searches, one per run of its sweep (and no selection applies to them).
  const selected = select(runsOf(sweeps), selection);
  const runs = selected.length + searches.reduce((n, e) => n + runCount(e), 0);
  const manifest: Manifest = old
    ? {
        ...old,
        file: suite.file,
        runs,
        workers,
        timeout,
        resumed: [...(old.resumed ?? []), now],
      }
    : {
        covsweep: VERSION,
        experiment: suite.name,
        file: suite.file,
        backend: 'pending',
        node: process.version,
        workers,
        runs,
        started: now,
        shard: asked.shard && shardLabel(asked.shard),
        only: asked.only,
        timeout,
      };
  const folder = resumed?.folder ?? RunFolder.create(o.root ?? 'runs', suite, manifest);
  held.release ??= folder.lock();
  for (const note of resumed?.notes ?? []) events.onNote?.(note);
  // Forced past a change: the folder now describes the experiment as it is.
  if (resumed?.changed) folder.write(basename(suite.file), suite.source);
  events.onFolder?.(folder.dir);
  const earlier = resumed?.results ?? [];
  const recorded = new Set(earlier.map((r) => r.id));
  const results = [...earlier];
  const backends = new Set(manifest.backend.split(',').filter((b) => b !== 'pending' && b !== 'none'));
  held.pool ??= poolFor(runs);
  const { pool } = held;
  /** Trains `runs` as lane batches on the pool, recording each batch as it ends; returns the runs left unfinished. */
  const train = async (runs: RunSpec[]): Promise<number> => {
    const batches = packRuns(runs, workers, lanes);
    events.onTrainStart?.(batches);
    try {
      const { unfinished } = await runBatches(batches, {
        pool,
        backend: o.backend ?? 'auto',
        timeout,
        signal: o.signal,
        grace: (o.graceSeconds ?? 5) * 1000,
        onProgress: (batch, steps) => events.onBatchSteps?.(batch, steps),
        onRetry: (batch, reason) => events.onBatchRetry?.(batch, reason),
        onResults: (rs, used, lines) => {
          folder.append(rs, lines);
          for (const r of rs) results.push(r);
          if (used !== 'none') backends.add(used);
          events.onResults?.(rs);
        },
      });
      return unfinished;
    } finally {
      events.onTrainEnd?.();
    }
  };
  const left = selected.filter((r) => !recorded.has(r.id));
  // The sweeps' runs first, then the searches' rounds (every frontier experiment's together).
  let unfinished: number;
  try {
    unfinished = sweeps.length ? await train(left) : 0;
    if (!unfinished && searches.length)
      unfinished = await searchFrontier(searches, results, train, (round, runs, open) =>
        events.onFrontierRound?.(round, runs, open),
      );
  } finally {
    // The threads end (a few hundredths of a second, mostly waiting) while this thread writes
    // results and reports; runSession waits for them last.
    pool.destroy().catch(() => {});
  }
  // A frontier's runs are known only once its searches have run.
  const planned = searches.length ? results.length + unfinished : selected.length;
  const ordered = inPlanOrder(suite, results);
  folder.rewriteResults(ordered);
  folder.writeManifest({
    ...manifest,
    runs: planned,
    backend: [...backends].join(',') || 'none',
    ended: new Date().toISOString(),
    interrupted: unfinished > 0 || undefined,
  });
  const reports = await reportRun(folder.dir, suite, ordered);
  for (const note of reportNotes(folder.dir, reports)) events.onNote?.(note);
  return { dir: folder.dir, results: ordered, planned, unfinished, summary: reports.summary };
}

function ignoreConfigError(err: unknown): void {
  if (!(err instanceof CovsweepError) || err.code !== 'E_CONFIG') throw err;
}
