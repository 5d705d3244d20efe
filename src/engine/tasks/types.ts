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
  /**
   * Its loss and gradient on host memory, lane by lane (native/step.ts composes it with the
   * parameterization's native map); absent, or undefined, when the task has no native form (for
   * this parameterization). With `diagonal` (NativeMap.diagonal) every factor it is given is
   * diagonal, and it may write dL's diagonal only (leaving the rest of dl as it was).
   */
  native?(factor?: { diagonal: boolean }): NativeTask | undefined;
}

/**
 * A task's loss and gradient on host memory for the native step, one lane at a time, at the
 * factors its parameterization's native map made: what its tfjs `loss` computes, without tensors.
 */
export interface NativeTask {
  /** Names of the per-lane event counters it reports every step (its StepOutput's counters). */
  readonly counters: readonly string[];
  /**
   * Whether `lane` can write d loss / d Sigma instead of d loss / d L: the symmetric gradient
   * (torch's convention for a covariance_matrix parameter), which is what the Cholesky backward
   * of d loss / d L gives, in exact arithmetic, for a loss that sees L only through Sigma = L L^T.
   */
  readonly sigmaGradient?: boolean;
  /** Gets ready for step `step` (which points every lane trains on). */
  begin(step: number): void;
  /**
   * Lane b's loss at its parameters (`params[i]`: group i of every lane, lane-major), with its
   * units' factors at l[u * d * d..] (float32, lower triangular). With `grads`, also writes d loss
   * / d L of each unit into dl (same layout, every entry of the lower triangle) and the gradient of
   * every group other than the covariance into grads[i] at lane b; with `sigma` (only asked of a
   * task with `sigmaGradient`), d loss / d Sigma of each unit (full d x d) in place of d loss / d L.
   * Writes this step's counters of lane b into counts[c][b].
   */
  lane(
    b: number,
    params: Float32Array[],
    l: Float32Array,
    dl: Float32Array,
    grads: Float32Array[] | undefined,
    counts: Float32Array[],
    sigma: boolean,
  ): number;
  /**
   * Where its last `lane` call left that lane's factors whole in linear memory (unit u's at
   * u * d * d of the view: the same values as `l`), if it copied them there, else undefined: the
   * condition check's passes read them there rather than copying them in again.
   */
  laneFactors?(): Float32Array | undefined;
  /**
   * For the parameterization named, every lane's step at once (WholeStep), where the task has
   * one for it: the native step then runs it after `begin` instead of the map and `lane` lane by
   * lane. Absent or undefined: lane by lane.
   */
  whole?(parameterization: string): WholeStep | undefined;
}

/**
 * What NativeStep.evaluate computes lane by lane from a task's `lane` and its parameterization's
 * map, for every lane in `alive` at once and with the same numbers: each live lane's loss, check
 * values, counters and (with `withGrads`) gradients into `out`, each block's condition bound
 * through `out.condition`. Other lanes' entries stay as they were.
 */
export interface WholeStep {
  evaluate(params: Float32Array[], alive: Uint8Array, withGrads: boolean, out: WholeStepOut): void;
}

/** The native step's buffers (NativeStep's fields of the same names). */
export interface WholeStepOut {
  loss: Float32Array;
  checks: Float32Array;
  grads: Float32Array[];
  /** The task's counters, [c][lane]. */
  counts: Float32Array[];
  /** The cheap tiers of the condition check (native/condition-bound.ts), per block at its factor. */
  condition?: {
    blocks(
      memory: () => Float32Array,
      copies: number,
      factors: number,
      raw: Float32Array,
      alive: Uint8Array,
    ): void;
  };
}

/**
 * A task as the config, the planner and the reports see it, without its tfjs loss: its options
 * (schema and defaults, as experiment files see them), its step count, and its data on the host.
 * Each built-in task's spec is a module of its own (`*-spec.ts`) that loads no tfjs, so that
 * `covsweep validate` and `plan` load none.
 */
export interface TaskSpec extends CatalogTask {
  /** Training steps of a run (known without generating data: the planner packs by it). */
  steps(config: RunConfig): number;
  /**
   * Steps a learning curve is smoothed over in reports: a loss measured on one minibatch is noisy,
   * its mean over an epoch is not. Absent: full-batch losses, not smoothed.
   */
  curveWindow?(config: RunConfig): number;
  /**
   * The points a run trains on (row-major [n, dim]) and the unit each was drawn from: the same
   * seeded draws as `create`, without tfjs, so reports can draw them instead of storing them.
   */
  dataPoints?(config: RunConfig, dataFile?: string): { points: Float64Array; units: number[] };
}

/**
 * A task: its spec, and the lane batches that own its data on device, its loss, its schedule and
 * its metrics. It never steps the optimizer and never classifies outcomes.
 */
export interface Task extends TaskSpec {
  /** `dataFile`: where the batch's `task.data` file is (RunSpec.dataFile), when its configs name one. */
  create(configs: RunConfig[], p: Parameterization, dataFile?: string): TaskInstance;
}

/**
 * A run's task options as its task's own type. The experiment schema built from the task's option
 * schemas checked and defaulted them when the file was loaded, so this is the one place the
 * engine trusts that; tasks call it instead of casting `config.task`.
 */
export function taskOptions<T extends object>(config: Pick<RunConfig, 'task'>): T {
  return config.task as unknown as T;
}
