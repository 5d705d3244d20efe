import { loadExperiment } from '../config/load.js';
import { task } from '../engine/tasks/index.js';
import { expand, runCount, setting } from '../plan/expand.js';
import { pack } from '../plan/pack.js';
import { defaultWorkers } from '../pool/pool.js';
import { label } from '../results/summary.js';
import { oneFile, parse, positiveInt } from './args.js';

export const USAGE = 'covsweep plan FILE [--workers N] [--lanes N]';

/** How a sweep expands and packs into lane batches, without training anything. */
export async function plan(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { workers: { type: 'string' }, lanes: { type: 'string' } },
    USAGE,
  );
  const e = loadExperiment(oneFile(positionals, USAGE));
  const workers = positiveInt('workers', values.workers) ?? defaultWorkers();
  const batches = pack(expand(e), {
    workers,
    lanes: positiveInt('lanes', values.lanes),
    steps: (c) => task(c.task.name).steps(c),
  });
  const laneSteps = batches.reduce((n, b) => n + b.steps * b.runs.length, 0);
  const out: string[] = [
    `${e.name}: ${runCount(e)} runs, ${batches.length} lane batches on ${workers} workers, ${laneSteps} run-steps`,
    '',
    'axes:',
    ...e.axes.map(
      (a) =>
        `  ${a.path}: ${a.values.length} values (${a.values.slice(0, 8).map(label).join(', ')}${a.values.length > 8 ? ', ...' : ''})`,
    ),
    '',
    'batches (largest first):',
    ...batches.slice(0, 20).map((b) => {
      const c = b.runs[0].config;
      return `  #${b.index}: ${b.runs.length} lanes x ${b.steps} steps  ${c.task.name} ${c.parameterization} d=${c.dim}`;
    }),
    ...(batches.length > 20 ? [`  ... ${batches.length - 20} more`] : []),
    '',
    'example runs:',
    ...batches
      .flatMap((b) => b.runs)
      .slice(0, 3)
      .map(
        (r) => `  ${r.id}  ${e.axes.map((a) => `${a.path}=${label(setting(r.config, a.path))}`).join(' ')}`,
      ),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
