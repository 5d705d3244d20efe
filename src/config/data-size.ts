import type { CatalogTask } from '../engine/catalog.js';
import { taskSpec } from '../engine/tasks/specs.js';
import type { ProblemList } from '../ground/errors.js';
import { isCommand, type RunConfig, type SweepAxis } from '../types.js';
import type { ConfigSource } from './source.js';

/**
 * Numbers of generated data one run may hold: 2^24, some 200 MB as float64 plus float32 tensors.
 * `n_per_class: 1e8` once passed 4 GB before its timeout could act.
 */
export const MAX_DATA_NUMBERS = 2 ** 24;

/** Bytes a number of data takes: float64 on the host and float32 in the engine's tensors. */
const BYTES_PER_NUMBER = 12;

/** Bytes of data one run holds: its data file's rows, or the points the task generates, times dim. */
export function dataBytes(config: RunConfig, task: CatalogTask): number {
  const data = config.task.data as { rows?: number } | undefined;
  const value = (path: string) =>
    Number(path.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)?.[k], config));
  const rows = data?.rows ?? (task.dataRows ?? []).reduce((a, path) => a * value(path), 1);
  return rows * config.dim * BYTES_PER_NUMBER;
}

/**
 * Bytes of data one run of any task holds, for packing runs and the plan's memory estimate: a
 * command task's data lives in its own process, so none here.
 */
export function runDataBytes(config: RunConfig): number {
  return isCommand(config) ? 0 : dataBytes(config, taskSpec(config.task.name));
}

/** A description is a paragraph or a page, not a document: it is copied into every report. */
export const MAX_DESCRIPTION_CHARS = 10_000;

/**
 * Checks the largest data the sweep generates for one run (the task's `dataRows` settings and
 * `dim`, each at its largest swept value) against MAX_DATA_NUMBERS, pointing at the setting that
 * contributes most when the file writes it.
 */
export function checkDataSize(
  base: RunConfig,
  axes: readonly SweepAxis[],
  task: CatalogTask,
  source: ConfigSource,
  problems: ProblemList,
): void {
  if (!task.dataRows || typeof base.task.data === 'string') return;
  const largest = (path: string): number => {
    const axis = axes.find((a) => a.path === path);
    if (axis) return axis.values.reduce<number>((a, v) => Math.max(a, Number(v)), 0);
    return Number(path.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)?.[k], base));
  };
  const factors = [...task.dataRows, 'dim'].map((path) => [path, largest(path)] as const);
  const numbers = factors.reduce((a, [, n]) => a * n, 1);
  if (!(numbers > MAX_DATA_NUMBERS)) return;
  const [path] = factors.reduce((a, f) => (f[1] > a[1] ? f : a));
  const keys = axes.some((a) => a.path === path) ? ['sweep', path] : path.split('.');
  const at = source.doc.hasIn(keys) ? keys : ['task'];
  problems.add(
    source.problem(
      source.locate(at).node,
      `a run would hold ${numbers.toExponential(2)} numbers of data (${factors.map(([p, n]) => `${p} ${n}`).join(' x ')}), more than ${MAX_DATA_NUMBERS} (${(MAX_DATA_NUMBERS * BYTES_PER_NUMBER) / 2 ** 20} MB); lower ${path}`,
    ),
  );
}

/** Refuses a description longer than MAX_DESCRIPTION_CHARS, at the description. */
export function checkDescription(description: unknown, source: ConfigSource, problems: ProblemList): void {
  if (typeof description !== 'string' || description.length <= MAX_DESCRIPTION_CHARS) return;
  problems.add(
    source.problem(
      source.locate(['description']).node,
      `"description" has ${description.length} characters, more than ${MAX_DESCRIPTION_CHARS}; keep it to a paragraph or two (it is copied into every report)`,
    ),
  );
}
