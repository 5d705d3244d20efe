/** The frontier's tables as text: summary.md's section, tables/frontier.csv and frontier.jsonl. */

import {
  type FrontierExperiment,
  type FrontierRow,
  frontierRecords,
  frontierRows,
} from '../frontier/summary.js';
import { columnName, csvLine, formatValue } from '../ground/format.js';
import type { FrontierSpec, RunResult } from '../types.js';
import { markdownCell } from './markdown-text.js';

/** A critical value as text: `0.00123`, or `< 1e-4` / `>= 1` beyond the bounds. */
export function criticalText(v: number, spec: FrontierSpec): string {
  if (v === Number.NEGATIVE_INFINITY) return `< ${formatValue(spec.min)}`;
  if (v === Number.POSITIVE_INFINITY) return `>= ${formatValue(spec.max)}`;
  return formatValue(v);
}

const HEADINGS = (spec: FrontierSpec) => [
  `critical ${spec.setting} (median)`,
  '10-90%',
  'seeds',
  'failure at the boundary',
  'non-monotone',
];

/** A row's cells after its settings, as the Markdown and HTML tables show them. */
export function rowCells(r: FrontierRow, spec: FrontierSpec): string[] {
  return [
    criticalText(r.median, spec),
    `${criticalText(r.p10, spec)} - ${criticalText(r.p90, spec)}`,
    r.done === r.searches ? String(r.searches) : `${r.searches} (${r.searches - r.done} unfinished)`,
    r.kinds.map(([k, n]) => `${k} ${n}`).join(', ') || 'none failed',
    String(r.nonMonotone),
  ];
}

export function frontierHeader(e: FrontierExperiment): string[] {
  return [...e.axes.map((a) => a.path).filter((p) => p !== 'seed'), ...HEADINGS(e.frontier)];
}

/** What a frontier table says, under it. */
export function frontierAbout(spec: FrontierSpec): string {
  return [
    `Critical ${spec.setting}: per seed, the largest value that ended ok below the smallest value that failed, found by searching ${formatValue(spec.min)}..${formatValue(spec.max)} in log space to a ratio of ${spec.precision} (${spec.points} values a round).`,
    'Median and 10-90% range over seeds, interpolated in log;',
    `"< ${formatValue(spec.min)}": the frontier is below the searched range, ">= ${formatValue(spec.max)}": no value failed.`,
    'Failure at the boundary: how the runs at the smallest failing value ended.',
    'Non-monotone: seeds whose search saw an ok value above its first failure (frontier.jsonl lists them).',
  ].join(' ');
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The summary.md section of a frontier experiment. */
export function frontierMarkdown(e: FrontierExperiment, results: readonly RunResult[]): string {
  const rows = frontierRows(e, results).map((r) => [
    ...r.settings.map(([, v]) => formatValue(v)),
    ...rowCells(r, e.frontier),
  ]);
  return [
    `## Frontier: critical ${e.frontier.setting}`,
    '',
    rows.length ? markdownTable(frontierHeader(e), rows) : 'No search has finished a round yet.',
    '',
    frontierAbout(e.frontier),
    '',
  ].join('\n');
}

/** tables/frontier.csv: one line per combination; quantiles beyond the bounds are blank (see below_min, above_max). */
export function frontierCsv(e: FrontierExperiment, results: readonly RunResult[]): string {
  const finite = (v: number) => (Number.isFinite(v) ? v : undefined);
  const head = [
    ...e.axes
      .map((a) => a.path)
      .filter((p) => p !== 'seed')
      .map(columnName),
    'seeds',
    'finished',
    'median',
    'p10',
    'p90',
    'below_min',
    'above_max',
    'failure_kinds',
    'non_monotone',
  ];
  const lines = frontierRows(e, results).map((r) => [
    ...r.settings.map(([, v]) => v),
    r.searches,
    r.done,
    finite(r.median),
    finite(r.p10),
    finite(r.p90),
    r.belowMin,
    r.aboveMax,
    r.kinds.map(([k, n]) => `${k} ${n}`).join('; '),
    r.nonMonotone,
  ]);
  return [head, ...lines].map(csvLine).join('');
}

/** frontier.jsonl: one search per line. */
export function frontierJsonl(e: FrontierExperiment, results: readonly RunResult[]): string {
  return frontierRecords(e, results)
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('');
}
