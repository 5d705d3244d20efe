import type { Catalog, CatalogTask } from '../engine/catalog.js';
import type { ProblemList } from '../ground/errors.js';
import type { JsonSchema } from '../ground/json-schema.js';
import type { FrontierSpec, SweepAxis } from '../types.js';
import { DEFAULT_POINTS } from './frontier-schema.js';
import { sweepablePaths } from './settings.js';
import type { ConfigSource } from './source.js';
import { closest, listOf } from './suggest.js';
import { describeSchema, passes } from './validate.js';

/** The `frontier` map as the schema admits it. */
export type FrontierFile = Omit<FrontierSpec, 'points'> & { points?: number };

/** Settings a frontier may search: real numbers (a log-space search over integers or choices means nothing). */
function searchable(catalog: Catalog, task: CatalogTask): Map<string, JsonSchema> {
  const all = sweepablePaths(catalog, task);
  return new Map([...all].filter(([, schema]) => schema.type === 'number'));
}

/**
 * The file's `frontier`, checked against what the schema cannot say: a searchable setting that is
 * not also swept, bounds the setting admits, min < max. Problems go to `problems`.
 */
export function resolveFrontier(
  file: FrontierFile | undefined,
  axes: readonly SweepAxis[],
  context: { source: ConfigSource; catalog: Catalog; task: CatalogTask; problems: ProblemList },
): FrontierSpec | undefined {
  if (!file) return undefined;
  const { source, catalog, task, problems } = context;
  const at = (key: string) => source.locate(['frontier', key]).node;
  const allowed = searchable(catalog, task);
  const schema = allowed.get(file.setting);
  if (!schema) {
    const guess = closest(file.setting, allowed.keys());
    const swept = sweepablePaths(catalog, task).get(file.setting);
    const why = swept
      ? `it is ${describeSchema(swept)}, and a frontier searches a real number in log space`
      : 'no such setting';
    const fix =
      guess && guess !== file.setting
        ? `did you mean "${guess}"?`
        : `use one of ${listOf([...allowed.keys()])}`;
    problems.add(
      source.problem(at('setting'), `frontier.setting "${file.setting}" cannot be searched: ${why}; ${fix}`),
    );
    return undefined;
  }
  if (axes.some((a) => a.path === file.setting)) {
    problems.add(
      source.problem(
        source.locate(['sweep', file.setting]).key ?? at('setting'),
        `"${file.setting}" is both swept and the frontier's setting; the search chooses its values itself: remove "${file.setting}" from sweep`,
      ),
    );
  }
  for (const key of ['min', 'max'] as const) {
    if (!passes(catalog, `${task.name}/${file.setting}`, schema, file[key]))
      problems.add(
        source.problem(
          at(key),
          `frontier.${key} is ${file[key]}, but "${file.setting}" must be ${describeSchema(schema)}; change the bound`,
        ),
      );
  }
  if (file.min >= file.max)
    problems.add(
      source.problem(
        at('max'),
        `frontier.max (${file.max}) must be larger than frontier.min (${file.min}); swap or widen the bounds`,
      ),
    );
  return { ...file, points: file.points ?? DEFAULT_POINTS };
}
