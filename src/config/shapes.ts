import type { RunConfig, SweepAxis } from '../types.js';
import type { CatalogTask } from './catalog.js';
import type { ProblemList } from './errors.js';
import type { ConfigSource } from './source.js';

interface Mismatch {
  /** Indices down to the list whose length is wrong. */
  at: number[];
  depth: number;
  length: number;
}

/** The first list in `value` whose length is not `lengths[depth]`, depth first. */
function mismatch(value: unknown, lengths: readonly number[], at: number[] = []): Mismatch | undefined {
  if (lengths.length === at.length || !Array.isArray(value)) return undefined;
  if (value.length !== lengths[at.length]) return { at, depth: at.length, length: value.length };
  for (const [i, item] of value.entries()) {
    const found = mismatch(item, lengths, [...at, i]);
    if (found) return found;
  }
  return undefined;
}

function settingAt(base: RunConfig, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], base);
}

/**
 * Checks list-valued task options against the settings that size them (`means` against `units`
 * and `dim`). A fixed list cannot fit a swept size, so sweeping one of those sizes is a problem too.
 */
export function checkShapes(
  base: RunConfig,
  axes: readonly SweepAxis[],
  task: CatalogTask,
  source: ConfigSource,
  problems: ProblemList,
): void {
  for (const [option, sizes] of Object.entries(task.shapes ?? {})) {
    const value = base.task[option];
    if (value === undefined) continue;
    const node = source.locate(['task', option]).node;
    const swept = sizes.find((path) => (axes.find((a) => a.path === path)?.values.length ?? 0) > 1);
    if (swept) {
      const message = `"task.${option}" has one fixed shape, but "${swept}" is swept; remove one of them`;
      problems.add(source.problem(node, message));
      continue;
    }
    const lengths = sizes.map((path) => {
      const axis = axes.find((a) => a.path === path);
      return Number(axis ? axis.values[0] : settingAt(base, path));
    });
    const wrong = mismatch(value, lengths);
    if (!wrong) continue;
    const label = `task.${option}${wrong.at.map((i) => `[${i}]`).join('')}`;
    const at = source.locate(['task', option, ...wrong.at.map(String)]).node;
    const size = sizes[wrong.depth];
    problems.add(
      source.problem(
        at,
        `"${label}" must have ${lengths[wrong.depth]} items ("${size}" is ${lengths[wrong.depth]}), received ${wrong.length}`,
      ),
    );
  }
}
