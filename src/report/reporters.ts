import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resultsByExperiment, unplanned } from '../results/order.js';
import { pivot } from '../results/pivot.js';
import { readManifest } from '../results/store.js';
import type { Experiment, RunResult, Suite } from '../types.js';
import type { ReportContext, SuiteReportContext } from './context.js';
import { resultsCsv } from './csv.js';
import { frontierCsv, frontierJsonl } from './frontier.js';
import { reportHtml, suiteHtml } from './html.js';
import { pivotCsv, pivotFileNames, summaryMarkdown } from './markdown.js';

/**
 * A result writer, in the shape of vitest's reporters: optional hooks, registered by name. Today
 * every writer needs all results, so the hooks run at the end; one that streams (a JSONL writer)
 * would add `onResults`. `onRunEnd` writes one experiment's files: in the folder, or for a file
 * of several experiments in a subfolder per experiment, after which `onSuiteEnd` writes what
 * covers them all.
 */
export interface Reporter {
  /** What it writes, for `covsweep report --help`. */
  help: string;
  onRunEnd?(ctx: ReportContext): void | Promise<void>;
  onSuiteEnd?(ctx: SuiteReportContext): void | Promise<void>;
}

/** The swept settings of `experiments`, each once, as results.csv's columns. */
const sweptPaths = (experiments: readonly Experiment[]) => [
  ...new Set(experiments.flatMap((e) => e.axes.map((a) => a.path))),
];

const csv: Reporter = {
  help: 'results.csv: one row per run, swept settings as columns',
  onRunEnd: (ctx) => ctx.write('results.csv', resultsCsv(ctx.results, sweptPaths([ctx.experiment]))),
  onSuiteEnd: (ctx) => ctx.write('results.csv', resultsCsv(ctx.results, sweptPaths(ctx.suite.experiments))),
};

const tables: Reporter = {
  help: 'tables/*.csv: every summary table, one line per cell (none for a frontier)',
  onRunEnd(ctx) {
    // A frontier's one table is the frontier reporter's.
    const specs = ctx.experiment.frontier ? [] : ctx.experiment.summary.tables;
    pivotFileNames(specs).forEach((name, i) => {
      ctx.write(join('tables', name), pivotCsv(pivot(ctx.experiment, ctx.results, specs[i])));
    });
  },
};

const frontier: Reporter = {
  help: "frontier.jsonl and tables/frontier.csv (frontier experiments): each search's bracket, the critical value per combination",
  onRunEnd(ctx) {
    const e = ctx.experiment;
    if (!e.frontier) return;
    const fe = { ...e, frontier: e.frontier };
    ctx.write('frontier.jsonl', frontierJsonl(fe, ctx.results));
    ctx.write(join('tables', 'frontier.csv'), frontierCsv(fe, ctx.results));
  },
};

const markdown: Reporter = {
  help: 'summary.md: the summary tables, runs by outcome, failure reasons',
  onRunEnd: (ctx) =>
    ctx.write(
      'summary.md',
      summaryMarkdown(ctx.experiment, ctx.results, ctx.manifest?.started ?? 'no manifest'),
    ),
  // Each experiment's summary under its own heading, one after the other.
  onSuiteEnd: (ctx) =>
    ctx.write(
      'summary.md',
      ctx.parts
        .map((p) => summaryMarkdown(p.experiment, p.results, ctx.manifest?.started ?? 'no manifest'))
        .join('\n'),
    ),
};

const html: Reporter = {
  help: 'report.html: one self-contained page with the tables and plots',
  onRunEnd: async (ctx) => ctx.write('report.html', await reportHtml(ctx)),
  onSuiteEnd: async (ctx) =>
    ctx.write('report.html', await suiteHtml(ctx.suite, ctx.parts, ctx.results, ctx.manifest)),
};

/** Every reporter by name, in the order they run. */
export const REPORTERS: Readonly<Record<string, Reporter>> = { csv, tables, frontier, markdown, html };

/** What the reporters wrote (by file name relative to the folder), and each that failed, as "name: reason". */
export interface Reports {
  written: Map<string, string>;
  failed: string[];
  /** What the user should know about the tables (results left out of them). */
  notes: string[];
}

/**
 * Runs the named reporters (default: all) over a finished run folder and returns what they wrote,
 * by file name relative to `dir`. `results` are every run's, in plan order. A reporter that throws
 * (a plot too large to draw, a full disk) is listed in `failed` and the others still write: the
 * results are on disk already, and a report is never a reason to lose the rest.
 */
export async function writeReports(
  ctx: Omit<SuiteReportContext, 'parts' | 'write'> & Pick<ReportContext, 'show'>,
  names: readonly string[] = Object.keys(REPORTERS),
): Promise<Reports> {
  /** What was written and what failed, of one experiment's files or of the whole folder's. */
  type Outcome = { written: Map<string, string>; failed: string[] };
  const outcome = (): Outcome => ({ written: new Map(), failed: [] });
  const guarded = async (into: Outcome, name: string, hook: () => void | Promise<void>) => {
    try {
      await hook();
    } catch (err) {
      into.failed.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const writer = (folder: string, into: Outcome) => (name: string, text: string) => {
    const target = join(ctx.dir, folder, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(`${target}.tmp`, text);
    renameSync(`${target}.tmp`, target);
    into.written.set(join(folder, name), text);
  };
  const { dir, suite, results, manifest, show } = ctx;
  const one = suite.experiments.length === 1;
  const shares = resultsByExperiment(suite, results);
  const outcomes = suite.experiments.map(outcome);
  const parts = suite.experiments.map((experiment, i): ReportContext => {
    const write = writer(one ? '' : experiment.name, outcomes[i]);
    return { dir, experiment, results: shares[i], manifest, show, write };
  });
  const extra = unplanned(suite, results);
  const notes = extra.length
    ? [
        `${extra.length} result${extra.length === 1 ? ' is' : 's are'} of runs the experiment does not plan (${extra
          .slice(0, 3)
          .map((r) => r.id)
          .join(', ')}${extra.length > 3 ? ', ...' : ''}): left out of the tables, kept in results.jsonl`,
      ]
    : [];
  // Every experiment's files, then the folder's (a file of several experiments). Each file is
  // written whole by its reporter, and they are listed experiment by experiment.
  const perPart = parts.flatMap((part, i) =>
    names.map((name) => guarded(outcomes[i], name, () => REPORTERS[name].onRunEnd?.(part))),
  );
  const whole = outcome();
  const folderWide = one
    ? []
    : names.map((name) =>
        guarded(whole, name, () =>
          REPORTERS[name].onSuiteEnd?.({ dir, suite, results, manifest, parts, write: writer('', whole) }),
        ),
      );
  await Promise.all([...perPart, ...folderWide]);
  const all = [...outcomes, whole];
  return {
    written: new Map(all.flatMap((o) => [...o.written])),
    failed: all.flatMap((o) => o.failed),
    notes,
  };
}

/**
 * Every report of a run that just finished (what `covsweep run` calls last): reads the manifest
 * the run wrote and returns summary.md's text, for the terminal ('' if it failed), and the
 * reporters that failed.
 */
export async function reportRun(
  dir: string,
  suite: Suite,
  results: readonly RunResult[],
): Promise<Reports & { summary: string }> {
  const manifest = readManifest(join(dir, 'manifest.json'));
  const reports = await writeReports({ dir, suite, results, manifest });
  return { ...reports, summary: reports.written.get('summary.md') ?? '' };
}

/** What to tell the user of the reports: results the tables left out, reports that could not be written (and that the rest are kept). */
export const reportNotes = (dir: string, { failed, notes }: Pick<Reports, 'failed' | 'notes'>): string[] => [
  ...notes.map((n) => `${dir}: ${n}`),
  ...failed.map(
    (f) =>
      `a report could not be written (${f}); the results and every other file are in ${dir}; retry with covsweep report ${dir}`,
  ),
];
