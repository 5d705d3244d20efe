import type { Experiment, RunConfig, RunSpec } from '../types.js';
import { runId } from './ids.js';
import { picksAt, spaceRuns } from './space.js';

/** Number of runs the sweep expands to: the kept product of its dims, then its included runs. */
export function runCount(e: Experiment): number {
  return spaceRuns(e.space);
}

/** Number of runs of a file's experiments, a run that several plan counted once. */
export function suiteRunCount(experiments: readonly Experiment[]): number {
  // One experiment is counted by arithmetic: a million-run sweep is not expanded to count it.
  return experiments.length === 1 ? runCount(experiments[0]) : runsOf(experiments).length;
}

/**
 * A copy of `config` with each dotted path of `settings` set: one clone, however many settings.
 * A missing map on the way is made (an included run may set a parameterization option that no
 * other run has, and the others keep their config, and id, as they were).
 */
export function withSettings(config: RunConfig, settings: Iterable<[string, unknown]>): RunConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const [path, value] of settings) {
    const keys = path.split('.');
    let node = copy;
    for (const k of keys.slice(0, -1)) {
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]] = value;
  }
  return copy as unknown as RunConfig;
}

/** The value at a dotted path of a config. */
export function settingAt(config: RunConfig, path: string): unknown {
  let node: unknown = config;
  for (const k of path.split('.')) node = (node as Record<string, unknown>)[k];
  return node;
}

/**
 * The runs of a sweep, lazily: the product of the dims in file order, the
 * last moving fastest, without the excluded combinations, then the included
 * runs. Nothing is held but the current index, so counting or sharding a
 * million-run sweep takes no memory.
 */
export function* expand(e: Experiment): Generator<RunSpec> {
  const total = runCount(e);
  for (let i = 0; i < total; i++) yield runAt(e, i);
}

/** `runs` with each id once, the first kept: a file's experiments may plan the same run, which trains once. */
export function onceEach(runs: Iterable<RunSpec>): RunSpec[] {
  const seen = new Set<string>();
  const once: RunSpec[] = [];
  for (const r of runs) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    once.push(r);
  }
  return once;
}

/** The runs of a file's experiments, in file order, each id once. */
export function runsOf(experiments: readonly Experiment[]): RunSpec[] {
  return onceEach(experiments.flatMap((e) => sweepRuns(e)));
}

/**
 * Each sweep's run ids in plan order, kept from its first full expansion: the end of a session
 * orders its results and the reports split them by experiment, each over the same plan, and
 * expanding it again (a config clone and a hash per run) took a tenth of a second at 512 runs.
 * The session expands it at its start anyway (while the workers load), which fills this.
 */
const sweepIds = new WeakMap<Experiment, readonly string[]>();

/** Every run of the sweep `e`, its ids kept for `plannedIds`. */
function sweepRuns(e: Experiment): RunSpec[] {
  const runs = [...expand(e)];
  sweepIds.set(
    e,
    runs.map((r) => r.id),
  );
  return runs;
}

/** The run ids of the sweep `e` in plan order (expanded once per experiment). */
export function plannedIds(e: Experiment): readonly string[] {
  return sweepIds.get(e) ?? sweepRuns(e).map((r) => r.id);
}

/** Run `i` of the sweep (0-based, in `expand` order), made on its own. */
export function runAt(e: Experiment, i: number): RunSpec {
  const config = configWith(e, picksAt(e.space, i));
  return runSpec(e, config);
}

/** The run of `config` in `e`: its id, and where the worker finds the files it names. */
export function runSpec(e: Pick<Experiment, 'file' | 'dataFile' | 'files'>, config: RunConfig): RunSpec {
  return {
    id: runId(config),
    config,
    ...(e.dataFile ? { dataFile: e.dataFile } : {}),
    ...(e.files ? { source: e.file } : {}),
  };
}

/**
 * The base config with the axis values `picks` set. Each optimizer has its own options, so a
 * pick of `optimizer.name` first swaps in that optimizer's settings; the other picks apply to them.
 */
export function configWith(
  e: Pick<Experiment, 'base' | 'optimizers'>,
  picks: [string, unknown][],
): RunConfig {
  const name = picks.find(([path]) => path === 'optimizer.name')?.[1];
  const optimizer = e.optimizers.find((o) => o.name === name);
  return withSettings(optimizer ? { ...e.base, optimizer } : e.base, picks);
}
