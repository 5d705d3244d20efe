import { columnName, csvLine } from '../ground/format.js';
import { settingAt } from '../plan/expand.js';
import type { RunResult } from '../types.js';

/** One row per run: id, the swept settings (as `columnName`s), outcome, failure kind, step, reason, loss, every metric, seconds. */
export function resultsCsv(results: readonly RunResult[], sweptPaths: string[]): string {
  const metricNames = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))].sort();
  const header = [
    'id',
    ...sweptPaths.map(columnName),
    'outcome',
    'kind',
    'step',
    'reason',
    'loss',
    ...metricNames,
    'seconds',
  ];
  const rows = results.map((r) => [
    r.id,
    ...sweptPaths.map((p) => settingAt(r.config, p)),
    r.outcome,
    r.outcome === 'ok' ? '' : r.kind,
    r.step,
    r.outcome === 'ok' ? '' : r.reason,
    r.loss,
    ...metricNames.map((m) => r.metrics[m]),
    r.seconds,
  ]);
  return [header, ...rows].map(csvLine).join('');
}
