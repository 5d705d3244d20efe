import type { Catalog, CatalogTask } from '../engine/catalog.js';
import type { ProblemList } from '../ground/errors.js';
import type { AggregateName } from '../ground/vocabulary.js';
import type { LearningRates, RunConfig, SummarySpec, SweepAxis, TableSpec, Thresholds } from '../types.js';
import type { FrontierFile } from './frontier.js';
import { type OptimizerFile, resolveOptimizer } from './optimizer.js';
import type { SweepRulesFile } from './rules.js';
import { DEFAULTS } from './settings.js';
import type { ConfigSource } from './source.js';
import { closest, listOf } from './suggest.js';
import type { AxisSpec } from './sweep.js';

/** An experiment file that passed the schema: every shape is right, no default applied yet. */
export interface ExperimentFile extends SweepRulesFile {
  name: string;
  description?: string;
  task: { name: string; [option: string]: unknown };
  parameterization?: string;
  parameterization_options?: Record<string, unknown>;
  parameterization_modules?: string[];
  dim?: number;
  seed?: number;
  optimizer?: OptimizerFile;
  lr?: Partial<LearningRates>;
  thresholds?: Partial<Thresholds>;
  timeout?: number;
  record_every?: number;
  max_runs?: number;
  sweep?: Record<string, AxisSpec>;
  frontier?: FrontierFile;
  summary?: SummaryFile;
}

/** The file's fixed settings with every default filled in: the task's own, then covsweep's. */
export function resolveBase(file: ExperimentFile, task: CatalogTask, catalog: Catalog): RunConfig {
  const { name: _name, ...options } = file.task;
  return {
    // Cloned so that no run config shares an array or object with the catalog.
    task: { name: task.name, ...structuredClone(task.defaults), ...options },
    parameterization: file.parameterization ?? catalog.parameterizations[0],
    // Only what the file sets (the engine applies the defaults), and a map to sweep into.
    ...(file.parameterization_options || sweepsOptions(file)
      ? { parameterization_options: { ...file.parameterization_options } }
      : {}),
    dim: file.dim ?? DEFAULTS.dim,
    seed: file.seed ?? DEFAULTS.seed,
    optimizer: resolveOptimizer(
      file.optimizer?.name ?? catalog.optimizers[0].name,
      file.optimizer ?? {},
      task,
      catalog,
    ),
    lr: { ...task.lr, ...file.lr },
    thresholds: {
      divergence_bound: file.thresholds?.divergence_bound ?? DEFAULTS.divergence_bound,
      max_condition: file.thresholds?.max_condition ?? DEFAULTS.max_condition,
    },
    timeout: file.timeout ?? DEFAULTS.timeout,
    record_every: file.record_every ?? DEFAULTS.record_every,
  };
}

function sweepsOptions(file: ExperimentFile): boolean {
  return Object.keys(file.sweep ?? {}).some((path) => path.startsWith('parameterization_options.'));
}

/** Every experiment has seeds and a parameterization, so a table may use them even when not swept. */
const ALWAYS = ['seed', 'parameterization'];

/** The `summary` map as the schema admits it. */
export interface SummaryFile {
  rows?: string;
  columns?: string;
  value?: AggregateName | AggregateName[];
  tables?: { rows?: string; columns?: string; value: AggregateName }[];
}

/**
 * The summary's tables. Rows default to the first swept setting that is neither the columns nor
 * seed/parameterization, since that is usually what the sweep is about; `summary.tables` entries
 * default to the summary's rows and columns.
 */
export function resolveSummary(
  summary: SummaryFile,
  axes: readonly SweepAxis[],
  source: ConfigSource,
  problems: ProblemList,
): SummarySpec {
  const swept = axes.map((a) => a.path);
  const columns = summary.columns ?? DEFAULTS.columns;
  const rows =
    summary.rows ??
    swept.find((p) => !ALWAYS.includes(p) && p !== columns) ??
    (columns === 'seed' ? 'parameterization' : 'seed');
  const allowed = [...new Set([...swept, ...ALWAYS])];
  /** Checks the rows and columns a table was given at `at` (a path into the file). */
  const check = (
    table: Omit<TableSpec, 'value'>,
    given: { rows?: string; columns?: string },
    at: (string | number)[],
  ) => {
    const name = at.map((k, i) => (typeof k === 'number' ? `[${k}]` : i > 0 ? `.${k}` : k)).join('');
    for (const key of ['rows', 'columns'] as const) {
      const path = given[key];
      if (path === undefined || allowed.includes(path)) continue;
      const guess = closest(path, allowed);
      const fix = guess ? `did you mean "${guess}"?` : `use one of ${listOf(allowed)}`;
      const node = source.locate([...at, key].map(String)).node;
      problems.add(source.problem(node, `${name} ${key} "${path}" is not a swept setting; ${fix}`));
    }
    if (table.rows === table.columns) {
      const node = source.locate([...at, given.rows === undefined ? 'columns' : 'rows'].map(String)).node;
      problems.add(
        source.problem(
          node,
          `${name} rows and columns are both "${table.rows}"; choose two different settings`,
        ),
      );
    }
  };
  check({ rows, columns }, summary, ['summary']);
  const main = [summary.value ?? DEFAULTS.value].flat().map((value) => ({ rows, columns, value }));
  const more = (summary.tables ?? []).map((t, i) => {
    const table = { rows: t.rows ?? rows, columns: t.columns ?? columns, value: t.value };
    check(table, t, ['summary', 'tables', i]);
    return table;
  });
  return { rows, columns, tables: [...main, ...more] };
}
