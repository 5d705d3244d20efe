import { type Catalog, type CatalogTask, taskOptimizerDefaults } from '../engine/catalog.js';
import type { ProblemList } from '../ground/errors.js';
import type { OptimizerConfig, SweepAxis } from '../types.js';
import type { ConfigSource } from './source.js';
import { listOf } from './suggest.js';

/** The file's `optimizer` map as the schema admits it: a name and any optimizer's options. */
export type OptimizerFile = { name?: string } & Record<string, unknown>;

/**
 * The run config of optimizer `name`: each of its own options as the file gives it, else the
 * task's default, else the optimizer's. Options of other optimizers are left out, so a config
 * holds the keys of its optimizer only (an sgd run's id does not change as optimizers are added).
 */
export function resolveOptimizer(
  name: string,
  given: OptimizerFile,
  task: CatalogTask,
  catalog: Catalog,
): OptimizerConfig {
  const kind = catalog.optimizers.find((o) => o.name === name);
  if (!kind) throw new RangeError(`unknown optimizer "${name}"`);
  const byTask = taskOptimizerDefaults(task);
  const options = Object.entries(kind.options).map(([key, schema]) => [
    key,
    given[key] ?? byTask[key] ?? schema.default,
  ]);
  return { name, ...Object.fromEntries(options) } as OptimizerConfig;
}

/** `"a", "b" and "c"`. */
function all(values: readonly string[]): string {
  return listOf(values).replace(/ or (?=[^,]*$)/, ' and ');
}

/**
 * The optimizer names the runs use: the swept ones, else the file's, else the default; then any
 * other that an `include` entry names (its runs take that optimizer's settings too).
 */
export function optimizerNames(
  given: OptimizerFile,
  axes: readonly SweepAxis[],
  include: readonly Record<string, unknown>[],
  catalog: Catalog,
): string[] {
  const swept = axes.find((a) => a.path === 'optimizer.name');
  const names = swept ? swept.values.map(String) : [given.name ?? catalog.optimizers[0].name];
  const included = include.map((entry) => entry['optimizer.name']).filter((n) => typeof n === 'string');
  return [...new Set([...names, ...included])];
}

/**
 * Options that would not reach any run: one set in the file that none of the runs' optimizers
 * (`used`, from `optimizerNames`) has, and a swept one that some of them lack (their runs would
 * repeat, identical).
 */
export function checkOptimizerOptions(
  given: OptimizerFile,
  used: readonly string[],
  axes: readonly SweepAxis[],
  catalog: Catalog,
  source: ConfigSource,
  problems: ProblemList,
): void {
  const at = (path: string[]) => {
    const found = source.locate(path);
    return found.key ?? found.node;
  };
  const swept = axes.some((a) => a.path === 'optimizer.name');
  const has = (name: string, key: string) =>
    Object.hasOwn(catalog.optimizers.find((o) => o.name === name)?.options ?? {}, key);
  const owners = (key: string) => catalog.optimizers.filter((o) => has(o.name, key)).map((o) => o.name);
  const which = swept ? `the sweep's optimizers are ${all(used)}` : `the optimizer is ${listOf(used)}`;
  for (const key of Object.keys(given)) {
    if (key === 'name' || used.some((n) => has(n, key))) continue;
    const fix = swept ? `sweep ${listOf(owners(key))} too` : `set "optimizer.name: ${owners(key)[0]}"`;
    problems.add(
      source.problem(
        at(['optimizer', key]),
        `"optimizer.${key}" is an option of ${listOf(owners(key))}, but ${which}; ${fix} or remove "${key}"`,
      ),
    );
  }
  for (const { path } of axes) {
    const key = path.startsWith('optimizer.') ? path.slice('optimizer.'.length) : undefined;
    if (key === undefined || key === 'name') continue;
    const lacking = used.filter((n) => !has(n, key));
    if (lacking.length === 0) continue;
    const fix = swept
      ? `the runs of ${listOf(lacking)} would repeat; sweep "${path}" in an experiment of ${listOf(owners(key))} alone`
      : `set "optimizer.name: ${owners(key)[0]}" or remove the axis`;
    problems.add(
      source.problem(
        at(['sweep', path]),
        `sweep axis "${path}" varies an option of ${listOf(owners(key))}, but ${which}; ${fix}`,
      ),
    );
  }
}
