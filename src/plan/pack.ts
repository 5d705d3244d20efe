import { isCommand, type LaneBatch, type RunConfig, type RunSpec } from '../types.js';
import { settingAt } from './expand.js';
import { canonicalJson } from './ids.js';

/** Steps of a run, as its task counts them (the planner packs by it without making data). */
export type StepCounter = (config: RunConfig) => number;

/**
 * The settings that fix tensor shapes or the op sequence: runs that share
 * them can train as lanes of one computation. Seeds, learning rates,
 * momentum, thresholds and time limits are per-lane tensors or host-side and
 * may differ.
 */
export const SHAPE_PATHS = [
  'task',
  'parameterization',
  // Some set shapes (lowrank's rank) or the op sequence (full-jitter's schedule).
  'parameterization_options',
  'dim',
  'optimizer.name',
  'optimizer.nesterov',
];

export function shapeKey(c: RunConfig): string {
  return canonicalJson(SHAPE_PATHS.map((path) => settingAt(c, path)));
}

/** Whether setting `path` (a sweep axis: one setting) can change a run's shape key. */
export function affectsShape(path: string): boolean {
  return SHAPE_PATHS.some((s) => path === s || path.startsWith(`${s}.`));
}

/**
 * Default lane cap. Per-step overhead is what lane batching amortises: at
 * d = 2 a step costs about as much as 450 lanes' work (wasm), so throughput
 * still grows up to thousands of lanes; at large d each lane's own work
 * dominates and small batches keep memory down. Balancing (below) cuts
 * batches further when the workers need more of them.
 */
export function autoLanes(dim: number): number {
  return Math.max(16, Math.min(4096, Math.floor(65536 / (dim * dim))));
}

/**
 * One lane's work in one step, relative to a small d, for ranking batches and
 * for the progress line's ETA: flat while the step's fixed overhead dominates,
 * then about d^2 (BENCHMARKS.md, "Scaling with d": d^1.8 to d^2.3 from d = 8
 * to 64 for most parameterizations). A d = 16 lane-step is some 17 times a
 * d = 2 one; counting them alike put the big batches last and made the ETA
 * read "under a minute" through the long ones.
 */
export function laneStepWork(dim: number): number {
  return 1 + (dim / 4) ** 2;
}

/**
 * A batch's per-step overhead in lanes' worth of work, for the cost model
 * cost = steps x laneStepWork(dim) x (lanes + overheadLanes(dim)). Rough (measured on wasm:
 * ~450 at d = 2 and ~110 at d = 8 for the classifier, ~20 at d = 8 and ~2 at
 * d = 32 for score matching); it only has to rank splits.
 */
function overheadLanes(dim: number): number {
  return 1024 / (dim * dim);
}

/** Runs of one shape key, in plan order. */
export interface Group {
  key: string;
  size: number;
  steps: number;
  dim: number;
  /** Its runs train one per batch: each is a process of its own (a command task), never a lane. */
  alone?: boolean;
  /** Bytes of data each lane holds (every run of a group holds as much): caps the lanes per batch. */
  laneBytes?: number;
}

/**
 * Data one batch may hold across its lanes: each lane has its own points, so a thousand lanes of
 * large data would multiply it; with two workers per core this keeps data to about 1 GB on 2 cores.
 */
export const BATCH_DATA_BYTES = 256 * 2 ** 20;

/** One lane batch as a slice of its group: runs start..start+lanes-1 of group `group`. */
export interface BatchCut {
  group: number;
  start: number;
  lanes: number;
}

export interface PackOptions {
  /** Force a lane count per batch (upper bound); default: autoLanes(dim). */
  lanes?: number;
  /** Workers to keep busy to the end. */
  workers: number;
}

/**
 * Cut groups into lane batches: first into even batches of at most the lane
 * cap (1025 runs -> 513 + 512, not 1024 + 1), then, while it shortens the
 * simulated makespan on the workers, split the costliest batch in two (an
 * idle core at the end costs more than one more batch's overhead). Batches
 * come out costliest first, the order in which the pool should start them
 * (longest processing time first). Which batch a run lands in never changes
 * its result.
 */
export function cutBatches(groups: Group[], o: PackOptions): BatchCut[] {
  const cost = (c: BatchCut) => {
    const { steps, dim } = groups[c.group];
    return steps * laneStepWork(dim) * (c.lanes + overheadLanes(dim));
  };
  let cuts: BatchCut[] = groups.flatMap((g, group) => {
    const byData = g.laneBytes
      ? Math.max(1, Math.floor(BATCH_DATA_BYTES / g.laneBytes))
      : Number.POSITIVE_INFINITY;
    const cap = g.alone ? 1 : Math.min(o.lanes ?? autoLanes(g.dim), byData);
    return evenCuts(group, 0, g.size, Math.ceil(g.size / cap));
  });
  let span = makespan(cuts.map(cost), o.workers);
  for (;;) {
    const costliest = cuts.reduce((a, b) => (cost(b) > cost(a) ? b : a), cuts[0]);
    if (!costliest || costliest.lanes < 2) break;
    const split = cuts.flatMap((c) => (c === costliest ? evenCuts(c.group, c.start, c.lanes, 2) : [c]));
    const after = makespan(split.map(cost), o.workers);
    if (after >= span) break;
    [cuts, span] = [split, after];
  }
  return cuts.sort((a, b) => cost(b) - cost(a));
}

/** `count` consecutive slices of runs start..start+size-1, as even as whole runs allow. */
function evenCuts(group: number, start: number, size: number, count: number): BatchCut[] {
  return Array.from({ length: count }, (_, i) => {
    const from = Math.ceil((i * size) / count);
    return { group, start: start + from, lanes: Math.ceil(((i + 1) * size) / count) - from };
  });
}

/** Finish time of jobs handed, in order of decreasing cost, to whichever worker frees first. */
function makespan(costs: number[], workers: number): number {
  const load = new Array<number>(Math.max(1, workers)).fill(0);
  for (const c of [...costs].sort((a, b) => b - a)) {
    const i = load.indexOf(Math.min(...load));
    load[i] += c;
  }
  return Math.max(...load);
}

/**
 * Group runs by shape key (groups and runs in plan order) and cut the groups
 * into lane batches (`cutBatches`).
 */
export function pack(
  runs: Iterable<RunSpec>,
  o: PackOptions & { steps: StepCounter; laneBytes?: (config: RunConfig) => number },
): LaneBatch[] {
  const byKey = new Map<string, RunSpec[]>();
  for (const r of runs) {
    const key = shapeKey(r.config);
    const g = byKey.get(key);
    if (g) g.push(r);
    else byKey.set(key, [r]);
  }
  const members = [...byKey.values()];
  const groups = [...byKey].map(([key, g]) => ({
    key,
    size: g.length,
    steps: o.steps(g[0].config),
    dim: g[0].config.dim,
    ...(isCommand(g[0].config) ? { alone: true } : {}),
    laneBytes: o.laneBytes?.(g[0].config),
  }));
  return cutBatches(groups, o).map((c, index) => ({
    index,
    shapeKey: groups[c.group].key,
    runs: members[c.group].slice(c.start, c.start + c.lanes),
    steps: groups[c.group].steps,
  }));
}
