import { settingAt } from '../plan/expand.js';
import type { Experiment, RunResult, TableSpec } from '../types.js';
import { AGGREGATES, type Aggregate, type CellValue } from './aggregate.js';

/** A cell's statistic and how many runs it is over. */
export type PivotCell = CellValue & { runs: number };

/** A summary table: `aggregate` over the runs of each rows x columns cell. */
export interface Pivot {
  spec: TableSpec;
  aggregate: Aggregate;
  rowValues: unknown[];
  columnValues: unknown[];
  /** [row][column]; undefined where no run has that pair of settings (a blank cell, not a zero). */
  cells: (PivotCell | undefined)[][];
}

/**
 * Values of `path` in sweep order (axis order), then any others the runs have (included runs may
 * set values off the axis) in first-seen order.
 */
export function settingValues(e: Experiment, path: string, results: readonly RunResult[]): unknown[] {
  const axis = e.axes.find((a) => a.path === path);
  return [...new Set([...(axis?.values ?? []), ...results.map((r) => settingAt(r.config, path))])];
}

/** Runs grouped by the values of `paths`, keyed by their JSON (settings are JSON scalars). */
export function groupBy(results: readonly RunResult[], paths: readonly string[]): Map<string, RunResult[]> {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = JSON.stringify(paths.map((p) => settingAt(r.config, p)));
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return groups;
}

export function pivot(e: Experiment, results: readonly RunResult[], spec: TableSpec): Pivot {
  const aggregate = AGGREGATES[spec.value];
  const groups = groupBy(results, [spec.rows, spec.columns]);
  const rowValues = settingValues(e, spec.rows, results);
  const columnValues = settingValues(e, spec.columns, results);
  const cells = rowValues.map((rv) =>
    columnValues.map((cv) => {
      const runs = groups.get(JSON.stringify([rv, cv]));
      return runs ? { ...aggregate.of(runs), runs: runs.length } : undefined;
    }),
  );
  return { spec, aggregate, rowValues, columnValues, cells };
}
