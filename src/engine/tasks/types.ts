import type * as tf from '@tensorflow/tfjs-core';
import type { CatalogTask } from '../../config/catalog.js';
import type { LearningRates, Metrics, RunConfig } from '../../types.js';
import type { Parameterization } from '../parameterizations/types.js';

/** One trainable parameter of every lane: initial values [B, ...shape] and its learning-rate group. */
export interface ParamGroup {
  name: string;
  group: keyof LearningRates;
  shape: number[];
  /** Initial values of all lanes, lane-major. */
  init: Float32Array;
}

/** A task made for one lane batch: data on device, a loss per lane, metrics. */
export interface TaskInstance {
  steps: number;
  /** Gaussian units per lane (each with its own factor): check values are [B, units * d]. */
  units: number;
  params: ParamGroup[];
  /** Per-lane loss [B] at `step` and the factor check values [B, units * d] it saw. */
  loss(step: number, params: tf.Tensor[]): { loss: tf.Tensor1D; checks: tf.Tensor2D };
  /** Float64 metrics of lane b from its final raw parameters (one array per param group, lane b's slice). */
  metrics(lane: number, params: Float64Array[]): Metrics;
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
  create(configs: RunConfig[], p: Parameterization): TaskInstance;
}
