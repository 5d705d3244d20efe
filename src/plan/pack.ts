import type { LaneBatch, RunConfig, RunSpec } from '../types.js';
import { canonicalJson } from './ids.js';

/** Steps of a run, as its task counts them (the planner packs by it without making data). */
export type StepCounter = (config: RunConfig) => number;

/**
 * What runs must share to train as lanes of one computation: everything that
 * fixes tensor shapes or the op sequence. Seeds, learning rates, momentum,
 * thresholds and time limits are per-lane tensors or host-side and may differ.
 */
export function shapeKey(c: RunConfig): string {
  return canonicalJson({
    task: c.task,
    parameterization: c.parameterization,
    // Some set shapes (lowrank's rank) or the op sequence (full-jitter's schedule).
    parameterization_options: c.parameterization_options,
    dim: c.dim,
    optimizer: { name: c.optimizer.name, nesterov: c.optimizer.nesterov },
  });
}

/**
 * Default lane cap: per-op overhead is what lane batching amortises, and it
 * is paid back by ~1000 lanes at small d; at large d the per-lane work
 * dominates and smaller batches keep memory and the tail short.
 */
export function autoLanes(dim: number): number {
  return Math.max(16, Math.min(1024, Math.floor(65536 / (dim * dim))));
}

export interface PackOptions {
  /** Force a lane count per batch (upper bound); default: autoLanes(dim). */
  lanes?: number;
  /** Workers to keep busy: groups are split until there are at least this many batches. */
  workers: number;
  steps: StepCounter;
}

/**
 * Group runs by shape key, cut groups into batches of at most the lane cap,
 * split the largest batch while there are fewer batches than workers (no idle
 * core), and order batches longest first so the pool's tail is short.
 * Which batch a run lands in never changes its result.
 */
export function pack(runs: Iterable<RunSpec>, o: PackOptions): LaneBatch[] {
  const groups = new Map<string, RunSpec[]>();
  for (const r of runs) {
    const key = shapeKey(r.config);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  let chunks: { key: string; runs: RunSpec[] }[] = [];
  for (const [key, g] of groups) {
    const cap = o.lanes ?? autoLanes(g[0].config.dim);
    const n = Math.ceil(g.length / cap);
    const size = Math.ceil(g.length / n); // even chunks: 1025 runs -> 513 + 512, not 1024 + 1
    for (let i = 0; i < g.length; i += size) chunks.push({ key, runs: g.slice(i, i + size) });
  }
  const cost = (c: { runs: RunSpec[] }) => o.steps(c.runs[0].config) * (1 + c.runs.length / 256);
  while (chunks.length < o.workers) {
    const largest = chunks.reduce((a, b) => (b.runs.length > a.runs.length ? b : a), chunks[0]);
    if (!largest || largest.runs.length < 2) break;
    const half = Math.ceil(largest.runs.length / 2);
    chunks = chunks.flatMap((c) =>
      c === largest
        ? [
            { key: c.key, runs: c.runs.slice(0, half) },
            { key: c.key, runs: c.runs.slice(half) },
          ]
        : [c],
    );
  }
  return chunks
    .sort((a, b) => cost(b) - cost(a))
    .map((c, index) => ({ index, shapeKey: c.key, runs: c.runs, steps: o.steps(c.runs[0].config) }));
}
