import { formatReasonNumber } from '../../ground/format.js';
import type { FailedOutcome, FailureKind, Thresholds } from '../../types.js';
import type { Parameterization } from '../parameterizations/types.js';
import { ConditionCheck } from './condition.js';

/** How a lane ended, as the engine saw it; the results layer adds config and metrics. */
export interface LaneEnd {
  outcome: 'ok' | FailedOutcome;
  step: number;
  reason?: string;
  /** What kind of failure the reason describes (failed lanes only). */
  kind?: FailureKind;
  /** Last finite loss of the lane. */
  loss: number;
}

/**
 * Outcome classification, the one place that decides how a run ended.
 *
 * - singular: the covariance left the positive-definite set: a Cholesky pivot
 *   or factor diagonal <= 0 or NaN, or a 2-norm condition number of the
 *   covariance (of the precision, for a precision factor: the same number)
 *   above `max_condition`. The condition number is checked at every checked
 *   step, on the float64 covariance of the lane's float32 raw parameters
 *   (native/condition-bound.ts inside the native step, then condition.ts on the
 *   host for the blocks it did not clear: cheap upper bounds, the exact value
 *   only when they do not clear it), so no run above the limit at a checked
 *   step ends `ok`.
 *   A checked step is every state a lane is in: the parameters at which each
 *   step's loss is evaluated (after that many updates) and the final
 *   parameters after the last update (judged as step `steps`).
 * - diverged: loss or parameters non-finite or beyond the bound while the
 *   covariance is still valid.
 * - timeout / error: set by the trainer and the pool.
 *
 * The check values come from the lanes' own memory once per step (on the
 * cpu and wasm backends that memory is the host's, so reading it is a copy of
 * a few kilobytes), and the verdict is made in one plain loop over lanes.
 */
export class Health {
  readonly alive: Uint8Array;
  private readonly ends: (LaneEnd | undefined)[];
  private readonly lastLoss: Float64Array;
  private readonly condition: ConditionCheck;

  constructor(
    private readonly lanes: number,
    private readonly units: number,
    private readonly p: Parameterization,
    private readonly thresholds: Thresholds[],
    d: number,
  ) {
    this.condition = new ConditionCheck(p, d);
    this.alive = new Uint8Array(lanes).fill(1);
    this.ends = new Array<LaneEnd | undefined>(lanes).fill(undefined);
    this.lastLoss = new Float64Array(lanes).fill(Number.NaN);
  }

  get anyAlive(): boolean {
    return this.alive.includes(1);
  }

  /**
   * Judge step `step`: loss [B], factor check values [B, units * d], whether
   * any parameter is non-finite or beyond the bound [B], and the raw
   * covariance blocks [B, units, ...rawShape(d)] (the covariance group's host
   * values, lane-major) whose condition numbers are checked, except blocks that `bounds` (per
   * block [B, units]: the native step's upper bounds, native/condition-bound.ts) clears.
   * Returns true when some lane stopped at this step.
   */
  observe(
    step: number,
    loss: ArrayLike<number>,
    checks: ArrayLike<number>,
    paramsBad: ArrayLike<number>,
    raw: ArrayLike<number>,
    bounds?: ArrayLike<number>,
  ): boolean {
    let changed = false;
    const perLane = checks.length / this.lanes;
    const d = perLane / this.units;
    const rawPerLane = raw.length / this.lanes;
    for (let b = 0; b < this.lanes; b++) {
      if (!this.alive[b]) continue;
      const reason =
        this.singular(step, checks, b * perLane, d) ??
        this.illConditioned(
          step,
          raw,
          b * rawPerLane,
          rawPerLane / this.units,
          this.thresholds[b].max_condition,
          bounds,
          b * this.units,
        ) ??
        this.diverged(step, loss[b], paramsBad[b] !== 0, this.thresholds[b].divergence_bound);
      if (reason) {
        this.stop(b, {
          outcome: reason.outcome,
          kind: reason.kind,
          step,
          reason: reason.text,
          loss: this.lastLoss[b],
        });
        changed = true;
      } else {
        this.lastLoss[b] = loss[b];
      }
    }
    return changed;
  }

  /**
   * Per lane, 1 when any of its parameters (`params[i]`: group i of every
   * lane, lane-major) is non-finite or beyond its divergence bound: the
   * `paramsBad` that `observe` takes. The bound is compared as float32, the
   * parameters' precision. The optimizers find the same in their update's own pass
   * (Optimizer.outOfBounds); this scan is for the parameters no update has flagged.
   */
  outOfBounds(params: ArrayLike<number>[]): Uint8Array {
    const bad = new Uint8Array(this.lanes);
    for (const values of params) {
      const size = values.length / this.lanes;
      for (let b = 0; b < this.lanes; b++) {
        if (bad[b]) continue;
        const bound = Math.fround(this.thresholds[b].divergence_bound);
        const end = (b + 1) * size;
        // `<=` is false for NaN, so this flags non-finite values too. A plain loop with a local
        // exit: this runs over every parameter of every lane at every step.
        for (let k = b * size; k < end; k++)
          if (!(Math.abs(values[k]) <= bound)) {
            bad[b] = 1;
            break;
          }
      }
    }
    return bad;
  }

  /** Stop a lane from outside (timeout). */
  stop(b: number, end: LaneEnd) {
    this.alive[b] = 0;
    this.ends[b] = end;
  }

  lastFiniteLoss(b: number): number {
    return this.lastLoss[b];
  }

  /** The end of every lane; lanes still alive after `steps` steps are ok. */
  finish(steps: number): LaneEnd[] {
    return this.ends.map((e, b) => e ?? { outcome: 'ok', step: steps, loss: this.lastLoss[b] });
  }

  private unitOf(u: number) {
    return this.units > 1 ? ` for unit ${u + 1}` : '';
  }

  private singular(step: number, c: ArrayLike<number>, at: number, d: number) {
    for (let u = 0; u < this.units; u++)
      for (let j = 0; j < d; j++) {
        const v = c[at + u * d + j];
        // An overflowed factor is as broken as a negative one.
        if (v === Number.POSITIVE_INFINITY || !(v > 0)) return this.singularReason(step, u, j, v);
      }
    return undefined;
  }

  /** Why check value v (unit u, column j) made its lane singular; apart from `singular`, which runs for every live lane at every step. */
  private singularReason(step: number, u: number, j: number, v: number) {
    const pivots = this.p.checks === 'cholesky-pivots';
    const entry = pivots ? `pivot ${j + 1}` : `L[${j + 1},${j + 1}]`;
    if (v === Number.POSITIVE_INFINITY)
      return {
        outcome: 'singular' as const,
        kind: 'overflow' as const,
        text: `factor overflowed${this.unitOf(u)} at step ${step}: ${entry} = Infinity`,
      };
    const what = pivots ? 'cholesky failed' : 'factor diagonal not positive';
    return {
      outcome: 'singular' as const,
      kind: pivots ? ('cholesky' as const) : ('factor-diagonal' as const),
      text: `${what}${this.unitOf(u)} at step ${step}: ${entry} = ${formatReasonNumber(v)}`,
    };
  }

  /** Singular when a unit's condition number is above the limit (its exact float64 value in the reason). */
  private illConditioned(
    step: number,
    raw: ArrayLike<number>,
    at: number,
    block: number,
    maxCond: number,
    bounds: ArrayLike<number> | undefined,
    first: number,
  ) {
    // Nothing exceeds an infinite limit.
    if (maxCond === Number.POSITIVE_INFINITY) return undefined;
    for (let u = 0; u < this.units; u++) {
      if (bounds && bounds[first + u] <= maxCond) continue;
      const cond = this.condition.above(raw, at + u * block, maxCond);
      if (cond === undefined) continue;
      const what = this.p.factorOf === 'precision' ? 'precision' : 'covariance';
      // Infinity: the float64 covariance has no Cholesky factor, its condition number is past float64's reach.
      const value = Number.isFinite(cond)
        ? formatReasonNumber(cond)
        : 'beyond float64 (no float64 Cholesky factor)';
      return {
        outcome: 'singular' as const,
        kind: 'condition' as const,
        text: `${what}${this.unitOf(u)} ill-conditioned at step ${step}: condition number ${value} (limit ${formatReasonNumber(maxCond)})`,
      };
    }
    return undefined;
  }

  private diverged(step: number, loss: number, paramsBad: boolean, bound: number) {
    if (!Number.isFinite(loss))
      return {
        outcome: 'diverged' as const,
        kind: 'non-finite-loss' as const,
        text: `loss non-finite at step ${step}: ${loss}`,
      };
    if (Math.abs(loss) > bound)
      return {
        outcome: 'diverged' as const,
        kind: 'loss-bound' as const,
        text: `loss beyond ${formatReasonNumber(bound)} at step ${step}: ${formatReasonNumber(loss)}`,
      };
    if (paramsBad)
      return {
        outcome: 'diverged' as const,
        kind: 'parameter-bound' as const,
        text: `parameters non-finite or beyond ${formatReasonNumber(bound)} at step ${step}`,
      };
    return undefined;
  }
}
