import { replay } from '../frontier/replay.js';
import { plannedIds } from '../plan/expand.js';
import type { Experiment, RunResult, Suite } from '../types.js';

/**
 * The run ids of `e` in plan order: the sweep's, or for a frontier each search's tested values in
 * search order, by value (replayed from `known`, since a search's values follow from its results).
 */
function* plannedRuns(e: Experiment, known: ReadonlyMap<string, RunResult>): Generator<string> {
  if (!e.frontier) return yield* plannedIds(e);
  for (const s of replay({ ...e, frontier: e.frontier }, known).searches)
    for (const r of s.tested) yield r.id;
}

/** One result per id (the last recorded wins), in the plan order of `es` in turn, and those none of them plans. */
function split(
  es: readonly Experiment[],
  results: Iterable<RunResult>,
): { planned: RunResult[]; extra: RunResult[] } {
  const byId = new Map<string, RunResult>();
  for (const r of results) byId.set(r.id, r);
  const known = new Map(byId);
  const planned: RunResult[] = [];
  for (const e of es)
    for (const id of plannedRuns(e, known)) {
      const r = byId.get(id);
      if (r) planned.push(r);
      byId.delete(id);
    }
  return { planned, extra: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

/**
 * One result per id (the last recorded wins), in plan order (a file's experiments in turn):
 * arrival order depends on scheduling, shards and resumes, and the files should not. Ids the
 * experiments do not plan (kept by `--resume --force`) come last, by id.
 */
export function inPlanOrder(e: Experiment | Suite, results: Iterable<RunResult>): RunResult[] {
  const { planned, extra } = split('experiments' in e ? e.experiments : [e], results);
  return [...planned, ...extra];
}

/**
 * The results each experiment of `s` plans, in its plan order: a run two experiments plan counts
 * for both. Runs no experiment plans (kept by `--resume --force`, or lines added by hand) are in
 * none: a table of a 180-run experiment must not count 181 (see `unplanned`).
 */
export function resultsByExperiment(s: Suite, results: readonly RunResult[]): RunResult[][] {
  return s.experiments.map((e) => split([e], results).planned);
}

/** Results of runs no experiment of `s` plans, by id. */
export const unplanned = (s: Suite, results: Iterable<RunResult>): RunResult[] =>
  split(s.experiments, results).extra;
