import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { version_core } from '@tensorflow/tfjs-core';
import { CellBudget } from '../bench/budget.js';
import { endToEndMarkdown, OWN_SPEED_DIR, speedExperiments, timeEndToEnd } from '../bench/end-to-end.js';
import { BUDGET, cells, DIMS, type GridOptions, LANES } from '../bench/grid.js';
import { hasNativeStep, type Measured, measureCell, measureReference } from '../bench/measure.js';
import {
  FULL,
  measurePeer,
  type PeerMeasured,
  peerMissing,
  peerOf,
  peerSteps,
  taskPeers,
} from '../bench/peer.js';
import { benchmarksMarkdown, type PeerRun, type ReferenceRate, withHandMeasured } from '../bench/report.js';
import { useBackend } from '../engine/backend.js';
import { parameterizations } from '../engine/parameterizations/index.js';
import { tasks } from '../engine/tasks/index.js';
import { CovsweepError } from '../ground/errors.js';
import { formatCount } from '../ground/format.js';
import { parse, positiveInt } from './args.js';
import { usage } from './commands.js';

export const USAGE = usage('bench');

/** `native`: the native step (cells whose task and parameterization have none are skipped). */
const ENGINE_BACKENDS = ['native', 'tensorflow', 'wasm', 'cpu'];

/**
 * Lane-steps per second over task x parameterization x d x lanes x backend,
 * plus the reference loop at each d and, with --peer, the batched PyTorch peer
 * at each d and lane count; writes BENCHMARKS.md (or --out) and prints it.
 */
export async function bench(argv: string[]): Promise<number> {
  const { values } = parse(argv, 'bench');
  if (values['end-to-end']) return endToEnd(argv, values);
  const quick = values.quick ?? false;
  const grid = {
    tasks: names('task', values.task, [...tasks.keys()]),
    parameterizations: names('parameterization', values.parameterization, [...parameterizations.keys()]),
    dims: numbers('dim', values.dim) ?? (quick ? [2, 8] : DIMS),
    lanes: numbers('lanes', values.lanes) ?? (quick ? [64, 1024] : LANES),
    backends: values.backend
      ? names('backend', values.backend, ENGINE_BACKENDS)
      : quick
        ? ['native', 'wasm']
        : await availableBackends(),
    full: values.full ?? false,
  };
  const ms = positiveInt('time', values.time) ?? (quick ? 150 : 400);
  const budget = new CellBudget(positiveInt('cell-budget', values['cell-budget']) ?? (quick ? 1500 : 4000));
  const load = loadavg()[0];
  const started = performance.now();
  const { run: all, skipped: tooBig } = cells(grid);
  const skipped = tooBig.map((cell) => ({
    cell,
    reason: `lanes x d^2 = ${cell.lanes * cell.dim * cell.dim} is over ${BUDGET} (memory; \`--full\` runs it)`,
  }));
  await useBackend('cpu');
  const run = all.filter((cell) => {
    if (cell.backend !== 'native' || hasNativeStep(cell)) return true;
    skipped.push({ cell, reason: 'no native step for this task and parameterization (it trains on tfjs)' });
    return false;
  });
  const reference: ReferenceRate[] = [];
  for (const dim of [...new Set(grid.dims)].sort((a, b) => a - b)) {
    reference.push(await measureReference(ms, dim));
    process.stderr.write(
      `bench reference loop d=${dim}: ${formatCount(reference.at(-1)!.cpu)} lane-steps/s\n`,
    );
  }
  const peer = values.peer
    ? timePeer(peerOf({ python: values.python, script: values['peer-script'] }), grid)
    : undefined;
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
      peer,
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
    const what = 'error' in m ? `error: ${m.error}` : `${formatCount(m.laneStepsPerSecond)} lane-steps/s`;
    process.stderr.write(`${label}: ${what}\n`);
    // Rewritten after every cell: a bench stopped early still leaves the cells it measured.
    writeFileSync(out, withHandMeasured(markdown(run.length - i - 1), old));
  }
  const final = markdown(0);
  writeFileSync(out, withHandMeasured(final, old));
  process.stdout.write(final);
  return 0;
}

/**
 * `--end-to-end`: each speed-dD.yaml (speedExperiments; `--dim` picks) run by `covsweep run` and
 * by the peer, as whole processes; prints the table (and writes it to --out).
 */
function endToEnd(
  argv: string[],
  values: {
    python?: string;
    'peer-script'?: string;
    repeat?: string;
    threads?: string;
    out?: string;
    dim?: string;
  },
): number {
  const peer = peerOf({ python: values.python, script: values['peer-script'] });
  const repeat = positiveInt('repeat', values.repeat) ?? 1;
  const threads = positiveInt('threads', values.threads) ?? 2;
  const missing = peerMissing(peer);
  const dims = numbers('dim', values.dim);
  const experiments = speedExperiments(peer, dims);
  if (!experiments.length) {
    const there = speedExperiments(peer).map((e) => e.dim);
    throw new CovsweepError(
      'E_USAGE',
      `no speed-dD.yaml file${dims ? ` for d = ${dims.join(', ')}` : ''} beside the peer script ${peer.script} or in ${OWN_SPEED_DIR}; the files there are for d = ${there.join(', ')}`,
    );
  }
  if (missing) process.stderr.write(`bench end-to-end: the peer is not run: ${missing}\n`);
  const rows = experiments.map((e) => {
    const row = timeEndToEnd(e, peer, { repeat, threads, peerMissing: missing && 'not run' });
    process.stderr.write(
      `bench end-to-end d=${e.dim}: covsweep ${typeof row.covsweep === 'number' ? `${row.covsweep.toFixed(1)} s` : row.covsweep}, peer ${typeof row.peer === 'number' ? `${row.peer.toFixed(1)} s` : row.peer}\n`,
    );
    return row;
  });
  const markdown = endToEndMarkdown(rows, {
    command: ['covsweep bench', ...argv].join(' '),
    threads,
    note: missing && `The peer was not run: ${missing}.`,
  });
  if (values.out) writeFileSync(values.out, markdown);
  process.stdout.write(markdown);
  return rows.some((r) => typeof r.covsweep === 'string') ? 1 : 0;
}

/**
 * Each task's peers (taskPeers) at each d and lane count of the grid that fits the memory budget
 * (as the engine's cells), one torch thread: in each of the grid's parameterizations a peer has,
 * and always in `full`, which every row is also compared with; or why no peer can run here.
 */
function timePeer(peer: ReturnType<typeof peerOf>, grid: GridOptions): PeerRun {
  const peers = taskPeers(peer).filter((p) => grid.tasks.includes(p.task));
  const why = peers.map(peerMissing);
  const missing = why.find((w) => w !== undefined);
  if (!peers.length || why.every((w) => w !== undefined)) {
    const reason =
      missing ??
      `no task of the grid has a peer (${[...new Set(taskPeers(peer).map((p) => p.task))].join(', ')} do)`;
    process.stderr.write(`bench peer: not timed: ${reason}\n`);
    return { missing: reason };
  }
  const measured: PeerMeasured[] = [];
  for (const [i, p] of peers.entries()) {
    if (why[i]) {
      process.stderr.write(`bench peer ${p.task}: not timed: ${why[i]}\n`);
      continue;
    }
    const wanted = p.parameterizations.filter(
      (name) => name === FULL || grid.parameterizations.includes(name),
    );
    for (const parameterization of wanted)
      for (const dim of [...new Set(grid.dims)].sort((a, b) => a - b))
        for (const lanes of [...new Set(grid.lanes)].sort((a, b) => a - b)) {
          if (!grid.full && lanes * dim * dim > BUDGET) continue;
          const m = measurePeer(p, parameterization, lanes, dim, peerSteps(lanes, dim));
          measured.push(m);
          const what = 'error' in m ? m.error : `${formatCount(m.laneStepsPerSecond)} lane-steps/s`;
          process.stderr.write(`bench peer ${p.task} ${parameterization} d=${dim} ${lanes} lanes: ${what}\n`);
        }
  }
  return { measured };
}

function machine(): string {
  const cores = cpus();
  return `${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} logical cores, ${Math.round(totalmem() / 2 ** 30)} GiB; ${type()} ${release()}; Node ${process.version}; TensorFlow.js ${version_core}`;
}

/** The engine backends that load here (tfjs-node is optional). */
async function availableBackends(): Promise<string[]> {
  const found: string[] = [];
  for (const b of ENGINE_BACKENDS)
    await useBackend(b as 'native' | 'tensorflow' | 'wasm' | 'cpu').then(
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
