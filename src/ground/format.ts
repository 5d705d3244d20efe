/** A number or setting as tables and messages show it: 1e-5, 0.002, 1.83e+3, tril. Three significant digits. */
export function formatValue(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  const r = Number(v.toPrecision(3));
  return a !== 0 && Number.isFinite(a) && (a < 1e-3 || a >= 1e6) ? r.toExponential() : String(r);
}

/** A proportion as a whole percentage: 0.6667 -> "67%". */
export const formatPercent = (x: number) => `${Math.round(100 * x)}%`;

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line (RFC 4180 quoting), newline included; undefined and null are blank. */
export const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\n`;

/**
 * A setting's CSV column name: `lr.cov` becomes `lr_cov`, so that pandas `query` and DuckDB can
 * name the column without quotes (a dot there means attribute or table access).
 */
export const columnName = (path: string) => path.replace(/[^A-Za-z0-9_]/g, '_');

/** A number in a failure reason, short: -3.1e-5, 0.25, 1.2e+7 (reasons are grouped by kind, read by people). */
export function formatReasonNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** A count as the progress line shows it: 950, 12.3k, 4.1M. */
export function formatCount(n: number): string {
  if (n < 1e3) return String(Math.round(n));
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(1)}M`;
}

/** Seconds as 42s, 2m05s or 1h03m; "?" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  // Whole seconds first, so that 119.6 s reads 2m00s, not 1m60s.
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
