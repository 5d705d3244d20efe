import { columnName, csvLine, formatValue } from '../ground/format.js';
import { OUTCOMES } from '../ground/vocabulary.js';
import { settingAt } from '../plan/expand.js';
import { AGGREGATES, type Aggregate } from '../results/aggregate.js';
import { type Pivot, pivot, settingValues } from '../results/pivot.js';
import { reasonGroups } from '../results/reasons.js';
import type { Experiment, RunResult, TableSpec } from '../types.js';
import { frontierMarkdown } from './frontier.js';
import { markdownCell, markdownParagraphs } from './markdown-text.js';

function table(header: string[], rows: string[][]): string {
  // A "|" or a newline inside a cell (an error message) would split it or end the table.
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "Failure rate by lr.cov and parameterization". */
export const pivotTitle = ({ spec, aggregate }: Pivot) =>
  `${aggregate.title} by ${spec.rows} and ${spec.columns}`;

/** A pivot as a Markdown table; cells without runs are empty. */
export function pivotMarkdown(p: Pivot): string {
  const body = p.rowValues.map((rv, i) => [formatValue(rv), ...p.cells[i].map((c) => c?.text ?? '')]);
  return table([`${p.spec.rows} \\ ${p.spec.columns}`, ...p.columnValues.map(formatValue)], body);
}

/**
 * A pivot as CSV, one line per cell (tidy, for plotting elsewhere): the two settings, the run
 * count, the statistic's numbers. A cell without runs has a count of 0 and blank numbers.
 */
export function pivotCsv(p: Pivot): string {
  const lines: unknown[][] = [
    [columnName(p.spec.rows), columnName(p.spec.columns), 'runs', ...p.aggregate.csv],
  ];
  p.rowValues.forEach((rv, i) => {
    p.columnValues.forEach((cv, j) => {
      const c = p.cells[i][j];
      lines.push([rv, cv, c ? c.runs : 0, ...(c ? c.csv : p.aggregate.csv.map(() => undefined))]);
    });
  });
  return lines.map(csvLine).join('');
}

/** tables/<file>: the statistic and axes, made unique by a counter if a table is asked for twice. */
export function pivotFileNames(specs: readonly TableSpec[]): string[] {
  const seen = new Map<string, number>();
  return specs.map((s) => {
    const base = `${s.value}-${s.rows}-${s.columns}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return `${base}${n > 1 ? `-${n}` : ''}.csv`;
  });
}

/** Runs by outcome, per value of the experiment's column setting. */
export function outcomeCounts(e: Experiment, results: readonly RunResult[]): string {
  const { columns } = e.summary;
  const colValues = settingValues(e, columns, results);
  const present = OUTCOMES.filter((o) => results.some((r) => r.outcome === o));
  const body = present.map((o) => [
    o,
    ...colValues.map((cv) =>
      String(results.filter((r) => r.outcome === o && settingAt(r.config, columns) === cv).length),
    ),
    String(results.filter((r) => r.outcome === o).length),
  ]);
  return table(['outcome', ...colValues.map(formatValue), 'all'], body);
}

/**
 * Runs with dead units (mvn-classifier's float32 activation underflowing to 0), per value of the
 * experiment's column setting; undefined when no run reports the count (other tasks).
 */
export function deadUnitsMarkdown(e: Experiment, results: readonly RunResult[]): string | undefined {
  const reporting = results.filter((r) => r.metrics.dead_unit_steps !== undefined);
  if (reporting.length === 0) return undefined;
  const { columns } = e.summary;
  const colValues = settingValues(e, columns, reporting);
  const groups = [
    ...colValues.map((cv) => reporting.filter((r) => settingAt(r.config, columns) === cv)),
    reporting,
  ];
  const row = (a: Aggregate) => [a.title, ...groups.map((runs) => (runs.length ? a.of(runs).text : ''))];
  return table(
    ['', ...colValues.map(formatValue), 'all'],
    [row(AGGREGATES.dead_unit_rate), row(AGGREGATES.dead_unit_steps)],
  );
}

/** Failure reasons grouped, with one example run each. */
export function reasonsMarkdown(results: readonly RunResult[]): string {
  const groups = reasonGroups(results);
  if (groups.length === 0) return 'No run failed.';
  return table(
    ['outcome', 'kind', 'runs', 'example run'],
    groups.map((g) => [g.outcome, g.kind, String(g.runs), `${g.example}: ${g.exampleReason}`]),
  );
}

/** The dead-units section, when runs report them. */
function deadUnits(e: Experiment, results: readonly RunResult[]): string[] {
  const md = deadUnitsMarkdown(e, results);
  if (md === undefined) return [];
  const about =
    'A unit is dead for a trial when its activation exp(log p) underflows float32 to 0 (log p <= -103.97): ' +
    "that trial teaches it nothing. Counts are (unit, trial) pairs over a run's live steps.";
  return ['## Dead units', '', md, '', about, ''];
}

/** summary.md: what the run asked, every table of the summary, outcomes and failure reasons. */
export function summaryMarkdown(e: Experiment, results: readonly RunResult[], when: string): string {
  // A frontier's runs sit where its searches looked: its table replaces the pivots over them.
  const specs = e.frontier ? [] : e.summary.tables;
  const sections = specs.flatMap((spec) => {
    const p = pivot(e, results, spec);
    return [`## ${pivotTitle(p)}`, '', pivotMarkdown(p), '', `${p.aggregate.about} Blank: no runs.`, ''];
  });
  return [
    `# ${e.name} (${when})`,
    '',
    markdownParagraphs(e.description.trim()),
    '',
    ...(e.frontier ? [frontierMarkdown({ ...e, frontier: e.frontier }, results)] : []),
    ...sections,
    '## Runs by outcome',
    '',
    outcomeCounts(e, results),
    '',
    ...deadUnits(e, results),
    '## Failure reasons',
    '',
    reasonsMarkdown(results),
    '',
  ].join('\n');
}
