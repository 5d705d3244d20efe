import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { version_core } from '@tensorflow/tfjs-core';
import { CellBudget } from '../bench/budget.js';
import { BUDGET, cells, DIMS, LANES } from '../bench/grid.js';
import { type Measured, measureCell, measureReference } from '../bench/measure.js';
import { benchmarksMarkdown, withHandMeasured } from '../bench/report.js';
import { useBackend } from '../engine/backend.js';
import { parameterizations } from '../engine/parameterizations/index.js';
import { tasks } from '../engine/tasks/index.js';
import { CovsweepError } from '../ground/errors.js';
import { compact } from '../pool/progress.js';
import { parse, positiveInt } from './args.js';

export const USAGE =
  'covsweep bench [--quick] [--task T,..] [--parameterization P,..] [--dim D,..] [--lanes N,..] [--backend B,..] [--time MS] [--cell-budget MS] [--full] [--out FILE]';

const ENGINE_BACKENDS = ['tensorflow', 'wasm', 'cpu'];

/**
 * Lane-steps per second over task x parameterization x d x lanes x backend,
 * plus the reference loop; writes BENCHMARKS.md (or --out) and prints it.
 */
export async function bench(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      quick: { type: 'boolean' },
      task: { type: 'string' },
      parameterization: { type: 'string' },
      dim: { type: 'string' },
      lanes: { type: 'string' },
      backend: { type: 'string' },
      time: { type: 'string' },
      'cell-budget': { type: 'string' },
      full: { type: 'boolean' },
      out: { type: 'string' },
    },
    USAGE,
  );
  const quick = values.quick ?? false;
  const grid = {
    tasks: names('task', values.task, [...tasks.keys()]),
    parameterizations: names('parameterization', values.parameterization, [...parameterizations.keys()]),
    dims: numbers('dim', values.dim) ?? (quick ? [2, 8] : DIMS),
    lanes: numbers('lanes', values.lanes) ?? (quick ? [64, 1024] : LANES),
    backends: values.backend
      ? names('backend', values.backend, ENGINE_BACKENDS)
      : quick
        ? ['wasm']
        : await availableBackends(),
    full: values.full ?? false,
  };
  const ms = positiveInt('time', values.time) ?? (quick ? 150 : 400);
  const budget = new CellBudget(positiveInt('cell-budget', values['cell-budget']) ?? (quick ? 1500 : 4000));
  const load = loadavg()[0];
  const started = performance.now();
  const { run, skipped: tooBig } = cells(grid);
  const skipped = tooBig.map((cell) => ({
    cell,
    reason: `lanes x d^2 = ${cell.lanes * cell.dim * cell.dim} is over ${BUDGET} (memory; \`--full\` runs it)`,
  }));
  const reference = await measureReference(ms);
  process.stderr.write(`bench reference loop: ${compact(reference.cpu)} lane-steps/s\n`);
  const measured: Measured[] = [];
  const out = values.out ?? 'BENCHMARKS.md';
  const old = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
  const markdown = (left: number) =>
    benchmarksMarkdown({
      command: ['covsweep bench', ...argv].join(' '),
      date: new Date(),
      machine: machine(),
      load: [load, loadavg()[0]],
      reference,
      measured,
      skipped,
      cellBudgetMs: budget.ms,
      minutes: (performance.now() - started) / 60000,
      left,
    });
  for (const [i, cell] of run.entries()) {
    const label = `bench ${i + 1}/${run.length}: ${cell.task} ${cell.parameterization} d=${cell.dim} ${cell.lanes} lanes ${cell.backend}`;
    const reason = budget.skipReason(cell);
    if (reason) {
      skipped.push({ cell, reason });
      process.stderr.write(`${label}: skipped, ${reason}\n`);
      continue;
    }
    const m = await measureCell(cell, ms, budget.ms);
    measured.push(m);
    if (!('error' in m)) budget.record(cell, (1000 * cell.lanes) / m.wallLaneStepsPerSecond);
    const what = 'error' in m ? `error: ${m.error}` : `${compact(m.laneStepsPerSecond)} lane-steps/s`;
    process.stderr.write(`${label}: ${what}\n`);
    // Rewritten after every cell: a bench stopped early still leaves the cells it measured.
    writeFileSync(out, withHandMeasured(markdown(run.length - i - 1), old));
  }
  const final = markdown(0);
  writeFileSync(out, withHandMeasured(final, old));
  process.stdout.write(final);
  return 0;
}

function machine(): string {
  const cores = cpus();
  return `${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} logical cores, ${Math.round(totalmem() / 2 ** 30)} GiB; ${type()} ${release()}; Node ${process.version}; TensorFlow.js ${version_core}`;
}

/** The engine backends that load here (tfjs-node is optional). */
async function availableBackends(): Promise<string[]> {
  const found: string[] = [];
  for (const b of ENGINE_BACKENDS)
    await useBackend(b as 'tensorflow' | 'wasm' | 'cpu').then(
      () => found.push(b),
      () => undefined,
    );
  return found;
}

function names(option: string, value: string | undefined, known: string[]): string[] {
  if (value === undefined) return known;
  const picked = value.split(',').map((s) => s.trim());
  const unknown = picked.filter((p) => !known.includes(p));
  if (unknown.length)
    throw new CovsweepError(
      'E_USAGE',
      `--${option}: unknown ${unknown.join(', ')}; known: ${known.join(', ')}`,
    );
  return picked;
}

function numbers(option: string, value: string | undefined): number[] | undefined {
  return value?.split(',').map((s) => positiveInt(option, s.trim())!);
}
