import { statSync, writeFileSync } from 'node:fs';
import { parseSuite } from '../config/load.js';
import { loadSuiteWithPlugins } from '../config/load-plugins.js';
import { type DataRef, dataPath } from '../data/table.js';
import { useRecordedBackend } from '../engine/auto-backend.js';
import { BACKENDS, type BackendChoice } from '../engine/backend-choice.js';
import { runSteps } from '../engine/tasks/specs.js';
import { Trace } from '../engine/train/trace.js';
import { trainBatch } from '../engine/train/train.js';
import { CovsweepError } from '../ground/errors.js';
import { runsOf } from '../plan/expand.js';
import { COMMAND_BACKEND, runCommand } from '../pool/command.js';
import { RunFolder } from '../results/store.js';
import { loadFolderPlugins } from '../session/folder-plugins.js';
import { isCommand, type RunResult, type RunSpec } from '../types.js';
import { parse } from './args.js';
import { usage } from './commands.js';

export const USAGE = usage('repro');

/** What a run folder or experiment file knows of one run: its spec, and its recorded result if any. */
async function find(
  source: string,
  id: string,
): Promise<{ spec: RunSpec; recorded?: RunResult; backend?: string }> {
  if (!statSync(source, { throwIfNoEntry: false })?.isDirectory()) {
    const s = await loadSuiteWithPlugins(source);
    const spec = runsOf(s.experiments).find((r) => r.id === id);
    if (!spec && s.experiments.some((e) => e.frontier))
      throw new CovsweepError(
        'E_USAGE',
        `${source} searches a frontier, whose runs follow from earlier results; give the run folder instead: covsweep repro RUN_DIR ${id}`,
      );
    if (!spec) throw new CovsweepError('E_USAGE', `${source} has no run ${id}`);
    return { spec };
  }
  const folder = RunFolder.open(source);
  await loadFolderPlugins(source);
  const recorded = folder.readResults().results.find((r) => r.id === id);
  const copy = folder.experimentCopy();
  if (recorded) {
    // Its data file is the folder's copy (the recorded config names it as written).
    const data = recorded.config.task.data as DataRef | undefined;
    const spec = {
      id,
      config: recorded.config,
      ...(data ? { dataFile: dataPath(copy.file, data.file) } : {}),
      // Its modules and script, like its data, are the folder's copies.
      source: copy.file,
    };
    // Older records name no backend; their folder's manifest lists every backend it used.
    return { spec, recorded, backend: recorded.backend ?? folder.manifest().backend.split(',')[0] };
  }
  const spec = runsOf(parseSuite(copy.text, copy.file).experiments).find((r) => r.id === id);
  if (!spec) throw new CovsweepError('E_USAGE', `${source} has no run ${id}; run ids are in its results.csv`);
  return { spec };
}

const ending = (r: RunResult) =>
  `${r.outcome} at step ${r.step}${r.outcome === 'ok' ? '' : ` (${r.reason})`}`;

/**
 * Re-run one configuration alone, in this process, on the backend it was
 * recorded with: its outcome and step must equal the recorded ones (exit 1
 * when they do not). `--trace` writes its per-step trace as CSV, `--params` with every parameter.
 */
export async function repro(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, 'repro');
  if (positionals.length !== 2)
    throw new CovsweepError('E_USAGE', `expected a run folder or file and a run id; usage: ${USAGE}`);
  if (values.params && !values.trace)
    throw new CovsweepError(
      'E_USAGE',
      `--params adds columns to the trace: give --trace FILE.csv too; usage: ${USAGE}`,
    );
  const [source, id] = positionals;
  const { spec, recorded, backend: recordedBackend } = await find(source, id);
  const command = isCommand(spec.config);
  // A command run names no tfjs backend: its record says "command".
  const backend = (values.backend ?? (command ? 'auto' : recordedBackend) ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend))
    throw new CovsweepError(
      'E_USAGE',
      `--backend must be one of ${BACKENDS.join(', ')}, received "${backend}"`,
    );
  if (command && values.trace)
    throw new CovsweepError('E_USAGE', '--trace follows the lane engine; a command run has no trace');
  const batch = { index: 0, shapeKey: '', runs: [spec], steps: runSteps(spec.config) };
  // A run on the native step is retrained on it without loading tfjs.
  const used = command ? COMMAND_BACKEND : await useRecordedBackend(backend, batch);
  const trace = values.trace ? new Trace(spec.config, { params: values.params }) : undefined;
  const [result] = command ? [(await runCommand(spec))!] : trainBatch(batch, { onStep: trace?.onStep });
  if (trace && values.trace) {
    writeFileSync(values.trace, trace.csv());
    process.stdout.write(`trace: ${values.trace} (${trace.rows.length} steps)\n`);
  }
  process.stdout.write(`${id}: ${ending(result)}, loss ${result.loss} [${used}]\n`);
  if (!recorded) return 0;
  if (recorded.outcome === result.outcome && recorded.step === result.step) {
    process.stdout.write(`${id}: same outcome and step as recorded\n`);
    return 0;
  }
  process.stderr.write(
    `covsweep: ${id} was recorded as ${ending(recorded)}; this time it ended differently\n`,
  );
  return 1;
}
