/**
 * The settings of a run as JSON Schema, their defaults, and which of them a sweep may vary: what
 * both the experiment schema and the sweep checks are built from.
 */

import { type Catalog, type CatalogTask, taskOptimizerDefaults } from '../engine/catalog.js';
import type { JsonSchema } from '../ground/json-schema.js';

/** Defaults of the settings that do not depend on the task. */
export const DEFAULTS = {
  description: '',
  dim: 2,
  seed: 0,
  divergence_bound: 1e8,
  max_condition: 2 ** 23,
  timeout: 0,
  record_every: 0,
  max_runs: 100_000,
  columns: 'parameterization',
  value: 'failure_rate',
} as const;

export { NAME_PATTERN } from '../ground/folder-name.js';
/** NAME_PATTERN in words, for the schema's description and error messages. */
export const NAME_RULE =
  'up to 64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit';

/** Settings outside `task` and `optimizer` that a sweep may vary (the optimizer's come from its registry). */
export const SWEEPABLE = [
  'parameterization',
  'dim',
  'seed',
  'timeout',
  'lr.cov',
  'lr.mean',
  'lr.weights',
  'thresholds.divergence_bound',
  'thresholds.max_condition',
] as const;

const GROUP = { cov: 'covariance parameters', mean: 'means', weights: 'other weights' } as const;

export const object = (description: string, properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties,
});

/** "Default per task: a 0.1, b 0.2." for settings whose default the task decides. */
function perTask(catalog: Catalog, pick: (task: CatalogTask) => unknown): string {
  return `Default per task: ${catalog.tasks.map((t) => `${t.name} ${pick(t)}`).join(', ')}.`;
}

/**
 * Every optimizer's options in one map, as the file's `optimizer` map holds them. An option two
 * optimizers share (`eps`) must have one schema; one without a default takes the task's.
 */
function optimizerOptions(catalog: Catalog): Record<string, JsonSchema> {
  const all: Record<string, JsonSchema> = {};
  for (const o of catalog.optimizers) {
    for (const [key, schema] of Object.entries(o.options)) {
      if (Object.hasOwn(all, key) && JSON.stringify(all[key]) !== JSON.stringify(schema))
        throw new Error(`optimizer option "${key}" has two different schemas`);
      all[key] = schema;
    }
  }
  for (const [key, schema] of Object.entries(all)) {
    if (!Object.hasOwn(schema, 'default')) {
      const byTask = perTask(catalog, (t) => taskOptimizerDefaults(t)[key]);
      all[key] = { ...schema, description: `${schema.description} ${byTask}` };
    }
  }
  return all;
}

/** The settings of a run besides `task`: what both the file's top level and sweep paths address. */
export function settings(catalog: Catalog): Record<string, JsonSchema> {
  const lr = (group: keyof typeof GROUP): JsonSchema => ({
    type: 'number',
    minimum: 0,
    description: `Learning rate of the ${GROUP[group]}, 0 = frozen at the start. ${perTask(catalog, (t) => t.lr[group])}`,
  });
  const names = catalog.optimizers.map((o) => o.name);
  return {
    parameterization: {
      description: 'Covariance parameterization.',
      enum: catalog.parameterizations,
      default: catalog.parameterizations[0],
    },
    parameterization_options: object(
      'Options of the parameterizations, one map for all: each parameterization reads its own and ignores the rest.',
      catalog.parameterizationOptions ?? {},
    ),
    dim: {
      type: 'integer',
      minimum: 1,
      maximum: 256,
      default: DEFAULTS.dim,
      description: 'Dimension of the Gaussian(s).',
    },
    seed: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      default: DEFAULTS.seed,
      description: 'Seed of every random stream of the run (data, truth, shuffles, init).',
    },
    optimizer: object(
      'The optimizer and its options, one map for all optimizers: a run takes the options of its own.',
      { name: { description: 'Optimizer.', enum: names, default: names[0] }, ...optimizerOptions(catalog) },
    ),
    lr: object('Learning rate per parameter group.', {
      cov: lr('cov'),
      mean: lr('mean'),
      weights: lr('weights'),
    }),
    thresholds: object('When a run counts as failed.', {
      divergence_bound: {
        type: 'number',
        exclusiveMinimum: 0,
        default: DEFAULTS.divergence_bound,
        description: 'A loss or parameter magnitude above this counts as diverged.',
      },
      max_condition: {
        type: 'number',
        exclusiveMinimum: 1,
        default: DEFAULTS.max_condition,
        description: 'A covariance condition number above this counts as singular (float32: 2^23).',
      },
    }),
    timeout: {
      type: 'number',
      minimum: 0,
      default: DEFAULTS.timeout,
      description: 'Seconds one run may take before it is recorded as timed out; 0 = no limit.',
    },
    record_every: {
      type: 'integer',
      minimum: 0,
      default: DEFAULTS.record_every,
      description: 'Record the loss every this many steps for learning curves; 0 = about 50 points per run.',
    },
  };
}

/** The schema at a dotted path (`lr.cov`) below `settings`, if there is one. */
function lookup(root: Record<string, JsonSchema>, path: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = { properties: root };
  for (const key of path.split('.')) {
    node = node?.properties && Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
  }
  return node;
}

const SCALAR = new Set(['number', 'integer', 'string', 'boolean']);

/** Every path a sweep over `task` may vary, with the schema each of its values must pass. */
export function sweepablePaths(catalog: Catalog, task: CatalogTask): Map<string, JsonSchema> {
  const paths = new Map<string, JsonSchema>();
  const root = settings(catalog);
  for (const path of SWEEPABLE) paths.set(path, lookup(root, path)!);
  for (const [key, schema] of Object.entries(root.optimizer.properties ?? {}))
    paths.set(`optimizer.${key}`, schema);
  for (const [option, schema] of Object.entries(catalog.parameterizationOptions ?? {})) {
    if (SCALAR.has(String(schema.type))) paths.set(`parameterization_options.${option}`, schema);
  }
  for (const [option, schema] of Object.entries(task.options)) {
    // A sweep value is one number, string or boolean: list-valued options stay fixed. So does
    // `data`: its file is read and checked once, when the experiment is loaded.
    if (option === 'data') continue;
    if (schema.enum || SCALAR.has(String(schema.type))) paths.set(`task.${option}`, schema);
  }
  return paths;
}
