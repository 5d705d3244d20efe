/**
 * The programmatic API: `import { loadExperiment, plan, run, report } from 'covsweep'`. A thin
 * layer over the same pieces `covsweep run` uses (plugin loading, pack, the pool, run folders,
 * frontier rounds, reporters); it writes the same run folders, which every CLI command reads.
 */

import { readFileSync } from 'node:fs';
import { loadSuiteWithPlugins } from '../config/load-plugins.js';
import type { BackendChoice } from '../engine/backend.js';
import { runSteps } from '../engine/tasks/index.js';
import { searchFrontier } from '../frontier/session.js';
import type { FrontierExperiment } from '../frontier/summary.js';
import { runCount, runsOf } from '../plan/expand.js';
import { pack } from '../plan/pack.js';
import { defaultWorkers, runBatches } from '../pool/pool.js';
import { loadRunFolder } from '../report/load.js';
import { REPORTERS, reportRun, writeReports } from '../report/reporters.js';
import { inPlanOrder } from '../results/order.js';
import { type Manifest, RunFolder } from '../results/store.js';
import type { LaneBatch, RunResult, RunSpec, Suite } from '../types.js';
import { loadFolderPlugins } from './folder-plugins.js';

const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

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
    batches: pack(runs, { workers, lanes: o.lanes, steps: runSteps }),
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
  | { type: 'round'; round: number; runs: number; open: number };

export interface RunOptions extends PlanOptions {
  /** Parent of the run folder, which is `<out>/<name>/<timestamp>`. @default 'runs' */
  out?: string;
  /** @default 'auto' */
  backend?: BackendChoice;
  /** Seconds each run may take, on top of its own `timeout` (the smaller applies). */
  timeout?: number;
  /** Abort to stop: no batch starts after it; running ones are dropped after a 5 s grace. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

export interface RunOutcome {
  /** The run folder (results.jsonl, tables, report.html, the experiment's copy). */
  dir: string;
  /** Every result, in plan order. */
  results: RunResult[];
  /** Runs left without a result because `signal` stopped the session. */
  unfinished: number;
  /** summary.md's text. */
  summary: string;
}

/** Trains every run of a loaded experiment file into a new run folder and writes its reports. */
export async function run(suite: Suite, o: RunOptions = {}): Promise<RunOutcome> {
  const emit = o.onEvent ?? (() => {});
  const workers = o.workers ?? defaultWorkers();
  const searches = suite.experiments.filter((e): e is FrontierExperiment => e.frontier !== undefined);
  const { runs } = plan(suite, o);
  const manifest: Manifest = {
    covsweep: VERSION,
    experiment: suite.name,
    file: suite.file,
    backend: 'pending',
    node: process.version,
    workers,
    runs: runs.length + searches.reduce((n, e) => n + runCount(e), 0),
    started: new Date().toISOString(),
    timeout: o.timeout,
  };
  const folder = RunFolder.create(o.out ?? 'runs', suite, manifest);
  const results: RunResult[] = [];
  const backends = new Set<string>();
  const train = async (some: RunSpec[]) => {
    const { unfinished } = await runBatches(pack(some, { workers, lanes: o.lanes, steps: runSteps }), {
      workers,
      backend: o.backend ?? 'auto',
      timeout: o.timeout,
      signal: o.signal,
      onProgress: (b, steps) => emit({ type: 'progress', batch: b.index, runs: b.runs.length, steps }),
      onRetry: (b, reason) => emit({ type: 'retry', batch: b.index, runs: b.runs.length, reason }),
      onResults: (rs, used) => {
        folder.append(rs);
        results.push(...rs);
        if (used !== 'none') backends.add(used);
        emit({ type: 'results', results: rs });
      },
    });
    return unfinished;
  };
  let unfinished = runs.length ? await train(runs) : 0;
  if (!unfinished && searches.length)
    unfinished = await searchFrontier(searches, results, train, (round, n, open) =>
      emit({ type: 'round', round, runs: n, open }),
    );
  const ordered = inPlanOrder(suite, results);
  folder.rewriteResults(ordered);
  folder.writeManifest({
    ...manifest,
    runs: searches.length ? results.length + unfinished : runs.length,
    backend: [...backends].join(',') || 'none',
    ended: new Date().toISOString(),
    interrupted: unfinished > 0 || undefined,
  });
  const summary = await reportRun(folder.dir, suite, ordered);
  return { dir: folder.dir, results: ordered, unfinished, summary };
}

export interface ReportOptions {
  /** Reporters to run, by name (csv, tables, markdown, html). @default all */
  only?: (keyof typeof REPORTERS)[];
}

/** Rewrites a run folder's reports from its results.jsonl; returns each file written (relative path -> text). */
export async function report(dir: string, o: ReportOptions = {}): Promise<Map<string, string>> {
  await loadFolderPlugins(dir);
  return writeReports(loadRunFolder(dir), o.only ?? Object.keys(REPORTERS));
}
