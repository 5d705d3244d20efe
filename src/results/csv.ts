import { csvLine } from '../ground/format.js';
import { setting } from '../plan/expand.js';
import type { RunResult } from '../types.js';

/** One row per run: id, the swept settings, outcome, step, reason, loss, every metric, seconds. */
export function resultsCsv(results: readonly RunResult[], sweptPaths: string[]): string {
  const metricNames = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))].sort();
  const header = ['id', ...sweptPaths, 'outcome', 'step', 'reason', 'loss', ...metricNames, 'seconds'];
  const rows = results.map((r) => [
    r.id,
    ...sweptPaths.map((p) => setting(r.config, p)),
    r.outcome,
    r.step,
    r.outcome === 'ok' ? '' : r.reason,
    r.loss,
    ...metricNames.map((m) => r.metrics[m]),
    r.seconds,
  ]);
  return [header, ...rows].map(csvLine).join('');
}
