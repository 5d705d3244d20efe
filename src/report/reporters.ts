import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { frontierCsv, frontierJsonl } from '../frontier/summary.js';
import { resultsCsv } from '../results/csv.js';
import { pivot } from '../results/pivot.js';
import type { Manifest } from '../results/store.js';
import { pivotCsv, pivotFileNames, summaryMarkdown } from '../results/summary.js';
import type { Experiment, RunResult } from '../types.js';
import { reportHtml } from './html.js';

/** Everything a reporter may read, and the one way it writes. */
export interface ReportContext {
  /** The run folder. */
  dir: string;
  experiment: Experiment;
  /** Every run's result, in plan order. */
  results: readonly RunResult[];
  manifest?: Manifest;
  /** Run ids whose learned Gaussians report.html draws; default: the first run of each outcome. */
  show?: readonly string[];
  /** Writes `name` (relative to `dir`) whole: a temp file, then a rename. */
  write(name: string, text: string): void;
}

/**
 * A result writer, in the shape of vitest's reporters: optional hooks, registered by name. Today
 * every writer needs all results, so `onRunEnd` is the only hook; one that streams (a JSONL
 * writer) would add `onResults`.
 */
export interface Reporter {
  /** What it writes, for `covsweep report --help`. */
  help: string;
  onRunEnd?(ctx: ReportContext): void | Promise<void>;
}

const csv: Reporter = {
  help: 'results.csv: one row per run, swept settings as columns',
  onRunEnd: (ctx) =>
    ctx.write(
      'results.csv',
      resultsCsv(
        ctx.results,
        ctx.experiment.axes.map((a) => a.path),
      ),
    ),
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
};

const html: Reporter = {
  help: 'report.html: one self-contained page with the tables and plots',
  onRunEnd: async (ctx) => ctx.write('report.html', await reportHtml(ctx)),
};

/** Every reporter by name, in the order they run. */
export const REPORTERS: Readonly<Record<string, Reporter>> = { csv, tables, frontier, markdown, html };

/**
 * Runs the named reporters (default: all) over a finished run folder and returns what they wrote,
 * by file name relative to `dir`.
 */
export async function writeReports(
  ctx: Omit<ReportContext, 'write'>,
  names: readonly string[] = Object.keys(REPORTERS),
): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  const write = (name: string, text: string) => {
    const target = join(ctx.dir, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(`${target}.tmp`, text);
    renameSync(`${target}.tmp`, target);
    written.set(name, text);
  };
  for (const name of names) await REPORTERS[name].onRunEnd?.({ ...ctx, write });
  return written;
}

/**
 * Every report of a run that just finished (what `covsweep run` calls last): reads the manifest
 * the run wrote and returns summary.md's text, for the terminal.
 */
export async function reportRun(
  dir: string,
  experiment: Experiment,
  results: readonly RunResult[],
): Promise<string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const written = await writeReports({ dir, experiment, results, manifest });
  return written.get('summary.md')!;
}
