import { CovsweepError } from '../config/errors.js';
import { loadExperiment } from '../config/load.js';
import { BACKENDS, type BackendChoice } from '../engine/backend.js';
import { task } from '../engine/tasks/index.js';
import { expand } from '../plan/expand.js';
import { pack } from '../plan/pack.js';
import { defaultWorkers, runBatches } from '../pool/pool.js';
import { Progress } from '../pool/progress.js';
import { type Manifest, RunFolder } from '../results/store.js';
import { inPlanOrder, writeTables } from '../results/tables.js';
import type { RunResult } from '../types.js';
import { oneFile, parse, positiveInt } from './args.js';
import { VERSION } from './version.js';

export const USAGE =
  'covsweep run FILE [--workers N] [--backend auto|tensorflow|wasm|cpu] [--lanes N] [--out DIR]';

/** Train every run of an experiment and write runs/<name>/<timestamp>/. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      workers: { type: 'string' },
      backend: { type: 'string' },
      lanes: { type: 'string' },
      out: { type: 'string' },
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
  const e = loadExperiment(oneFile(positionals, USAGE));

  const runs = [...expand(e)];
  const batches = pack(runs, {
    workers,
    lanes: positiveInt('lanes', values.lanes),
    steps: (c) => task(c.task.name).steps(c),
  });
  const manifest: Manifest = {
    covsweep: VERSION,
    experiment: e.name,
    file: e.file,
    backend: 'pending',
    node: process.version,
    workers,
    runs: runs.length,
    started: new Date().toISOString(),
  };
  const folder = RunFolder.create(values.out ?? 'runs', e, manifest);

  const progress = new Progress(
    runs.length,
    batches.reduce((n, b) => n + b.steps * b.runs.length, 0),
  );
  const results: RunResult[] = [];
  const backends = new Set<string>();
  await runBatches(batches, {
    workers,
    backend,
    onProgress: (batch, steps) => progress.batchSteps(batch, steps),
    onResults: (rs, used) => {
      folder.append(rs);
      results.push(...rs);
      if (used !== 'none') backends.add(used);
      progress.results(rs);
    },
  });
  progress.finish();

  const summary = writeTables(folder, e, inPlanOrder(e, results), manifest.started);
  folder.writeManifest({
    ...manifest,
    backend: [...backends].join(',') || 'none',
    ended: new Date().toISOString(),
  });
  process.stdout.write(`${summary}\nresults: ${folder.dir}\n`);
  return 0;
}
