import * as tf from '@tensorflow/tfjs-core';
import type { LaneBatch, RunConfig, RunResult } from '../types.js';
import { Health, type LaneEnd } from './health.js';
import { Sgd } from './optim.js';
import { parameterization } from './parameterizations/index.js';
import { task } from './tasks/index.js';
import type { StepOutput, TaskInstance } from './tasks/types.js';

export interface TrainOptions {
  /** Called with the number of steps done, about every `progressEvery` steps. */
  onProgress?: (steps: number) => void;
  /** @default 50 */
  progressEvery?: number;
}

/** How often (in steps) the wall clock is read for per-run time limits. */
const CLOCK_EVERY = 32;

/**
 * Train every lane of a batch in lockstep as one computation and classify how
 * each ended. A lane's numbers depend only on its own config: the only
 * reduction across lanes is the sum that gives autodiff a scalar, whose
 * gradient with respect to each lane's loss is exactly 1.
 */
export function trainBatch(batch: LaneBatch, options: TrainOptions = {}): RunResult[] {
  const started = performance.now();
  const configs = batch.runs.map((r) => r.config);
  const B = configs.length;
  const p = parameterization(configs[0].parameterization, configs[0].parameterization_options);
  const t = task(configs[0].task.name).create(configs, p);
  const health = new Health(
    B,
    t.units,
    p,
    configs.map((c) => c.thresholds),
  );
  const opt = new Sgd(configs, t.params);
  const bounds = tf.tensor2d(
    configs.map((c) => c.thresholds.divergence_bound),
    [B, 1],
  );
  let params = t.params.map((g) => tf.tensor(g.init, [B, ...g.shape]));
  let alive = tf.tensor1d(health.alive, 'bool');
  const every = options.progressEvery ?? 50;
  const record = new Recorder(configs, t.steps);
  try {
    let step = 0;
    for (; step < t.steps && health.anyAlive; step++) {
      const live = health.alive.slice();
      const { grads, changed, loss, counters } = judgedStep(t, step, params, bounds, health, true);
      record.step(step, live, health.alive, loss, counters);
      if (changed) {
        alive.dispose();
        alive = tf.tensor1d(health.alive, 'bool');
      }
      const next = opt.step(params, grads!, alive);
      tf.dispose([...params, ...grads!]);
      params = next;
      if (step % CLOCK_EVERY === 0) stopLate(health, configs, step, started);
      if (options.onProgress && step % every === every - 1) options.onProgress(step + 1);
    }
    // Judge the final parameters too: the last update may itself have broken a lane.
    // The classifier re-reads its last step's point at them.
    if (health.anyAlive) judgedStep(t, t.steps - 1, params, bounds, health, false, t.steps);
    options.onProgress?.(t.steps);
    const seconds = (performance.now() - started) / 1000 / B;
    const finals = params.map((x) => x.dataSync());
    return health.finish(t.steps).map((end, b) => result(batch, b, end, t, finals, seconds, record));
  } finally {
    tf.dispose([...params, alive, bounds]);
    opt.dispose();
    t.dispose();
  }
}

/** Loss (and gradients) at `params`, judged by the health check at `at` (default: `step`). */
function judgedStep(
  t: TaskInstance,
  step: number,
  params: tf.Tensor[],
  bounds: tf.Tensor,
  health: Health,
  withGrads: boolean,
  at = step,
) {
  const B = params[0].shape[0];
  const { loss, checks, counters, grads, bad } = tf.tidy(() => {
    let seen: StepOutput | undefined;
    const objective = (...ps: tf.Tensor[]) => {
      seen = t.loss(step, ps);
      // Kept past the gradient tape's scope: the health check reads them below.
      for (const x of [seen.loss, seen.checks, ...Object.values(seen.counters ?? {})]) tf.keep(x);
      return tf.sum(seen.loss) as tf.Scalar;
    };
    let grads: tf.Tensor[] | undefined;
    if (withGrads) grads = tf.valueAndGrads(objective)(params).grads;
    else objective(...params);
    const flat = tf.concat(
      params.map((x) => tf.reshape(x, [B, -1])),
      1,
    );
    // lessEqual is false for NaN, so this flags non-finite values too.
    const bad = tf.any(tf.logicalNot(tf.lessEqual(tf.abs(flat), bounds)), 1);
    return { loss: seen!.loss, checks: seen!.checks, counters: seen!.counters, grads, bad };
  });
  const lossValues = loss.dataSync();
  const changed = health.observe(at, lossValues, checks.dataSync(), bad.dataSync());
  const counterValues = Object.entries(counters ?? {}).map(([name, c]) => [name, c.dataSync()] as const);
  tf.dispose([loss, checks, bad, ...Object.values(counters ?? {})]);
  return { grads, changed, loss: lossValues, counters: counterValues };
}

function stopLate(health: Health, configs: RunConfig[], step: number, started: number) {
  const elapsed = (performance.now() - started) / 1000;
  configs.forEach((c, b) => {
    if (health.alive[b] && c.timeout > 0 && elapsed > c.timeout)
      health.stop(b, {
        outcome: 'timeout',
        step,
        reason: `time limit of ${c.timeout} s reached at step ${step}`,
        loss: health.lastFiniteLoss(b),
      });
  });
}

/**
 * What a run records besides its ending: its loss every `record_every` steps
 * (learning curves) and per-lane event counters, both over the steps at which
 * it was alive.
 */
class Recorder {
  readonly curves: number[][];
  readonly counters = new Map<string, Float64Array>();
  private readonly every: number[];

  constructor(
    private readonly configs: RunConfig[],
    steps: number,
  ) {
    this.curves = configs.map(() => []);
    this.every = configs.map((c) => c.record_every || Math.max(1, Math.ceil(steps / 50)));
  }

  step(
    step: number,
    liveBefore: Uint8Array,
    liveAfter: Uint8Array,
    loss: ArrayLike<number>,
    counters: (readonly [string, ArrayLike<number>])[],
  ) {
    for (const [name, values] of counters) {
      const sums = this.counters.get(name) ?? new Float64Array(this.configs.length);
      this.counters.set(name, sums);
      for (let b = 0; b < sums.length; b++) if (liveBefore[b]) sums[b] += values[b];
    }
    for (let b = 0; b < this.curves.length; b++)
      if (liveAfter[b] && step % this.every[b] === 0) this.curves[b].push(loss[b]);
  }
}

function result(
  batch: LaneBatch,
  b: number,
  end: LaneEnd,
  t: TaskInstance,
  finals: ArrayLike<number>[],
  seconds: number,
  record: Recorder,
): RunResult {
  const { id, config } = batch.runs[b];
  const lane = finals.map((f, i) => {
    const size = t.params[i].shape.reduce((x, y) => x * y, 1);
    return Float64Array.from(Array.prototype.slice.call(f, b * size, (b + 1) * size) as number[]);
  });
  const metrics = t.metrics(b, lane);
  for (const [name, sums] of record.counters) metrics[name] = sums[b];
  const base = {
    id,
    config,
    step: end.step,
    loss: end.loss,
    metrics,
    curve: record.curves[b],
    ...(config.dim === 2 ? { gaussians: t.gaussians(b, lane) } : {}),
    seconds,
  };
  return end.outcome === 'ok'
    ? { ...base, outcome: 'ok' }
    : { ...base, outcome: end.outcome, reason: end.reason ?? '' };
}
