import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CovsweepError } from '../ground/errors.js';
import { comparisonJson, comparisonMarkdown } from '../report/compare-markdown.js';
import { comparisonJunit } from '../report/junit.js';
import { compareResults } from '../results/compare.js';
import { readResultsWarning } from '../results/load.js';
import { readManifest } from '../results/store.js';
import type { RunResult } from '../types.js';
import { parse } from './args.js';
import { usage } from './commands.js';

export const USAGE = usage('compare');

/**
 * The results.jsonl a path stands for: the file itself, a run folder's, or for a folder of run
 * folders (runs/baseline/smoke) the newest one's, since their names are UTC timestamps.
 */
function resultsFile(path: string): string {
  if (!existsSync(path)) throw new CovsweepError('E_INPUT', `${path}: no such file or folder`);
  if (!statSync(path).isDirectory()) return path;
  if (existsSync(join(path, 'results.jsonl'))) return join(path, 'results.jsonl');
  const runs = readdirSync(path)
    .filter((d) => existsSync(join(path, d, 'results.jsonl')))
    .sort();
  if (runs.length === 0)
    throw new CovsweepError('E_INPUT', `${path}: no results.jsonl in it or in a run folder inside it`);
  return join(path, runs[runs.length - 1], 'results.jsonl');
}

function load(path: string): { file: string; results: RunResult[] } {
  const file = resultsFile(path);
  const { results, notes } = readResultsWarning(file);
  for (const note of notes) process.stderr.write(`covsweep: ${note}\n`);
  if (results.length === 0) throw new CovsweepError('E_INPUT', `${file}: no runs`);
  const ids = new Set<string>();
  for (const r of results) {
    if (ids.has(r.id)) throw new CovsweepError('E_INPUT', `${file}: run ${r.id} appears twice`);
    ids.add(r.id);
  }
  return { file, results };
}

/** The experiment a results file's run folder ran (its manifest's), if it has a manifest. */
function experimentOf(results: string): string | undefined {
  const manifest = join(dirname(results), 'manifest.json');
  if (!existsSync(manifest)) return undefined;
  return readManifest(manifest).experiment;
}

/** Refuses results of two differently named experiments (exit 2). */
function sameExperiment(baseline: string, current: string): void {
  const [a, b] = [experimentOf(baseline), experimentOf(current)];
  if (a !== undefined && b !== undefined && a !== b)
    throw new CovsweepError(
      'E_INPUT',
      `the baseline ${baseline} is of experiment "${a}" but the current results ${current} are of "${b}"; compare runs of one experiment`,
    );
}

function writeJunit(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new CovsweepError(
      code === 'EISDIR' ? 'E_USAGE' : 'E_IO',
      code === 'EISDIR'
        ? `--junit ${file} is a folder; give a file path such as ${join(file, 'covsweep.xml')}`
        : `cannot write --junit ${file}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/**
 * Compare results with a baseline: exit 0 no regression, 1 regression or current results that
 * lack runs of the baseline (unless --allow-missing), 2 bad input (different experiments too).
 */
export async function compare(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, 'compare');
  if (positionals.length !== 2)
    throw new CovsweepError('E_USAGE', `expected a baseline and current results; usage: ${USAGE}`);
  const alpha = Number(values.alpha ?? 0.05);
  if (!(alpha > 0 && alpha < 1))
    throw new CovsweepError(
      'E_USAGE',
      `--alpha must be a number between 0 and 1, received "${values.alpha}"`,
    );
  const baseline = load(positionals[0]);
  const current = load(positionals[1]);
  sameExperiment(baseline.file, current.file);
  const c = compareResults(baseline.results, current.results, {
    alpha,
    strict: values.strict,
    allowMissing: values['allow-missing'],
  });
  // Results with no configuration in common are two different experiments: a wrong baseline
  // path would otherwise pass as "no regression".
  if (c.cells.length === 0)
    throw new CovsweepError(
      'E_INPUT',
      `${baseline.file} and ${current.file} have no configuration in common: they are results of different experiments; give the baseline of this experiment`,
    );
  const sources = { baseline: baseline.file, current: current.file };
  if (values.junit) writeJunit(values.junit, comparisonJunit(c, baseline.results, current.results));
  process.stdout.write(values.json ? comparisonJson(c, sources) : comparisonMarkdown(c, sources));
  return c.regression || c.incomplete ? 1 : 0;
}
