import type { Parameterization } from '../parameterizations/types.js';
import type { NativeTask, ParamGroup, TaskInstance, WholeStep, WholeStepOut } from '../tasks/types.js';
import { type StepConditionBound, stepConditionBound } from './condition-bound.js';
import { type NativeMap, nativeMap } from './maps.js';

/**
 * The native step of a task instance whose parameterization `p` has the option values `options`
 * (a run's `parameterization_options`), or undefined when its task or parameterization has no
 * native form (the batch then trains on tfjs ops). With `limits` (each lane's `max_condition`)
 * it also bounds each block's condition number where it can (`conditionBounds`).
 */
export function nativeStep(
  t: TaskInstance,
  p: Parameterization,
  lanes: number,
  d: number,
  options: Record<string, unknown> = {},
  limits?: ArrayLike<number>,
): NativeStep | undefined {
  const map = nativeMap(p.name, d, options);
  const task = map && t.native?.({ diagonal: map.diagonal === true });
  // A task that may run a step whole hands the check its factors' diagonals there, not raw ones.
  const condition =
    limits && stepConditionBound(p.name, d, t.units, limits, { rawDiagonals: task?.whole === undefined });
  // A whole step writes no map counters: only for a map that has none.
  const whole = map?.counters ? undefined : task?.whole?.(p.name);
  return task && map ? new NativeStep(task, map, t.params, lanes, t.units, d, condition, whole) : undefined;
}

/**
 * One step's loss, check values, counters and gradients of every lane of a batch, computed on
 * host memory by a task's native kernel composed with its parameterization's native map: no
 * tfjs ops. Lane by lane, each from its own memory by the same code, so a lane's numbers do not
 * depend on its batch. Every buffer is allocated once, here; the results are overwritten by the
 * next call.
 */
export class NativeStep {
  readonly loss: Float32Array;
  /** [B, units * d]. */
  readonly checks: Float32Array;
  readonly grads: Float32Array[];
  readonly counters: (readonly [string, Float32Array])[];
  private readonly l: Float32Array;
  private readonly dl: Float32Array;
  private readonly cov: number;
  /** The task's counters, then the map's (the order of `counters`: the task's come last, as on tfjs). */
  private readonly taskCounts: Float32Array[];
  private readonly mapCounts: Float32Array[];
  /** Length of one raw block. */
  private readonly block: number;
  /** Whether each unit's factor of the current lane succeeded. */
  private readonly ok: Uint8Array;
  /** Whether the task gives d loss / d Sigma and the map takes it (NativeMap.fromSigma). */
  private readonly viaSigma: boolean;
  /**
   * For an in-place map (NativeMap.inPlace): each lane's raw blocks and gradient blocks as views
   * from 0, the layout the task reads L and writes dL in, made once per raw buffer.
   */
  private views?: { raw: Float32Array; lanes: Float32Array[]; grads: Float32Array[] };
  /** Its buffers as the whole step takes them, made on its first call. */
  private wholeOut?: WholeStepOut;
  /**
   * At d = 2, each block's float32 factor of the step (4 floats a block), for `closedBlocks` after
   * the lanes (which reads the raw blocks 4 floats apart, as they are there).
   */
  private readonly closed?: Float32Array;

  constructor(
    private readonly task: NativeTask,
    private readonly map: NativeMap,
    groups: ParamGroup[],
    private readonly lanes: number,
    private readonly units: number,
    private readonly d: number,
    /** The cheap tiers of the condition check, on each factor while it is in cache. */
    private readonly condition?: StepConditionBound,
    /** The task's whole step for this map (NativeTask.whole), which then runs instead of lane by lane. */
    private readonly whole?: WholeStep,
  ) {
    this.loss = new Float32Array(lanes);
    this.checks = new Float32Array(lanes * units * d);
    this.grads = groups.map((g) => new Float32Array(g.init.length));
    this.taskCounts = task.counters.map(() => new Float32Array(lanes));
    const mapCounters = map.counters ?? [];
    this.mapCounts = mapCounters.map(() => new Float32Array(lanes));
    this.counters = [
      ...mapCounters.map((name, c) => [name, this.mapCounts[c]] as const),
      ...task.counters.map((name, c) => [name, this.taskCounts[c]] as const),
    ];
    this.block = map.block ?? d * d;
    this.l = new Float32Array(units * d * d);
    this.dl = new Float32Array(units * d * d);
    this.ok = new Uint8Array(units);
    this.inPlace = condition?.readsInPlace === true && task.laneFactors !== undefined;
    this.viaSigma = !!(task.sigmaGradient && map.fromSigma);
    if (condition?.closedAfterLanes && this.block === 4) this.closed = new Float32Array(lanes * units * 4);
    this.cov = groups.findIndex((g) => g.group === 'cov');
    if (this.cov < 0) throw new Error('native step: the task has no covariance parameter group');
  }

  /** Whether the condition check bounds a lane's blocks after its `lane`, on the factors it left in linear memory. */
  private readonly inPlace: boolean;

  /** Per block, of the last call: an upper bound on its condition number within its lane's limit, or Infinity (condition-bound.ts). */
  get conditionBounds(): Float64Array | undefined {
    return this.condition?.bounds;
  }

  /**
   * Every lane's loss, check values and counters at `params`, and with `withGrads` their
   * gradients, for the lanes in `alive` (the others keep what they had: nothing reads them).
   */
  evaluate(step: number, params: Float32Array[], alive: Uint8Array, withGrads: boolean): void {
    const { task, map, units: U, d, checks, taskCounts, mapCounts, ok, block } = this;
    const dd = d * d;
    const views = map.inPlace ? this.viewsOf(params[this.cov]) : undefined;
    task.begin(step);
    if (this.whole) {
      const { loss, grads, condition } = this;
      this.wholeOut ??= { loss, checks, grads, counts: taskCounts, condition };
      this.whole.evaluate(params, alive, withGrads, this.wholeOut);
      return;
    }
    // Tier 2's pass over every live block at once, on the raw blocks the loop below maps; at d = 2
    // each block's closed form after the loop, on the factors it keeps (`closed`).
    this.condition?.prepare(params[this.cov], 0, alive);
    const { closed } = this;
    for (let b = 0; b < this.lanes; b++) {
      if (!alive[b]) continue;
      // In place: the lane's raw blocks are its factors (at u * dd) and its gradient blocks take
      // dL, so `raw` and `l` are one view from the lane's first block, as are `draw` and `dl`.
      const raw = views ? views.lanes[b] : params[this.cov];
      const draw = views ? views.grads[b] : this.grads[this.cov];
      const l = views ? raw : this.l;
      const dl = views ? draw : this.dl;
      const first = views ? 0 : b * U * block;
      for (const c of mapCounts) c[b] = 0;
      for (let u = 0; u < U; u++) {
        const at = first + u * block;
        ok[u] = map.forward(raw, at, l, u * dd, checks, (b * U + u) * d) ? 1 : 0;
        // A lane's counts are the sums over its units (counters.ts's perLane).
        for (let c = 0; c < mapCounts.length; c++) mapCounts[c][b] += map.counts![c];
      }
      // A failed factor still gives its lane a (NaN) loss and counters, as the tfjs path does:
      // the step counts towards the lane's metrics.
      this.loss[b] = task.lane(
        b,
        params,
        l,
        dl,
        withGrads ? this.grads : undefined,
        taskCounts,
        this.viaSigma,
      );
      // Each block's tiers after the lane, its factors still in cache. Block by block the passes
      // would copy each factor into linear memory: there they read it where `lane` left it, if it
      // did. One call site: `block` inlined at two costs the rest of the step its inlining.
      // At d = 2 the factors are kept for one loop over every block after the lanes (`closed`).
      if (closed) for (let i = 0; i < U * 4; i++) closed[b * U * 4 + i] = l[i];
      else if (this.condition) {
        const placed = (this.inPlace && task.laneFactors!()) || l;
        for (let u = 0; u < U; u++) this.condition.block(b, u, placed, u * dd, raw, first + u * block);
      }
      if (!withGrads) continue;
      for (let u = 0; u < U; u++) {
        const at = first + u * block;
        // A failed factor has no gradient (linalg.ts's cholesky gives zeros).
        if (!ok[u]) draw.fill(0, at, at + block);
        else if (this.viaSigma) map.fromSigma!(dl, u * dd, draw, at, raw);
        else map.backward(raw, at, l, dl, u * dd, draw);
      }
    }
    if (closed) this.condition?.closedBlocks(closed, params[this.cov], alive);
  }

  /** The per-lane views of `raw` and of its gradient (`views`), remade when `raw` is another buffer. */
  private viewsOf(raw: Float32Array) {
    if (this.views?.raw !== raw) {
      const span = this.units * this.block;
      const draw = this.grads[this.cov];
      const lane = (a: Float32Array, b: number) => a.subarray(b * span, (b + 1) * span);
      this.views = {
        raw,
        lanes: Array.from({ length: this.lanes }, (_, b) => lane(raw, b)),
        grads: Array.from({ length: this.lanes }, (_, b) => lane(draw, b)),
      };
    }
    return this.views;
  }
}
