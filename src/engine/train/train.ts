import type { LaneBatch, RunConfig, RunResult } from '../../types.js';
import { nativeEngine } from '../backend.js';
import { type NativeStep, nativeStep } from '../native/step.js';
import { parameterization } from '../parameterizations/index.js';
import { task } from '../tasks/index.js';
import type { ParamGroup, StepOutput, TaskInstance } from '../tasks/types.js';
import { tf } from '../tf.js';
import { Health } from './health.js';
import { type Optimizer, optimizer } from './optim.js';
import { Recorder, result } from './record.js';
import { withUpdate } from './update.js';

export interface TrainOptions {
  /** Called with the number of steps done, about every `progressEvery` steps. */
  onProgress?: (steps: number) => void;
  /** @default 50 */
  progressEvery?: number;
  /** Called at every step with its loss and gradients, before the update (`covsweep repro --trace`). */
  onStep?: (step: number, state: StepState) => void;
}

/** One step of a batch as `onStep` sees it: every lane's values, lane-major, valid only during the call. */
export interface StepState {
  loss: ArrayLike<number>;
  params: Float32Array[];
  grads: ArrayLike<number>[];
  groups: ParamGroup[];
}

/** How often (in steps) the wall clock is read for per-run time limits. */
const CLOCK_EVERY = 32;

/**
 * Train every lane of a batch in lockstep as one computation and classify how
 * each ended. A lane's numbers depend only on its own config: nothing
 * reduces across lanes (autodiff backpropagates ones from the per-lane
 * losses, the gradient of their sum).
 */
export function trainBatch(batch: LaneBatch, options: TrainOptions = {}): RunResult[] {
  const trainer = new LaneTrainer(batch, options.onStep);
  try {
    const every = options.progressEvery ?? 50;
    while (!trainer.done) {
      trainer.advance();
      if (options.onProgress && trainer.step % every === 0) options.onProgress(trainer.step);
    }
    const results = trainer.finish();
    options.onProgress?.(trainer.steps);
    return results;
  } finally {
    trainer.dispose();
  }
}

/**
 * A lane batch in training, one step at a time (`covsweep bench` times
 * `advance`). The lanes' parameters live in host memory between steps, where
 * the optimizer and the bound check loop over them. With the native step
 * (the `native` backend, where the task and parameterization have one) loss
 * and gradients are computed there too; otherwise each step uploads the
 * parameters once and runs the task's tfjs ops.
 */
export class LaneTrainer {
  /** Steps taken so far. */
  step = 0;
  readonly steps: number;
  /** How a step is computed: the native step on host memory, or tfjs ops. */
  readonly engine: 'native' | 'tfjs';
  private readonly native?: NativeStep;
  private readonly started = performance.now();
  private readonly configs: RunConfig[];
  private readonly t: TaskInstance;
  private readonly health: Health;
  private readonly opt: Optimizer;
  private readonly values: Float32Array[];
  /** Index of the covariance group in `values`: the raw blocks the health check's condition check reads. */
  private readonly cov: number;
  private readonly record: Recorder;
  /** The lanes alive when a step began (the recorder's `liveBefore`), reused step to step. */
  private readonly live: Uint8Array;
  /**
   * d(sum of losses) / d(loss of lane b), kept across steps; made by the first tfjs step, so that
   * a batch on the native step never loads tfjs (tf.ts).
   */
  private ones?: tf.Tensor1D;

  /** `native`: take the native step where there is one (default: whether the `native` backend is in use). */
  constructor(
    private readonly batch: LaneBatch,
    private readonly onStep?: TrainOptions['onStep'],
    native = nativeEngine(),
  ) {
    this.configs = batch.runs.map((r) => r.config);
    const first = this.configs[0];
    const p = parameterization(first.parameterization, first.parameterization_options);
    // Task options, data included, are part of the shape key: one data file per batch.
    this.t = task(first.task.name).create(this.configs, p, batch.runs[0].dataFile);
    this.steps = this.t.steps;
    this.health = new Health(
      this.configs.length,
      this.t.units,
      p,
      this.configs.map((c) => c.thresholds),
      first.dim,
    );
    this.cov = this.t.params.findIndex((g) => g.group === 'cov');
    this.opt = withUpdate(optimizer(this.configs, this.t.params), p, this.t.params, first.dim);
    this.values = this.t.params.map((g) => g.init.slice());
    this.record = new Recorder(this.configs, this.steps);
    this.live = new Uint8Array(this.configs.length);
    const limits = this.configs.map((c) => c.thresholds.max_condition);
    this.native = native
      ? nativeStep(this.t, p, this.configs.length, first.dim, first.parameterization_options, limits)
      : undefined;
    this.engine = this.native ? 'native' : 'tfjs';
  }

  /** True when every step is taken or every lane has stopped. */
  get done(): boolean {
    return this.step >= this.steps || !this.health.anyAlive;
  }

  /** One step of every live lane: loss and gradients, judged, recorded, applied. */
  advance(): void {
    const { step, health } = this;
    const live = this.live;
    live.set(health.alive);
    const { grads, loss, counters } = this.judged(step, true);
    this.record.step(step, live, health.alive, loss, counters);
    this.onStep?.(step, { loss, params: this.values, grads: grads!, groups: this.t.params });
    this.opt.step(this.values, grads!, health.alive);
    if (step % CLOCK_EVERY === 0) this.stopLate();
    this.step++;
  }

  /** Every lane's result (call once, when `done`). */
  finish(): RunResult[] {
    // Judge the final parameters too: the last update may itself have broken a lane.
    // The classifier re-reads its last step's point at them.
    if (this.health.anyAlive) this.judged(this.steps - 1, false, this.steps);
    const seconds = (performance.now() - this.started) / 1000 / this.configs.length;
    return this.health
      .finish(this.steps)
      .map((end, b) => result(this.batch, b, end, this.t, this.values, seconds, this.record));
  }

  dispose(): void {
    this.t.dispose();
    this.ones?.dispose();
  }

  /** Loss (and gradients) at the current parameters, judged by the health check at `at` (default: `step`). */
  private judged(step: number, withGrads: boolean, at = step) {
    const { health, values, native } = this;
    const out = native ? this.nativeEvaluate(step, withGrads) : this.tfjsEvaluate(step, withGrads);
    const bounds = native?.conditionBounds;
    // The optimizer's last step flagged the parameters it left in its own pass, where it does;
    // before the first step (and past a hook that moves them after it) they are scanned here.
    const paramsBad = this.opt.outOfBounds ?? health.outOfBounds(values);
    health.observe(at, out.loss, out.checks, paramsBad, values[this.cov], bounds);
    return out;
  }

  private nativeEvaluate(step: number, withGrads: boolean) {
    const native = this.native!;
    native.evaluate(step, this.values, this.health.alive, withGrads);
    return {
      loss: native.loss,
      checks: native.checks,
      counters: native.counters,
      grads: withGrads ? native.grads : undefined,
    };
  }

  private tfjsEvaluate(step: number, withGrads: boolean) {
    const { t, values } = this;
    const B = this.configs.length;
    const { loss, checks, counters, grads } = tf.tidy(() => {
      const params = values.map((v, i) => tf.tensor(v, [B, ...t.params[i].shape]));
      let seen: StepOutput | undefined;
      const objective = (...ps: tf.Tensor[]) => {
        seen = t.loss(step, ps);
        // Kept past the gradient tape's scope: the health check reads them below.
        for (const x of [seen.checks, ...Object.values(seen.counters ?? {})]) tf.keep(x);
        return seen.loss;
      };
      // Backpropagating ones from the per-lane losses is the gradient of their sum,
      // without the sum and its gradient as two more ops.
      let grads: tf.Tensor[] | undefined;
      this.ones ??= tf.keep(tf.ones([B]));
      if (withGrads) grads = tf.valueAndGrads(objective)(params, this.ones).grads;
      else objective(...params);
      return { loss: seen!.loss, checks: seen!.checks, counters: seen!.counters, grads };
    });
    const lossValues = loss.dataSync();
    const checkValues = checks.dataSync();
    const counterValues = Object.entries(counters ?? {}).map(([name, c]) => [name, c.dataSync()] as const);
    // Gradients of float32 parameters are float32.
    const gradValues = grads?.map((g) => g.dataSync() as Float32Array);
    tf.dispose([loss, checks, ...Object.values(counters ?? {}), ...(grads ?? [])]);
    return { grads: gradValues, loss: lossValues, checks: checkValues, counters: counterValues };
  }

  private stopLate() {
    const { health, step } = this;
    const elapsed = (performance.now() - this.started) / 1000;
    this.configs.forEach((c, b) => {
      if (health.alive[b] && c.timeout > 0 && elapsed > c.timeout)
        health.stop(b, {
          outcome: 'timeout',
          kind: 'timeout',
          step,
          reason: `time limit of ${c.timeout} s reached at step ${step}`,
          loss: health.lastFiniteLoss(b),
        });
    });
  }
}
