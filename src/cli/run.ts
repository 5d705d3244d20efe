import { join } from 'node:path';
import { loadSuiteWithPlugins } from '../config/load-plugins.js';
import { isOverride, parseOverride } from '../config/overrides.js';
import { BACKENDS, type BackendChoice } from '../engine/backend-choice.js';
import { CovsweepError } from '../ground/errors.js';
import type { Selection } from '../plan/select.js';
import { parseShard } from '../plan/shard.js';
import { Progress } from '../pool/progress.js';
import type { SessionEvents } from '../session/events.js';
import { runSession } from '../session/run.js';
import { oneFile, parse, positiveInt, positiveNumber } from './args.js';
import { usage } from './commands.js';
import { INTERRUPTED, trapInterrupts } from './interrupt.js';

export const USAGE = usage('run');

/** Seconds running batches get to finish after the first Ctrl-C. */
const GRACE_SECONDS = 5;

/**
 * `covsweep run`: the arguments, then a run session (src/session/run.ts) with a progress line on
 * stderr, the summary on stdout, and exit 130 when stopped before every run finished.
 */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, 'run');
  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend))
    throw new CovsweepError(
      'E_USAGE',
      `--backend must be one of ${BACKENDS.join(', ')}, received "${values.backend}"`,
    );
  const workers = positiveInt('workers', values.workers);
  const timeout = positiveNumber('timeout', values.timeout);
  const lanes = positiveInt('lanes', values.lanes);
  // SETTING=VALUE arguments override the file's settings, wherever they stand.
  const overrides = positionals.filter(isOverride).map(parseOverride);
  const paths = positionals.filter((p) => !isOverride(p));
  // `--resume RUN_DIR`: a boolean flag, so the folder comes as a second positional.
  const [file, resumeDir] = values.resume ? paths : [oneFile(paths, 'run')];
  if (!file || paths.length > 2)
    throw new CovsweepError('E_USAGE', `expected one experiment file; usage: ${USAGE}`);
  if (values.force && !values.resume) throw new CovsweepError('E_USAGE', '--force only applies to --resume');
  const selection: Selection = {
    shard: values.shard === undefined ? undefined : parseShard(values.shard),
    only: values.only?.split(',').filter(Boolean),
  };
  if (values.resume && (selection.shard || selection.only))
    throw new CovsweepError(
      'E_USAGE',
      '--resume continues the runs its folder was made for; drop --shard and --only',
    );
  if (selection.shard && selection.only)
    throw new CovsweepError('E_USAGE', 'give --shard or --only, not both');
  // An empty --out would mean the current folder, which is never what was meant.
  if (values.out?.trim() === '')
    throw new CovsweepError('E_USAGE', '--out must name a folder; received an empty string');
  const suite = await loadSuiteWithPlugins(file, undefined, overrides);
  const search = suite.experiments.find((e) => e.frontier);
  if (search && (selection.shard || selection.only))
    throw new CovsweepError(
      'E_USAGE',
      `${file} searches a frontier${suite.experiments.length > 1 ? ` (experiment "${search.name}")` : ''}, whose runs are chosen round by round from earlier results; --shard and --only do not apply: run the whole file`,
    );

  let dir: string | undefined;
  let progress: Progress | undefined;
  const note = (message: string) =>
    progress ? progress.note(`covsweep: ${message}`) : process.stderr.write(`covsweep: ${message}\n`);
  const events: SessionEvents = {
    onNote: note,
    onFolder: (d) => {
      dir = d;
    },
    onTrainStart: (batches) => {
      progress = new Progress(batches);
    },
    onBatchSteps: (batch, steps) => progress?.batchSteps(batch, steps),
    onBatchRetry: (batch, reason) =>
      note(
        `batch #${batch.index} (${batch.runs.length} runs) failed: ${reason}; retrying its runs one by one`,
      ),
    onResults: (results) => progress?.results(results),
    onTrainEnd: () => {
      progress?.finish();
      progress = undefined;
    },
    onFrontierRound: (round, runs, open) =>
      note(`frontier round ${round}: ${runs} runs for ${open} open searches`),
  };
  // The overrides too: resuming without them would find the folder's experiment changed.
  const settings = overrides.map((o) => ` ${o.argument}`).join('');
  const resumeHint = (d: string) => `to run the rest: covsweep run ${file}${settings} --resume ${d}`;

  // From here a Ctrl-C stops the sweep cleanly (even before it starts) rather than killing the process.
  const stop = new AbortController();
  const release = trapInterrupts(stop, GRACE_SECONDS);
  try {
    const done = await runSession(suite, {
      root: values.out,
      workers,
      backend,
      lanes,
      timeout,
      selection,
      resume: values.resume ? { dir: resumeDir, force: Boolean(values.force) } : undefined,
      signal: stop.signal,
      graceSeconds: GRACE_SECONDS,
      events,
    });
    if (done.unfinished > 0) {
      process.stderr.write(
        `covsweep: stopped with ${done.unfinished} of ${done.planned} runs not run; tables of the finished ones are in ${done.dir}; ${resumeHint(done.dir)}\n`,
      );
      return INTERRUPTED;
    }
    // Only the summary on stdout, so `covsweep run x.yaml > summary.md` holds nothing else.
    process.stdout.write(done.summary.endsWith('\n') ? done.summary : `${done.summary}\n`);
    process.stderr.write(`results: ${done.dir}\n`);
    return 0;
  } catch (err) {
    // The session failed after the folder was made: what finished is in it, and --resume runs the rest.
    if (dir !== undefined)
      process.stderr.write(
        `covsweep: finished runs are in ${join(dir, 'results.jsonl')}; ${resumeHint(dir)}\n`,
      );
    throw err;
  } finally {
    release();
  }
}
