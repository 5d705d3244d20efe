import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Experiment } from '../types.js';
import { checkAbove } from './above.js';
import { type Catalog, defaultCatalog } from './catalog.js';
import { resolveData } from './data.js';
import { CovsweepError, ProblemList } from './errors.js';
import { resolveFrontier } from './frontier.js';
import { checkOptimizerOptions, optimizerNames, resolveOptimizer } from './optimizer.js';
import { type ExperimentFile, resolveBase, resolveSummary } from './resolve.js';
import { plainSpace, resolveSpace, variedSettings } from './rules.js';
import { DEFAULTS } from './settings.js';
import { checkShapes } from './shapes.js';
import { ConfigSource } from './source.js';
import { resolveAxes } from './sweep.js';
import { validateFile } from './validate.js';

/**
 * Reads, checks and resolves an experiment file. Throws a `CovsweepError`: `E_IO` when the file
 * cannot be read, `E_CONFIG` with every problem found (`problems`, each `file:line:col: ...`)
 * when it is not a valid experiment.
 */
export function loadExperiment(file: string, catalog: Catalog = defaultCatalog): Experiment {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new CovsweepError('E_IO', `${file}: cannot read the experiment file (${reason}); check the path`, {
      cause,
      file,
    });
  }
  return parseExperiment(text, file, catalog);
}

/** `loadExperiment` for text already in hand; `file` is what messages call it and is resolved to absolute. */
export function parseExperiment(text: string, file: string, catalog: Catalog = defaultCatalog): Experiment {
  const source = new ConfigSource(file, text);
  const data = source.toData();
  validateFile(source, data, catalog);
  const spec = data as ExperimentFile;
  // The schema admits only the catalog's task names, so this finds one.
  const task = catalog.tasks.find((t) => t.name === spec.task.name)!;
  const problems = new ProblemList();
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
  checkOptimizerOptions(optimizer, axes, include, catalog, source, problems);
  const frontier = resolveFrontier(spec.frontier, axes, { source, catalog, task, problems });
  problems.throwIfAny();
  const dataFile = resolveData(base, axes, task, source, problems);
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
  };
}
