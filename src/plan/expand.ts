import type { Experiment, RunConfig, RunSpec } from '../types.js';
import { runId } from './ids.js';

/** Number of runs the sweep expands to (product of axis lengths). */
export function runCount(e: Experiment): number {
  return e.axes.reduce((n, a) => n * a.values.length, 1);
}

/** A copy of `config` with each dotted path of `settings` set: one clone, however many settings. */
export function withSettings(config: RunConfig, settings: Iterable<[string, unknown]>): RunConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const [path, value] of settings) {
    const keys = path.split('.');
    let node = copy;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    node[keys[keys.length - 1]] = value;
  }
  return copy as unknown as RunConfig;
}

/** The value at a dotted path of a config. */
export function setting(config: RunConfig, path: string): unknown {
  let node: unknown = config;
  for (const k of path.split('.')) node = (node as Record<string, unknown>)[k];
  return node;
}

/**
 * The runs of a sweep, lazily: the Cartesian product of the axes in file
 * order, the last axis moving fastest. Nothing is held but the current index,
 * so counting or sharding a million-run sweep takes no memory.
 */
export function* expand(e: Experiment): Generator<RunSpec> {
  const total = runCount(e);
  for (let i = 0; i < total; i++) yield runAt(e, i);
}

/** Run `i` of the sweep (0-based, in `expand` order), made on its own. */
export function runAt(e: Experiment, i: number): RunSpec {
  const config = configWith(e, picksAt(e, i));
  return { id: runId(config), config };
}

/**
 * The base config with the axis values `picks` set. Each optimizer has its own options, so a
 * pick of `optimizer.name` first swaps in that optimizer's settings; the other picks apply to them.
 */
export function configWith(e: Experiment, picks: [string, unknown][]): RunConfig {
  const name = picks.find(([path]) => path === 'optimizer.name')?.[1];
  const optimizer = e.optimizers.find((o) => o.name === name);
  return withSettings(optimizer ? { ...e.base, optimizer } : e.base, picks);
}

/** The axis values of run `i`: its digits in the mixed radix of the axis lengths, last axis fastest. */
export function picksAt(e: Experiment, i: number): [string, unknown][] {
  let rest = i;
  const picks: [string, unknown][] = [];
  for (let a = e.axes.length - 1; a >= 0; a--) {
    const axis = e.axes[a];
    picks.push([axis.path, axis.values[rest % axis.values.length]]);
    rest = Math.floor(rest / axis.values.length);
  }
  return picks.reverse();
}
