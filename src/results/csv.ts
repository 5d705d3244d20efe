import { setting } from '../plan/expand.js';
import type { RunResult } from '../types.js';

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line (RFC 4180 quoting), newline included; undefined and null are blank. */
export const csvLine = (cells: readonly unknown[]) => `${cells.map(cell).join(',')}\n`;

/**
 * A setting's column name: `lr.cov` becomes `lr_cov`, so that pandas `query` and DuckDB can name
 * the column without quotes (a dot there means attribute or table access).
 */
export const columnName = (path: string) => path.replace(/[^A-Za-z0-9_]/g, '_');

/** One row per run: id, the swept settings (as `columnName`s), outcome, step, reason, loss, every metric, seconds. */
export function resultsCsv(results: readonly RunResult[], sweptPaths: string[]): string {
  const metricNames = [...new Set(results.flatMap((r) => Object.keys(r.metrics)))].sort();
  const header = [
    'id',
    ...sweptPaths.map(columnName),
    'outcome',
    'step',
    'reason',
    'loss',
    ...metricNames,
    'seconds',
  ];
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
