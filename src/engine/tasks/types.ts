import type * as tf from '@tensorflow/tfjs-core';
import type { Gaussians, LearningRates, Metrics, RunConfig } from '../../types.js';
import type { CatalogTask } from '../catalog.js';
import type { Parameterization } from '../parameterizations/types.js';

/** One trainable parameter of every lane: initial values [B, ...shape] and its learning-rate group. */
export interface ParamGroup {
  name: string;
  group: keyof LearningRates;
  shape: number[];
  /** Initial values of all lanes, lane-major. */
  init: Float32Array;
}

/** What one step's loss evaluation reports. */
export interface StepOutput {
  loss: tf.Tensor1D;
  checks: tf.Tensor2D;
  /**
   * Per-lane event counts of this step ([B] each), summed over a run's live
   * steps by the trainer and reported as metrics of that name (e.g. steps on
   * which a unit's density underflowed, Cholesky retries with jitter).
   */
  counters?: Record<string, tf.Tensor1D>;
}

/** A task made for one lane batch: data on device, a loss per lane, metrics. */
export interface TaskInstance {
  steps: number;
  /** Gaussian units per lane (each with its own factor): check values are [B, units * d]. */
  units: number;
  params: ParamGroup[];
  /** Per-lane loss [B] at `step`, the factor check values [B, units * d] it saw, and counters. */
  loss(step: number, params: tf.Tensor[]): StepOutput;
  /** Float64 metrics of lane b from its final raw parameters (one array per param group, lane b's slice). */
  metrics(lane: number, params: Float64Array[]): Metrics;
  /** Lane b's learned and true Gaussians (float64), for pictures of 2-D runs; absent for a task that has none. */
  gaussians?(lane: number, params: Float64Array[]): { learned: Gaussians; truth: Gaussians };
  dispose(): void;
}

/**
 * A task owns its options (schema and defaults, as experiment files see
 * them), its data, its loss, its schedule and its metrics. It never steps the
 * optimizer and never classifies outcomes.
 */
export interface Task extends CatalogTask {
  /** Training steps of a run (known without generating data: the planner packs by it). */
  steps(config: RunConfig): number;
  /** `dataFile`: where the batch's `task.data` file is (RunSpec.dataFile), when its configs name one. */
  create(configs: RunConfig[], p: Parameterization, dataFile?: string): TaskInstance;
  /**
   * The points a run trains on (row-major [n, dim]) and the unit each was drawn from: the same
   * seeded draws as `create`, without tfjs, so reports can draw them instead of storing them.
   */
  dataPoints?(config: RunConfig, dataFile?: string): { points: Float64Array; units: number[] };
}

/**
 * A run's task options as its task's own type. The experiment schema built from the task's option
 * schemas checked and defaulted them when the file was loaded, so this is the one place the
 * engine trusts that; tasks call it instead of casting `config.task`.
 */
export function taskOptions<T extends object>(config: Pick<RunConfig, 'task'>): T {
  return config.task as unknown as T;
}
