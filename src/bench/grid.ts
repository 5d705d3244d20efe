import { parseExperiment } from '../config/load.js';
import { tasks } from '../engine/tasks/index.js';
import type { LaneBatch, RunConfig } from '../types.js';

/** One benchmark: a lane batch of one shape, stepped on one backend. */
export interface Cell {
  task: string;
  parameterization: string;
  dim: number;
  lanes: number;
  backend: string;
}

export const DIMS = [2, 8, 32, 64];
export const LANES = [1, 64, 1024, 4096];

/**
 * Cells whose batch holds more covariance entries than this (lanes x d^2) are
 * left out unless asked for (`--full`): at d = 64, 1024 lanes of score
 * matching take seconds per step and gigabytes of data, and the time per
 * lane-step has long stopped changing with the lane count.
 */
export const BUDGET = 4096 * 64;

export interface GridOptions {
  tasks: string[];
  parameterizations: string[];
  dims: number[];
  lanes: number[];
  backends: string[];
  /** Keep cells over BUDGET. */
  full: boolean;
}

/**
 * Every cell of the grid, task by task, then parameterization, d, backend and
 * lane count, d and lanes ascending: a cell's smaller neighbours are measured
 * first, so that the per-cell budget can predict it (budget.ts).
 */
export function cells(o: GridOptions): { run: Cell[]; skipped: Cell[] } {
  const ascending = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
  const all = o.tasks.flatMap((task) =>
    o.parameterizations.flatMap((parameterization) =>
      ascending(o.dims).flatMap((dim) =>
        o.backends.flatMap((backend) =>
          ascending(o.lanes).map((lanes) => ({ task, parameterization, dim, lanes, backend })),
        ),
      ),
    ),
  );
  const fits = (c: Cell) => o.full || c.lanes * c.dim * c.dim <= BUDGET;
  return { run: all.filter(fits), skipped: all.filter((c) => !fits(c)) };
}

/**
 * A run config of the cell's shape with every default applied (through the
 * experiment loader, so new settings get theirs), and learning rates small
 * enough that lanes stay healthy while they are timed. A task option that must
 * exceed `dim` (the task's `above` rules, e.g. score-matching's n_data) is
 * raised to dim + 1 where its default is not enough.
 */
export function benchConfig(task: string, parameterization: string, dim: number): RunConfig {
  const t = tasks.get(task);
  const raised = (t?.above ?? [])
    .filter((rule) => rule.than === 'dim' && rule.setting.startsWith('task.'))
    .map((rule) => {
      const option = rule.setting.slice('task.'.length);
      return `, ${option}: ${Math.max(Number(t?.defaults[option] ?? 0), dim + 1)}`;
    });
  const text = [
    'name: bench',
    `task: { name: ${task}${raised.join('')} }`,
    `parameterization: ${parameterization}`,
    `dim: ${dim}`,
    'lr: { cov: 1.0e-6, mean: 1.0e-6, weights: 1.0e-6 }',
  ].join('\n');
  return parseExperiment(text, 'bench.yaml').base;
}

/** The cell's lane batch: lane b is seed b. */
export function benchBatch(c: Cell): LaneBatch {
  const base = benchConfig(c.task, c.parameterization, c.dim);
  return {
    index: 0,
    shapeKey: '',
    runs: Array.from({ length: c.lanes }, (_, b) => ({ id: `lane${b}`, config: { ...base, seed: b } })),
    steps: 0,
  };
}
