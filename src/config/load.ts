import { resolve } from 'node:path';
import type { Catalog } from '../engine/catalog.js';
import { defaultCatalog } from '../engine/registry.js';
import { CovsweepError, formatProblem, ProblemList } from '../ground/errors.js';
import { suiteName } from '../ground/folder-name.js';
import { EXPERIMENT_FILE, readInput, UnreadableFile } from '../ground/read-input.js';
import type { Experiment, Suite } from '../types.js';
import { checkAbove } from './above.js';
import { resolveData } from './data.js';
import { checkDataSize, checkDescription } from './data-size.js';
import { resolveFrontier } from './frontier.js';
import { checkOptimizerOptions, optimizerNames, resolveOptimizer } from './optimizer.js';
import { applyOverride, type Override } from './overrides.js';
import { documentCatalog, resolveFiles } from './plugins.js';
import { checkRawStart } from './raw-start.js';
import { type ExperimentFile, resolveBase, resolveSummary } from './resolve.js';
import { plainSpace, resolveSpace, variedSettings } from './rules.js';
import { DEFAULTS } from './settings.js';
import { checkShapes } from './shapes.js';
import { ConfigSource } from './source.js';
import { resolveAxes } from './sweep.js';
import { validateFile } from './validate.js';

/**
 * Reads, checks and resolves an experiment file: one experiment per YAML document. Throws a
 * `CovsweepError`: `E_INPUT` when there is no such file, `E_IO` when it cannot be read, `E_CONFIG` with every problem found
 * (`problems`, each `file:line:col: ...`, every document's) when it is not a valid file.
 */
export function loadSuite(
  file: string,
  catalog: Catalog = defaultCatalog,
  overrides: readonly Override[] = [],
): Suite {
  return parseSuite(readExperimentFile(file), file, catalog, overrides);
}

/** The text of an experiment file, checked to be UTF-8; `E_USAGE`/`E_IO` when it cannot be read. */
export function readExperimentFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readInput(resolve(file), EXPERIMENT_FILE);
  } catch (cause) {
    if (!(cause instanceof UnreadableFile)) throw cause;
    // A wrong path is a usage error (exit 2); a disk that fails to read is not.
    const usage = ['ENOENT', 'ENOTDIR', 'ENOTREG', 'ETOOBIG', 'EACCES'].includes(cause.code ?? '');
    throw new CovsweepError(
      usage ? 'E_USAGE' : 'E_IO',
      `${file}: cannot read the experiment file: ${cause.message}; give the path of a YAML file`,
      { cause, file },
    );
  }
  return utf8(bytes, file);
}

/**
 * The text of UTF-8 `bytes`; other bytes are refused at their line and column, since the copy
 * a run folder keeps is this text, which must be the file as it was run.
 */
function utf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    const text = bytes.toString('utf8');
    const before = text.slice(0, Math.max(0, text.indexOf('\uFFFD'))).split('\n');
    const at = `${file}:${before.length}:${before[before.length - 1].length + 1}`;
    throw new CovsweepError(
      'E_CONFIG',
      `${at}: the experiment file is not UTF-8 text (a byte here is not); save it as UTF-8`,
      { cause, file },
    );
  }
}

/**
 * `loadSuite` for text already in hand; `file` is what messages call it and is resolved to absolute.
 * Overrides apply to every document; the suite's `source` is then the file as overridden, which is
 * what its run folder keeps.
 */
export function parseSuite(
  text: string,
  file: string,
  catalog: Catalog = defaultCatalog,
  overrides: readonly Override[] = [],
): Suite {
  const sources = ConfigSource.documents(file, text);
  const source = overrides.length ? overriddenText(sources, overrides) : text;
  const failures: CovsweepError[] = [];
  const duplicates: string[] = [];
  const experiments: Experiment[] = [];
  const firstOf = new Map<string, ConfigSource>();
  for (const doc of sources) {
    try {
      const e = { ...parseDocument(doc, catalog), source };
      experiments.push(e);
      const first = firstOf.get(e.name);
      if (first) {
        const at = doc.locate(['name']).node;
        const line = doc.lines.linePos(first.locate(['name']).node?.range?.[0] ?? 0).line;
        const message = `experiment "${e.name}" is already the name of the document at line ${line}; give each document its own name (it names its tables)`;
        duplicates.push(formatProblem(doc.problem(at, message)));
      } else firstOf.set(e.name, doc);
    } catch (cause) {
      // Every document is checked, so that one pass shows the problems of all of them.
      if (!(cause instanceof CovsweepError) || cause.code !== 'E_CONFIG') throw cause;
      failures.push(cause);
    }
  }
  if (failures.length === 1 && duplicates.length === 0) throw failures[0];
  const problems = [...failures.flatMap((f) => f.problems), ...duplicates];
  if (problems.length)
    throw new CovsweepError('E_CONFIG', problems[0], { cause: failures[0], file, problems });
  return {
    // runs/<name>/: a file of several experiments is named after the file.
    name: experiments.length === 1 ? experiments[0].name : suiteName(file),
    file: resolve(file),
    source,
    experiments,
  };
}

/** Rewrites the file's text as close to how it was written as yaml can: no folding, `[a, b]`. */
const KEEP_LAYOUT = { lineWidth: 0, flowCollectionPadding: false } as const;

/**
 * Sets the overrides in every document (each problem pointing at its argument) and returns the
 * file's text as overridden, headed by the command line's overrides so the copy says where it differs.
 */
function overriddenText(sources: readonly ConfigSource[], overrides: readonly Override[]): string {
  const problems = new ProblemList();
  for (const source of sources) for (const o of overrides) applyOverride(source, o, problems);
  problems.throwIfAny();
  const header = `# covsweep run overrides: ${overrides.map((o) => o.argument).join(' ')}\n`;
  return header + sources.map((s) => s.doc.toString(KEEP_LAYOUT)).join('');
}

/** The experiment of a one-document file (`E_CONFIG` for a file of several: use `loadSuite`). */
export function loadExperiment(file: string, catalog: Catalog = defaultCatalog): Experiment {
  return onlyExperiment(loadSuite(file, catalog));
}

/** `loadExperiment` for text already in hand. */
export function parseExperiment(text: string, file: string, catalog: Catalog = defaultCatalog): Experiment {
  return onlyExperiment(parseSuite(text, file, catalog));
}

function onlyExperiment(s: Suite): Experiment {
  if (s.experiments.length === 1) return s.experiments[0];
  throw new CovsweepError(
    'E_CONFIG',
    `${s.file}: holds ${s.experiments.length} experiments where one was expected; read it with loadSuite`,
    { file: s.file },
  );
}

/** One document's experiment, validated, defaults applied. */
function parseDocument(source: ConfigSource, fileCatalog: Catalog): Experiment {
  const { file, text } = source;
  const data = source.toData();
  const problems = new ProblemList();
  // A command or plugin task, plugin parameterizations: what this document adds to the catalog.
  const catalog = documentCatalog(data, fileCatalog, source, problems);
  problems.throwIfAny();
  validateFile(source, data, catalog);
  const spec = data as ExperimentFile;
  // The schema admits only the catalog's task names, so this finds one.
  const task = catalog.tasks.find((t) => t.name === spec.task.name)!;
  const maxRuns = spec.max_runs ?? DEFAULTS.max_runs;
  const sweep = spec.sweep ?? {};
  const written = resolveAxes(sweep, spec.zip ?? [], maxRuns, { source, catalog, task, problems });
  const base = resolveBase(spec, task, catalog);
  const optimizer = spec.optimizer ?? {};
  const include = spec.include ?? [];
  const optimizers = optimizerNames(optimizer, written, include, catalog).map((n) =>
    resolveOptimizer(n, optimizer, task, catalog),
  );
  // Rules are checked against a sweep that resolved (an axis with a problem resolves to none).
  const { space, axes } =
    written.length === Object.keys(sweep).length
      ? resolveSpace(spec, written, { source, problems, base, optimizers, maxRuns })
      : { space: plainSpace(written), axes: written };
  const varied = variedSettings(axes, space, base);
  // Tables may pivot on any setting the runs vary, dependent and included ones too.
  const summary = resolveSummary(spec.summary ?? {}, varied, source, problems);
  checkShapes(base, varied, task, source, problems);
  checkAbove(base, varied, task, source, problems);
  checkRawStart(base, varied, source, problems);
  checkDataSize(base, varied, task, source, problems);
  checkDescription(spec.description, source, problems);
  checkOptimizerOptions(
    optimizer,
    optimizers.map((o) => o.name),
    axes,
    catalog,
    source,
    problems,
  );
  const frontier = resolveFrontier(spec.frontier, axes, { source, catalog, task, problems });
  problems.throwIfAny();
  const dataFile = resolveData(base, axes, task, source, problems);
  const files = resolveFiles(base, data as Record<string, unknown>, source, problems);
  problems.throwIfAny();
  return {
    name: spec.name,
    description: spec.description ?? DEFAULTS.description,
    file: resolve(file),
    source: text,
    base,
    optimizers,
    axes,
    space,
    summary,
    ...(frontier ? { frontier } : {}),
    ...(dataFile ? { dataFile } : {}),
    ...(files.length ? { files } : {}),
  };
}
