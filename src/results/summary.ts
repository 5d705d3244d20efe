import { setting } from '../plan/expand.js';
import type { Experiment, Outcome, RunResult } from '../types.js';

const OUTCOMES: Outcome[] = ['ok', 'singular', 'diverged', 'error', 'timeout'];

/** A setting value as a table label: 1e-5, 0.002, tril. */
export function label(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  const r = Number(v.toPrecision(3));
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? r.toExponential() : String(r);
}

/** Values of `path` in sweep order (axis order), or first-seen order when not swept. */
function orderOf(e: Experiment, path: string, results: RunResult[]): unknown[] {
  const axis = e.axes.find((a) => a.path === path);
  if (axis) return [...axis.values];
  return [...new Set(results.map((r) => setting(r.config, path)))];
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The failure-rate pivot the experiment asks for: failed/total per rows x columns cell; blank where no runs. */
export function failurePivot(e: Experiment, results: RunResult[]): string {
  const { rows, columns } = e.summary;
  const cells = new Map<string, { failed: number; total: number }>();
  for (const r of results) {
    const key = JSON.stringify([setting(r.config, rows), setting(r.config, columns)]);
    const c = cells.get(key) ?? { failed: 0, total: 0 };
    c.total++;
    if (r.outcome !== 'ok') c.failed++;
    cells.set(key, c);
  }
  const colValues = orderOf(e, columns, results);
  const body = orderOf(e, rows, results).map((rv) => [
    label(rv),
    ...colValues.map((cv) => {
      const c = cells.get(JSON.stringify([rv, cv]));
      return c ? `${c.failed}/${c.total} (${Math.round((100 * c.failed) / c.total)}%)` : '';
    }),
  ]);
  return table([`${rows} \\ ${columns}`, ...colValues.map(label)], body);
}

/** Runs by outcome, per column value. */
export function outcomeCounts(e: Experiment, results: RunResult[]): string {
  const { columns } = e.summary;
  const colValues = orderOf(e, columns, results);
  const present = OUTCOMES.filter((o) => results.some((r) => r.outcome === o));
  const body = present.map((o) => [
    o,
    ...colValues.map((cv) =>
      String(results.filter((r) => r.outcome === o && setting(r.config, columns) === cv).length),
    ),
    String(results.filter((r) => r.outcome === o).length),
  ]);
  return table(['outcome', ...colValues.map(label), 'all'], body);
}

/** summary.md: what the run asked, the failure pivot and the outcome counts. */
export function summaryMarkdown(e: Experiment, results: RunResult[], when: string): string {
  return [
    `# ${e.name} (${when})`,
    '',
    e.description.trim(),
    '',
    `Failure rate (failed/total runs) by ${e.summary.rows} and ${e.summary.columns}:`,
    '',
    failurePivot(e, results),
    '',
    'Runs by outcome:',
    '',
    outcomeCounts(e, results),
    '',
  ].join('\n');
}
