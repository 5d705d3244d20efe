import type { CatalogTask } from '../engine/catalog.js';
import type { ProblemList } from '../ground/errors.js';
import type { RunConfig, SweepAxis } from '../types.js';
import type { ConfigSource } from './source.js';

/**
 * Checks the task's `above` rules (`task.n_data` > `dim`). The sweep takes
 * every combination, so the worst one, smallest setting with largest bound, is
 * the one to check. The problem points at the setting if the file writes it,
 * else at the bound.
 */
export function checkAbove(
  base: RunConfig,
  axes: readonly SweepAxis[],
  task: CatalogTask,
  source: ConfigSource,
  problems: ProblemList,
): void {
  const axis = (path: string) => axes.find((a) => a.path === path);
  const values = (path: string) =>
    (axis(path)?.values ?? [path.split('.').reduce<unknown>((node, k) => (node as never)[k], base)]).map(
      Number,
    );
  const keys = (path: string) => (axis(path) ? ['sweep', path] : path.split('.'));
  const told = (path: string, value: number, extreme: string) =>
    axis(path) ? `"${path}" ${extreme} ${value}` : `"${path}" is ${value}`;
  for (const { setting, than, because } of task.above ?? []) {
    // A loop, not Math.min(...values): a spread of a long range overflows the call stack.
    const low = values(setting).reduce((a, v) => Math.min(a, v), Number.POSITIVE_INFINITY);
    const high = values(than).reduce((a, v) => Math.max(a, v), Number.NEGATIVE_INFINITY);
    if (low > high) continue;
    const at = source.doc.hasIn(keys(setting)) ? keys(setting) : keys(than);
    problems.add(
      source.problem(
        source.locate(at).node,
        `${told(setting, low, 'goes down to')} but ${told(than, high, 'goes up to')}; task "${task.name}" needs ${setting} > ${than}: ${because}; raise ${setting} or lower ${than}`,
      ),
    );
  }
}
