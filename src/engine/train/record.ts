import { lazyProperty } from '../../ground/lazy-property.js';
import type { LaneBatch, RunConfig, RunResult } from '../../types.js';
import type { TaskInstance } from '../tasks/types.js';
import { curveEvery } from './curve.js';
import { laneParams } from './final-params.js';
import type { LaneEnd } from './health.js';
import { laneParamsJson } from './params-json.js';

/**
 * What a run records besides its ending: its loss every `record_every` steps
 * (learning curves) and per-lane event counters, both over the steps at which
 * it was alive.
 */
export class Recorder {
  readonly curves: number[][];
  readonly counters = new Map<string, Float64Array>();
  /** Each lane's steps between two curve points. */
  readonly every: number[];

  constructor(
    private readonly configs: RunConfig[],
    steps: number,
  ) {
    this.curves = configs.map(() => []);
    this.every = configs.map((c) => curveEvery(c.record_every, steps));
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

/** Lane b's result: its ending, its task's metrics from its final parameters, and what was recorded. */
export function result(
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
    return laneSlice(f, b * size, (b + 1) * size);
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
    // Point i of the curve is the loss at step i * curve_every, so the curve reads without guessing.
    curve_every: record.every[b],
    planned_steps: t.steps,
    // Made when first read (`lazyParams`), in its place among the keys.
    params: undefined as RunResult['params'],
    ...(config.dim === 2 && t.gaussians ? { gaussians: t.gaussians(b, lane) } : {}),
    seconds,
  };
  const r: RunResult =
    end.outcome === 'ok'
      ? { ...base, outcome: 'ok' }
      : { ...base, outcome: end.outcome, reason: end.reason ?? '', kind: end.kind ?? 'unknown' };
  return lazyParams(r, t, finals, b);
}

/** The JSON text of each result's final parameters while they are not made (`lazyParams`). */
const paramsTexts = new WeakMap<RunResult, () => string | undefined>();

/**
 * `r.params`, lane b's parameters by group (laneParams of the batch's final values, which nothing
 * changes after the run), made when first read, and until then `paramsJson(r)` writes their JSON
 * text straight from the values: a worker makes each result's line and posts it without its
 * params (results/line.ts), so in a run they are never made.
 */
function lazyParams(r: RunResult, t: TaskInstance, finals: ArrayLike<number>[], b: number): RunResult {
  paramsTexts.set(r, () => laneParamsJson(t.params, finals, b));
  return lazyProperty(
    r,
    'params',
    () => laneParams(t.params, finals, b),
    () => paramsTexts.delete(r),
  );
}

/**
 * JSON.stringify(r.params) of a result whose params are not made yet (`lazyParams`), written
 * without making them; undefined for any other result, or where JSON.stringify must write them
 * (a non-finite value).
 */
export function paramsJson(r: RunResult): string | undefined {
  return paramsTexts.get(r)?.();
}

/**
 * f[from..to) as float64: a typed array's view converts in one native call, where going through
 * a plain array cost a few milliseconds a batch.
 */
function laneSlice(f: ArrayLike<number>, from: number, to: number): Float64Array {
  if (f instanceof Float32Array || f instanceof Float64Array) return new Float64Array(f.subarray(from, to));
  return Float64Array.from(Array.prototype.slice.call(f, from, to) as number[]);
}
