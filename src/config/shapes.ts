import type { CatalogTask } from '../engine/catalog.js';
import { cholesky64 } from '../ground/dense64.js';
import type { ProblemList } from '../ground/errors.js';
import type { RunConfig, SweepAxis } from '../types.js';
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

/** The d x d matrices in a list of `depth` levels (2: the value is one matrix), with their indices. */
function matrices(value: unknown, depth: number, at: number[] = []): { at: number[]; rows: number[][] }[] {
  if (depth === 2) return [{ at, rows: value as number[][] }];
  return (value as unknown[]).flatMap((item, i) => matrices(item, depth - 1, [...at, i]));
}

/** Why a d x d matrix is not a covariance, or undefined when it is one. */
function notCovariance(rows: number[][]): string | undefined {
  const d = rows.length;
  for (let i = 0; i < d; i++)
    for (let j = 0; j < i; j++) {
      const [a, b] = [rows[i][j], rows[j][i]];
      // Up to float64 rounding of numbers written in decimal.
      if (Math.abs(a - b) > 1e-12 * Math.max(Math.abs(a), Math.abs(b)))
        return `is not symmetric: [${i}][${j}] is ${a} but [${j}][${i}] is ${b}; make it symmetric`;
    }
  if (!cholesky64(rows.flat(), d))
    return 'is not positive definite (its Cholesky factorisation fails); give a matrix whose eigenvalues are all > 0';
  return undefined;
}

/**
 * Checks list-valued task options against the settings that size them (`means` against `units`
 * and `dim`), and that those holding covariances hold symmetric positive-definite matrices. A
 * fixed list cannot fit a swept size, so sweeping one of those sizes is a problem too.
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
    if (!wrong) {
      if (task.covariances?.includes(option)) checkCovariances(option, value, sizes.length, source, problems);
      continue;
    }
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

function checkCovariances(
  option: string,
  value: unknown,
  depth: number,
  source: ConfigSource,
  problems: ProblemList,
): void {
  for (const { at, rows } of matrices(value, depth)) {
    const why = notCovariance(rows);
    if (!why) continue;
    const label = `task.${option}${at.map((i) => `[${i}]`).join('')}`;
    const node = source.locate(['task', option, ...at.map(String)]).node;
    problems.add(source.problem(node, `"${label}" ${why}`));
  }
}
