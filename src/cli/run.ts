import { CovsweepError } from '../config/errors.js';
import { loadExperiment } from '../config/load.js';
import { BACKENDS, type BackendChoice } from '../engine/backend.js';
import { task } from '../engine/tasks/index.js';
import { expand } from '../plan/expand.js';
import { pack } from '../plan/pack.js';
import { defaultWorkers, runBatches } from '../pool/pool.js';
import { Progress } from '../pool/progress.js';
import { reportRun } from '../report/reporters.js';
import { resultLine } from '../results/jsonl.js';
import { type Manifest, RunFolder } from '../results/store.js';
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
  const order = new Map(runs.map((r, i) => [r.id, i]));
  const batches = pack(runs, {
    workers,
    lanes: positiveInt('lanes', values.lanes),
    steps: (c) => task(c.task.name).steps(c),
  });
  const folder = RunFolder.create(values.out ?? 'runs', e);
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
  folder.writeManifest(manifest);

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

  // Arrival order depends on scheduling; the final files list runs in plan order,
  // so the same experiment gives the same files whatever the worker count.
  results.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  folder.write('results.jsonl', results.map((r) => `${resultLine(r)}\n`).join(''));
  folder.writeManifest({
    ...manifest,
    backend: [...backends].join(',') || 'none',
    ended: new Date().toISOString(),
  });
  const summary = await reportRun(folder.dir, e, results);
  process.stdout.write(`${summary}\nresults: ${folder.dir}\n`);
  return 0;
}
