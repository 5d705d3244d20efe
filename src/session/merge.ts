import { VERSION } from '../ground/version.js';
import { reportNotes, reportRun } from '../report/reporters.js';
import { mergeFolders } from '../results/merge.js';
import { inPlanOrder } from '../results/order.js';
import { RunFolder } from '../results/store.js';
import type { RunResult } from '../types.js';
import type { SessionEvents } from './events.js';

export interface MergeResult {
  /** The merged folder. */
  dir: string;
  /** Every run's result, once each, in plan order. */
  results: RunResult[];
  /** summary.md's text. */
  summary: string;
}

/**
 * Combines run folders of one experiment (its shards) into a new folder `out`, with tables and a
 * report over all. Refuses folders of experiments that plan other runs; what else is odd (a
 * missing shard, a run in two folders) goes to `onNote`.
 */
export async function mergeSession(
  dirs: readonly string[],
  out: string,
  events: Pick<SessionEvents, 'onNote'> = {},
): Promise<MergeResult> {
  const m = mergeFolders([...dirs], VERSION);
  for (const note of m.notes) events.onNote?.(note);
  const folder = RunFolder.createAt(
    out,
    { file: m.copy.file, source: m.copy.text, experiments: m.suite.experiments },
    m.manifest,
  );
  const ordered = inPlanOrder(m.suite, m.results);
  folder.rewriteResults(ordered);
  const reports = await reportRun(folder.dir, m.suite, ordered);
  for (const note of reportNotes(folder.dir, reports)) events.onNote?.(note);
  return { dir: folder.dir, results: ordered, summary: reports.summary };
}
