import { expand } from '../plan/expand.js';
import type { Experiment, RunResult } from '../types.js';

/**
 * One result per id (the last recorded wins), in plan order: arrival order
 * depends on scheduling, shards and resumes, and the files should not. Ids the
 * experiment does not plan (kept by `--resume --force`) come last, by id.
 */
export function inPlanOrder(e: Experiment, results: Iterable<RunResult>): RunResult[] {
  const byId = new Map<string, RunResult>();
  for (const r of results) byId.set(r.id, r);
  const ordered: RunResult[] = [];
  for (const { id } of expand(e)) {
    const r = byId.get(id);
    if (r) ordered.push(r);
    byId.delete(id);
  }
  return [...ordered, ...[...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1))];
}
