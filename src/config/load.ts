import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Experiment } from '../types.js';
import { checkAbove } from './above.js';
import { type Catalog, defaultCatalog } from './catalog.js';
import { CovsweepError, ProblemList } from './errors.js';
import { checkOptimizerOptions, optimizerNames, resolveOptimizer } from './optimizer.js';
import { type ExperimentFile, resolveBase, resolveSummary } from './resolve.js';
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
  const axes = resolveAxes(spec.sweep ?? {}, spec.max_runs ?? DEFAULTS.max_runs, {
    source,
    catalog,
    task,
    problems,
  });
  const summary = resolveSummary(spec.summary ?? {}, axes, source, problems);
  const base = resolveBase(spec, task, catalog);
  checkShapes(base, axes, task, source, problems);
  checkAbove(base, axes, task, source, problems);
  const optimizer = spec.optimizer ?? {};
  checkOptimizerOptions(optimizer, axes, catalog, source, problems);
  problems.throwIfAny();
  return {
    name: spec.name,
    description: spec.description ?? DEFAULTS.description,
    file: resolve(file),
    source: text,
    base,
    optimizers: optimizerNames(optimizer, axes, catalog).map((n) =>
      resolveOptimizer(n, optimizer, task, catalog),
    ),
    axes,
    summary,
  };
}
