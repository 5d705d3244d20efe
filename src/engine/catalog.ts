/**
 * The engine's registry contract: what a task and an optimizer show experiment files, and the
 * catalog config builds the experiment schema from. src/engine/registry.ts fills it.
 */

import type { JsonSchema } from '../ground/json-schema.js';
import type { LearningRates } from '../types.js';

/** A task as experiment files see it: its options, and the defaults of a run of it. */
export interface CatalogTask {
  name: string;
  /** JSON Schema of each option of the `task` map besides `name`. */
  options: Record<string, JsonSchema>;
  /** Default of each option that has one; an option with none is left out of the run config when not given. */
  defaults: Record<string, unknown>;
  /** Learning rates when the file gives none. */
  lr: LearningRates;
  /** SGD momentum when the file gives none (see `taskOptimizerDefaults`). */
  momentum: number;
  /**
   * For list-valued options, the setting that gives the length at each depth: `means: ['task.units',
   * 'dim']` is `units` lists of `dim` numbers. The schema cannot say this, as the lengths are settings.
   */
  shapes?: Record<string, string[]>;
  /**
   * List-valued options (of `shapes`) whose innermost d x d lists are covariances: each must be
   * symmetric positive definite.
   */
  covariances?: string[];
  /** Whether `task.data` files have a `label` column (0..task.units-1) beside the points x1..xd. */
  labelled?: boolean;
  /**
   * Settings that must be larger than another for the task to make sense, with the reason in
   * words: `{ setting: 'task.n_data', than: 'dim', because: '...' }`. The schema cannot say this
   * either, as both sides are settings and either may be swept.
   */
  above?: { setting: string; than: string; because: string }[];
  /**
   * Settings whose product is the number of points a run generates (`['task.n_per_class',
   * 'task.units']`), each of `dim` numbers: the data a run holds, checked against a limit when
   * the file is validated rather than when memory runs out.
   */
  dataRows?: string[];
}

/** An optimizer as the schema sees it: its name and the JSON Schema of each of its options. */
export interface CatalogOptimizer {
  name: string;
  /** Each option with its default, but for those whose default the task decides (`taskOptimizerDefaults`). */
  options: Record<string, JsonSchema>;
}

/**
 * The optimizer options whose default is the task's, not the optimizer's: sgd's momentum (seed
 * 000 trains with 0.3, seed 001 with none).
 */
export function taskOptimizerDefaults(task: Pick<CatalogTask, 'momentum'>): Record<string, unknown> {
  return { momentum: task.momentum };
}

/**
 * What the experiment schema may name: the tasks and parameterizations that exist. Plain data,
 * so tests can validate against a catalog of their own.
 */
export interface Catalog {
  tasks: CatalogTask[];
  /** The optimizers; the first is the default. */
  optimizers: CatalogOptimizer[];
  /** Covariance parameterization names; the first is the default. */
  parameterizations: string[];
  /** JSON Schema (with default) of every parameterization option, by option name; none when absent. */
  parameterizationOptions?: Record<string, JsonSchema>;
}
