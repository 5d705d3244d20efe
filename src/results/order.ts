import { replay } from '../frontier/replay.js';
import { expand } from '../plan/expand.js';
import type { Experiment, RunResult } from '../types.js';

/**
 * The runs of `e` in plan order: the sweep's, or for a frontier each search's tested values in
 * search order, by value (replayed from `known`, since a search's values follow from its results).
 */
function* planned(e: Experiment, known: ReadonlyMap<string, RunResult>): Generator<{ id: string }> {
  if (!e.frontier) return yield* expand(e);
  for (const s of replay({ ...e, frontier: e.frontier }, known).searches) yield* s.tested;
}

/**
 * One result per id (the last recorded wins), in plan order: arrival order
 * depends on scheduling, shards and resumes, and the files should not. Ids the
 * experiment does not plan (kept by `--resume --force`) come last, by id.
 */
export function inPlanOrder(e: Experiment, results: Iterable<RunResult>): RunResult[] {
  const byId = new Map<string, RunResult>();
  for (const r of results) byId.set(r.id, r);
  const ordered: RunResult[] = [];
  for (const { id } of planned(e, new Map(byId))) {
    const r = byId.get(id);
    if (r) ordered.push(r);
    byId.delete(id);
  }
  return [...ordered, ...[...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1))];
}
