/** A number or setting as a table label: 1e-5, 0.002, 1.83e+3, tril. Three significant digits. */
export function label(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  const r = Number(v.toPrecision(3));
  return a !== 0 && Number.isFinite(a) && (a < 1e-3 || a >= 1e6) ? r.toExponential() : String(r);
}

/** A proportion as a whole percentage: 0.6667 -> "67%". */
export const percent = (x: number) => `${Math.round(100 * x)}%`;

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line (RFC 4180 quoting), newline included; undefined and null are blank. */
export const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(',')}\n`;
