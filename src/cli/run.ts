import { basename } from 'node:path';
import { loadSuiteWithPlugins } from '../config/load-plugins.js';
import { BACKENDS, type BackendChoice } from '../engine/backend.js';
import { runSteps } from '../engine/tasks/index.js';
import { searchFrontier } from '../frontier/session.js';
import type { FrontierExperiment } from '../frontier/summary.js';
import { CovsweepError } from '../ground/errors.js';
import { runCount, runsOf } from '../plan/expand.js';
import { pack } from '../plan/pack.js';
import { type Selection, select } from '../plan/select.js';
import { parseShard, shardLabel } from '../plan/shard.js';
import { defaultWorkers, runBatches } from '../pool/pool.js';
import { Progress } from '../pool/progress.js';
import { reportRun } from '../report/reporters.js';
import { inPlanOrder } from '../results/order.js';
import { folderToResume, openToResume } from '../results/resume.js';
import { type Manifest, RunFolder } from '../results/store.js';
import { loadFolderPlugins } from '../session/folder-plugins.js';
import type { RunSpec } from '../types.js';
import { oneFile, parse, positiveInt, positiveNumber } from './args.js';
import { INTERRUPTED, trapInterrupts } from './interrupt.js';
import { VERSION } from './version.js';

export const USAGE =
  'covsweep run FILE [--resume [RUN_DIR] [--force]] [--only ID,...] [--shard i/n] [--timeout S] [--workers N] [--backend auto|tensorflow|wasm|cpu] [--lanes N] [--out DIR]';

/** Seconds running batches get to finish after the first Ctrl-C. */
const GRACE_SECONDS = 5;

/**
 * Train the runs of an experiment file's experiments (all, a shard, chosen ids, or those a folder
 * lacks) through one pool into one folder, and write tables.
 */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      workers: { type: 'string' },
      backend: { type: 'string' },
      lanes: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean' },
      force: { type: 'boolean' },
      only: { type: 'string' },
      shard: { type: 'string' },
      timeout: { type: 'string' },
    },
    USAGE,
  );
  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend))
    throw new CovsweepError(
      'E_USAGE',
      `--backend must be one of ${BACKENDS.join(', ')}, received "${values.backend}"`,
    );
  const workers = positiveInt('workers', values.workers) ?? defaultWorkers();
  const timeout = positiveNumber('timeout', values.timeout);
  const lanes = positiveInt('lanes', values.lanes);
  // `--resume RUN_DIR`: a boolean flag, so the folder comes as a second positional.
  const [file, resumeDir] = values.resume ? positionals : [oneFile(positionals, USAGE)];
  if (!file || positionals.length > 2)
    throw new CovsweepError('E_USAGE', `expected one experiment file; usage: ${USAGE}`);
  if (values.force && !values.resume) throw new CovsweepError('E_USAGE', '--force only applies to --resume');
  const asked: Selection = {
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    only: values.only?.split(',').filter(Boolean),
  };
  if (values.resume && (asked.shard || asked.only))
    throw new CovsweepError(
      'E_USAGE',
      '--resume continues the runs its folder was made for; drop --shard and --only',
    );
  if (asked.shard && asked.only) throw new CovsweepError('E_USAGE', 'give --shard or --only, not both');
  const suite = await loadSuiteWithPlugins(file);
  const searches = suite.experiments.filter((e): e is FrontierExperiment => e.frontier !== undefined);
  const sweeps = suite.experiments.filter((e) => !e.frontier);
  if (searches.length && (asked.shard || asked.only))
    throw new CovsweepError(
      'E_USAGE',
      `${file} searches a frontier${suite.experiments.length > 1 ? ` (experiment "${searches[0].name}")` : ''}, whose runs are chosen round by round from earlier results; --shard and --only do not apply: run the whole file`,
    );
  const root = values.out ?? 'runs';

  // From here a Ctrl-C stops the sweep cleanly (even before it starts) rather than killing the process.
  const stop = new AbortController();
  const release = trapInterrupts(stop, GRACE_SECONDS);
  try {
    const now = new Date().toISOString();
    const toResume = values.resume ? folderToResume(suite, root, resumeDir) : undefined;
    // A folder whose module copies no longer load (edited since) is a changed experiment:
    // openToResume says so, and refuses without --force.
    if (toResume) await loadFolderPlugins(toResume.dir).catch(ignoreConfigError);
    const resumed = toResume ? openToResume(suite, toResume, Boolean(values.force)) : undefined;
    const old = resumed?.folder.manifest();
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
    const folder = resumed?.folder ?? RunFolder.create(root, suite, manifest);
    for (const note of resumed?.notes ?? []) process.stderr.write(`covsweep: ${note}\n`);
    // Forced past a change: the folder now describes the experiment as it is.
    if (resumed?.changed) folder.write(basename(suite.file), suite.source);
    const earlier = resumed?.results ?? [];
    const recorded = new Set(earlier.map((r) => r.id));
    const results = [...earlier];
    const backends = new Set(manifest.backend.split(',').filter((b) => b !== 'pending' && b !== 'none'));
    /** Trains `runs` as lane batches on the pool, recording each batch as it ends; returns the runs left unfinished. */
    const train = async (runs: RunSpec[]): Promise<number> => {
      const batches = pack(runs, {
        workers,
        lanes,
        steps: runSteps,
      });
      const progress = new Progress(batches);
      let unfinished: number;
      try {
        ({ unfinished } = await runBatches(batches, {
          workers,
          backend,
          timeout,
          signal: stop.signal,
          grace: GRACE_SECONDS * 1000,
          onProgress: (batch, steps) => progress.batchSteps(batch, steps),
          onRetry: (batch, reason) =>
            progress.note(
              `covsweep: batch #${batch.index} (${batch.runs.length} runs) failed: ${reason}; retrying its runs one by one`,
            ),
          onResults: (rs, used) => {
            folder.append(rs);
            results.push(...rs);
            if (used !== 'none') backends.add(used);
            progress.results(rs);
          },
        }));
      } catch (err) {
        progress.finish();
        process.stderr.write(
          `covsweep: finished runs are in ${folder.results}; ${resumeHint(file, folder)}\n`,
        );
        throw err;
      }
      progress.finish();
      return unfinished;
    };
    const left = selected.filter((r) => !recorded.has(r.id));
    // The sweeps' runs first, then the searches' rounds (every frontier experiment's together).
    let unfinished = sweeps.length ? await train(left) : 0;
    if (!unfinished && searches.length)
      unfinished = await searchFrontier(searches, results, train, (round, runs, open) =>
        process.stderr.write(`covsweep: frontier round ${round}: ${runs} runs for ${open} open searches\n`),
      );
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
    const summary = await reportRun(folder.dir, suite, ordered);
    if (unfinished > 0) {
      process.stderr.write(
        `covsweep: stopped with ${unfinished} of ${planned} runs not run; tables of the finished ones are in ${folder.dir}; ${resumeHint(file, folder)}\n`,
      );
      return INTERRUPTED;
    }
    process.stdout.write(`${summary}\nresults: ${folder.dir}\n`);
    return 0;
  } finally {
    release();
  }
}

function ignoreConfigError(err: unknown): void {
  if (!(err instanceof CovsweepError) || err.code !== 'E_CONFIG') throw err;
}

function resumeHint(file: string, folder: RunFolder): string {
  return `to run the rest: covsweep run ${file} --resume ${folder.dir}`;
}
