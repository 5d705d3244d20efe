import { expand } from '../plan/expand.js';
import type { Experiment, RunResult } from '../types.js';
import { resultsCsv } from './csv.js';
import { resultLine } from './jsonl.js';
import type { RunFolder } from './store.js';
import { summaryMarkdown } from './summary.js';

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

/**
 * The tables of a folder over `results` (in plan order): results.jsonl
 * rewritten in that order, results.csv and summary.md. Returns the summary.
 */
export function writeTables(folder: RunFolder, e: Experiment, results: RunResult[], started: string): string {
  folder.write('results.jsonl', results.map((r) => `${resultLine(r)}\n`).join(''));
  folder.write(
    'results.csv',
    resultsCsv(
      results,
      e.axes.map((a) => a.path),
    ),
  );
  const summary = summaryMarkdown(e, results, started);
  folder.write('summary.md', summary);
  return summary;
}
