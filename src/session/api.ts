/**
 * The programmatic API: `import { loadExperiment, plan, run, report } from 'covsweep'`. The same
 * session `covsweep run` drives (src/session/run.ts), with its hooks as one tagged event union; it
 * writes the same run folders, which every CLI command reads.
 */

import { loadSuiteWithPlugins } from '../config/load-plugins.js';
import type { BackendChoice } from '../engine/backend-choice.js';
import { runCount, runsOf } from '../plan/expand.js';
import type { Selection } from '../plan/select.js';
import { defaultWorkers } from '../pool/workers.js';
import { REPORTERS, type Reports, writeReports } from '../report/reporters.js';
import { loadRunFolder } from '../results/load.js';
import type { LaneBatch, RunResult, RunSpec, Suite } from '../types.js';
import { loadFolderPlugins } from './folder-plugins.js';
import { packRuns, type RunSessionResult, runSession } from './run.js';

/**
 * Reads, validates and resolves an experiment file (every YAML document of it), loading the plugin
 * modules it names first. Throws `CovsweepError` (`code` `E_CONFIG` with `problems`, each
 * `file:line:col: ...`, for an invalid file; `E_IO` when it cannot be read).
 */
export function loadExperiment(file: string): Promise<Suite> {
  return loadSuiteWithPlugins(file);
}

export interface PlanOptions {
  /** Workers to balance the batches over. @default one per available core */
  workers?: number;
  /** Most lanes per batch. @default by dimension (autoLanes) */
  lanes?: number;
}

/** What `run` would train: the sweeps' runs, their lane batches, and the frontier searches. */
export interface Plan {
  /** The runs of the file's sweeps (frontier experiments' runs are chosen round by round). */
  runs: RunSpec[];
  batches: LaneBatch[];
  /** One per run of each frontier experiment's sweep. */
  searches: number;
}

export function plan(suite: Suite, o: PlanOptions = {}): Plan {
  const sweeps = suite.experiments.filter((e) => !e.frontier);
  const runs = runsOf(sweeps);
  const workers = o.workers ?? defaultWorkers();
  return {
    runs,
    batches: packRuns(runs, workers, o.lanes),
    searches: suite.experiments.filter((e) => e.frontier).reduce((n, e) => n + runCount(e), 0),
  };
}

/** What `run` reports while it works, tagged on `type`. */
export type RunEvent =
  /** Steps done so far by a lane batch (0 again when a failed batch's runs are retried alone). */
  | { type: 'progress'; batch: number; runs: number; steps: number }
  /** Results of finished runs, as they are appended to results.jsonl. */
  | { type: 'results'; results: RunResult[] }
  /** A batch's worker failed; its runs are retried one by one. */
  | { type: 'retry'; batch: number; runs: number; reason: string }
  /** A frontier round begins: `runs` runs for `open` searches still open. */
  | { type: 'round'; round: number; runs: number; open: number }
  /** Something to tell the user: a cut-short results line, a forced resume. */
  | { type: 'note'; message: string };

export interface RunOptions extends PlanOptions {
  /** Parent of the run folder, which is `<out>/<name>/<timestamp>`. @default 'runs' */
  out?: string;
  /** @default 'auto' */
  backend?: BackendChoice;
  /** Seconds each run may take, on top of its own `timeout` (the smaller applies). */
  timeout?: number;
  /** Which of the sweeps' runs to train: a shard (`{ shard }`) or chosen ids (`{ only }`). */
  selection?: Selection;
  /** Continue a run folder (`dir`, else the newest under `out`) instead of making one. */
  resume?: { dir?: string; force?: boolean };
  /** Abort to stop: no batch starts after it; running ones are dropped after a 5 s grace. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

/** Trains the runs of a loaded experiment file into a run folder (new, or resumed) and writes its reports. */
export function run(suite: Suite, o: RunOptions = {}): Promise<RunSessionResult> {
  const emit = o.onEvent ?? (() => {});
  return runSession(suite, {
    root: o.out,
    workers: o.workers,
    backend: o.backend,
    lanes: o.lanes,
    timeout: o.timeout,
    selection: o.selection,
    resume: o.resume,
    signal: o.signal,
    events: {
      onNote: (message) => emit({ type: 'note', message }),
      onBatchSteps: (b, steps) => emit({ type: 'progress', batch: b.index, runs: b.runs.length, steps }),
      onBatchRetry: (b, reason) => emit({ type: 'retry', batch: b.index, runs: b.runs.length, reason }),
      onResults: (results) => emit({ type: 'results', results: [...results] }),
      onFrontierRound: (round, runs, open) => emit({ type: 'round', round, runs, open }),
    },
  });
}

export interface ReportOptions {
  /** Reporters to run, by name (csv, tables, markdown, html). @default all */
  only?: (keyof typeof REPORTERS)[];
}

/**
 * Rewrites a run folder's reports from its results.jsonl: each file written (relative path ->
 * text), the reporters that failed, and notes on results left out of the tables.
 */
export async function report(dir: string, o: ReportOptions = {}): Promise<Reports> {
  await loadFolderPlugins(dir);
  return writeReports(loadRunFolder(dir), o.only ?? Object.keys(REPORTERS));
}
