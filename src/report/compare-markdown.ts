import { formatPercent, formatValue } from '../ground/format.js';
import type { CellChange, Comparison, Count, RunChange } from '../results/compare.js';
import type { RunResult } from '../types.js';
import { markdownCell } from './markdown-text.js';

/** Rows listed per table; the JSON output and the JUnit file have every run. */
const MAX_ROWS = 50;

/** Where the two sides came from, for the heading. */
export interface Sources {
  baseline: string;
  current: string;
}

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  const shown = rows.slice(0, MAX_ROWS).map(line);
  const more = rows.length > MAX_ROWS ? [`\n... and ${rows.length - MAX_ROWS} more (see --json).`] : [];
  return [line(header), line(header.map(() => '---')), ...shown, ...more, ''];
}

/** "ok", or "singular: cholesky failed for unit 2 at step 8: ..." (reasons name their step). */
export function ending(r: RunResult): string {
  return r.outcome === 'ok' ? 'ok' : `${r.outcome}: ${r.reason}`;
}

const rate = (c: Count) => `${c.failed}/${c.runs} = ${formatPercent(c.failed / c.runs)}`;

function verdict(c: CellChange): string {
  if (!c.significant) return 'not significant';
  return c.direction === 'worse' ? '**regression**' : 'improvement';
}

function runRows(changes: readonly RunChange[]): string[][] {
  return changes.map((c) => [
    `\`${c.id}\``,
    c.configuration,
    String(c.current.config.seed),
    ending(c.baseline),
    ending(c.current),
  ]);
}

/** The comparison as Markdown for a terminal or a CI job summary: the verdict first, then the evidence. */
export function comparisonMarkdown(c: Comparison, sources: Sources): string {
  const { runs } = c;
  const worse = c.cells.filter((x) => x.significant && x.direction === 'worse');
  const moved = c.cells.filter((x) => x.direction !== 'same');
  const out = [
    `## covsweep compare: ${c.regression ? 'REGRESSION' : c.incomplete ? 'INCOMPLETE' : 'no regression'}`,
    '',
    ...(c.incomplete
      ? [
          `The current results lack ${runs.onlyBaseline.length} of the baseline's runs (listed below), so they cannot show that nothing regressed: this fails. Finish the sweep (\`covsweep run --resume\`), or pass --allow-missing to compare what both have.`,
        ]
      : []),
    '',
    `Baseline \`${sources.baseline}\` against current \`${sources.current}\`: ${runs.compared} runs in both, ` +
      `${runs.regressed.length} went from ok to failed, ${runs.improved.length} from failed to ok, ` +
      `${runs.changed.length} failed differently. ` +
      `${worse.length} of ${c.cells.length} configurations fail significantly more often ` +
      `(Fisher's exact test, two-sided, p < ${formatValue(c.alpha)})${c.strict ? '; --strict: any run that went from ok to failed is a regression' : ''}.`,
    '',
  ];
  out.push('### Failure rate by configuration', '');
  if (moved.length === 0) out.push('No configuration fails more or less often than in the baseline.', '');
  else
    out.push(
      ...table(
        ['configuration', 'baseline failed', 'current failed', 'p', 'verdict'],
        // Significant changes first, then by p.
        [...moved]
          .sort((a, b) => Number(b.significant) - Number(a.significant) || a.p - b.p)
          .map((x) => [x.configuration, rate(x.baseline), rate(x.current), formatValue(x.p), verdict(x)]),
      ),
    );
  for (const [title, list] of [
    ['Runs that went from ok to failed', runs.regressed],
    ['Runs that went from failed to ok', runs.improved],
    ['Runs that failed differently', runs.changed],
  ] as const) {
    if (list.length === 0) continue;
    out.push(`### ${title} (${list.length})`, '');
    out.push(...table(['run', 'configuration', 'seed', 'baseline', 'current'], runRows(list)));
  }
  for (const [side, list, cells] of [
    ['baseline', runs.onlyBaseline, c.cellsOnlyBaseline],
    ['current results', runs.onlyCurrent, c.cellsOnlyCurrent],
  ] as const) {
    if (list.length === 0) continue;
    out.push(`### Only in the ${side} (${list.length} runs)`, '');
    if (cells.length > 0) out.push(`Configurations: ${cells.join('; ')}.`, '');
    const ids = list.slice(0, MAX_ROWS).map((r) => `\`${r.id}\``);
    out.push(
      `Runs: ${ids.join(', ')}${list.length > MAX_ROWS ? `, ... and ${list.length - MAX_ROWS} more` : ''}.`,
      '',
    );
  }
  return out.join('\n');
}

/** The comparison as JSON: every run and configuration, runs by id with how they ended. */
export function comparisonJson(c: Comparison, sources: Sources): string {
  const brief = (r: RunResult) => ({
    id: r.id,
    seed: r.config.seed,
    outcome: r.outcome,
    step: r.step,
    ...(r.outcome === 'ok' ? {} : { kind: r.kind, reason: r.reason }),
  });
  const change = (x: RunChange) => ({
    id: x.id,
    configuration: x.configuration,
    seed: x.current.config.seed,
    baseline: brief(x.baseline),
    current: brief(x.current),
  });
  return `${JSON.stringify(
    {
      ...sources,
      regression: c.regression,
      incomplete: c.incomplete,
      alpha: c.alpha,
      strict: c.strict,
      runs: {
        compared: c.runs.compared,
        regressed: c.runs.regressed.map(change),
        improved: c.runs.improved.map(change),
        changed: c.runs.changed.map(change),
        onlyBaseline: c.runs.onlyBaseline.map(brief),
        onlyCurrent: c.runs.onlyCurrent.map(brief),
      },
      configurations: c.cells,
      configurationsOnlyBaseline: c.cellsOnlyBaseline,
      configurationsOnlyCurrent: c.cellsOnlyCurrent,
    },
    null,
    2,
  )}\n`;
}
