import type { Catalog, CatalogTask } from '../engine/catalog.js';
import type { JsonSchema } from '../ground/json-schema.js';
import { AGGREGATE_NAMES } from '../ground/vocabulary.js';
import { frontierSchema } from './frontier-schema.js';
import { DEFAULTS, NAME_PATTERN, NAME_RULE, object, settings, sweepablePaths } from './settings.js';

/**
 * JSON Schema's if/then/else. Chosen over anyOf/oneOf because ajv then reports only the errors of
 * the branch that applies, which map to one clear message each.
 */
function when(condition: JsonSchema, then: JsonSchema, otherwise?: JsonSchema): JsonSchema {
  return otherwise ? { if: condition, then, else: otherwise } : { if: condition, then };
}

const isNumeric = (s: JsonSchema) => s.type === 'number' || s.type === 'integer';

const positive = { type: 'number', exclusiveMinimum: 0 };
const count = { type: 'integer', minimum: 1 };
/** Numbers generated from a few parameters; one definition that every numeric axis refers to. */
const GENERATOR: JsonSchema = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    range: {
      type: 'array',
      description: '[start, stop, step]: start, start + step, ... up to stop (excluded); step defaults to 1.',
      minItems: 2,
      maxItems: 3,
      items: { type: 'number' },
    },
    linspace: {
      type: 'array',
      description: '[a, b, n]: n evenly spaced values from a to b, both included.',
      items: [{ type: 'number' }, { type: 'number' }, count],
      minItems: 3,
      additionalItems: false,
    },
    logspace: {
      type: 'array',
      description: '[a, b, n]: n values from a to b (both > 0, included), evenly spaced in log10.',
      items: [positive, positive, count],
      minItems: 3,
      additionalItems: false,
    },
  },
};

const GENERATOR_REF = { $ref: '#/definitions/generator' };

/** An axis: a list of values, or for numbers a generator, or for `seed` a count. */
function axisSchema(path: string, value: JsonSchema): JsonSchema {
  const list: JsonSchema = { minItems: 1, items: valueSchema(value) };
  if (!isNumeric(value)) return { type: 'array', description: `Values of "${path}", as a list.`, ...list };
  const seed = path === 'seed';
  return {
    type: seed ? ['array', 'object', 'integer'] : ['array', 'object'],
    description:
      `Values of "${path}": a list, {range: [start, stop, step]}, {linspace: [a, b, n]} or {logspace: [a, b, n]}` +
      (seed ? ', or a count n for seeds 0..n-1.' : '.'),
    ...when({ type: 'array' }, list, seed ? when({ type: 'integer' }, count, GENERATOR_REF) : GENERATOR_REF),
  };
}

function taskSchema(task: CatalogTask): JsonSchema {
  const options: Record<string, JsonSchema> = {};
  for (const [key, schema] of Object.entries(task.options)) {
    options[key] = Object.hasOwn(task.defaults, key) ? { ...schema, default: task.defaults[key] } : schema;
  }
  return object(`Options of task "${task.name}".`, { name: { const: task.name }, ...options });
}

/** Axes of the settings every task has, defined once and referred to from each task's sweep. */
function sharedAxes(catalog: Catalog): Record<string, JsonSchema> {
  const axes: Record<string, JsonSchema> = {};
  for (const [path, value] of sweepablePaths(catalog, { options: {} } as CatalogTask)) {
    axes[path] = axisSchema(path, value);
  }
  return axes;
}

/** One value of a setting: its schema without what describes the setting itself. */
function valueSchema(value: JsonSchema): JsonSchema {
  const { description: _d, default: _v, ...item } = value;
  return item;
}

/** The sweep rules (src/config/rules.ts): each names settings by dotted path, with values of that setting. */
function ruleSchemas(catalog: Catalog, task: CatalogTask): Record<string, JsonSchema> {
  const one: Record<string, JsonSchema> = {};
  const anyOf: Record<string, JsonSchema> = {};
  const depends: Record<string, JsonSchema> = {};
  for (const [path, value] of sweepablePaths(catalog, task)) {
    const item = valueSchema(value);
    one[path] = item;
    anyOf[path] = when({ type: 'array' }, { type: 'array', minItems: 1, items: item }, item);
    depends[path] = {
      ...object(`"${path}" per value of the sweep axis "on".`, {
        on: { type: 'string', description: 'The sweep axis this setting follows.' },
        values: {
          type: 'object',
          description: `The value of "${path}" for each value of "on".`,
          additionalProperties: item,
        },
      }),
      required: ['on', 'values'],
    };
  }
  return {
    exclude: {
      type: 'array',
      description: RULES.exclude,
      items: object(
        'A combination to leave out: settings and their value, or a list of values meaning any of them.',
        anyOf,
      ),
    },
    include: {
      type: 'array',
      description: RULES.include,
      items: object('One more run: settings and their values; the rest keep their fixed value.', one),
    },
    depends: object(RULES.depends, depends),
  };
}

/** What each rule does, in the schema's words. */
const RULES = {
  zip: 'Groups of sweep axes that move together: their values are paired position by position instead of combined.',
  exclude:
    'Combinations of sweep values to leave out; a rule removes every run that matches all its settings.',
  include: 'Runs to add after the sweep, each a map of settings over the fixed ones.',
  depends:
    'Settings given per value of a sweep axis, by dotted path: {on: axis, values: {axis value: setting value}}.',
};

function sweepSchema(catalog: Catalog, task: CatalogTask): JsonSchema {
  const axes: Record<string, JsonSchema> = {};
  for (const [path, value] of sweepablePaths(catalog, task)) {
    axes[path] = path.startsWith('task.') ? axisSchema(path, value) : { $ref: `#/definitions/${path}` };
  }
  return object('Settings to vary, by dotted path; the runs are every combination of the values.', axes);
}

const axisPath = (along: string) => ({
  type: 'string',
  description: `Setting along the ${along}: a swept path, or "seed" or "parameterization".`,
});

/** A table's statistic; every name is one of src/ground/vocabulary.ts. */
const statistic = (description: string): JsonSchema => ({
  description: `${description}: ${AGGREGATE_NAMES.join(', ')}.`,
  enum: [...AGGREGATE_NAMES],
});

/** Which pivot tables summary.md, tables/*.csv and report.html show. */
function summarySchema(): JsonSchema {
  const { description, ...one } = statistic('Statistic in each cell, or a list of them (one table each)');
  return object('The summary tables: pivots of a statistic over two settings.', {
    rows: axisPath("rows (also the stability map's vertical axis)"),
    columns: { ...axisPath('columns'), default: DEFAULTS.columns },
    value: {
      type: ['string', 'array'],
      description,
      default: DEFAULTS.value,
      ...when({ type: 'array' }, { minItems: 1, items: one }, one),
    },
    tables: {
      type: 'array',
      description: 'More tables, after the ones of `value`: any rows x columns of any statistic.',
      items: {
        ...object("One more table; rows and columns default to the summary's.", {
          rows: axisPath('rows'),
          columns: axisPath('columns'),
          value: statistic('Statistic in each cell'),
        }),
        required: ['value'],
      },
    },
  });
}

/** The experiment file's JSON Schema; task options and sweep paths follow the task's name. */
export function buildSchema(catalog: Catalog): JsonSchema {
  const taskNames = catalog.tasks.map((t) => t.name);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'covsweep experiment',
    type: 'object',
    additionalProperties: false,
    required: ['name', 'task'],
    properties: {
      name: {
        type: 'string',
        pattern: NAME_PATTERN,
        description: `Experiment name, also its results folder runs/<name>/: ${NAME_RULE}.`,
      },
      description: {
        type: 'string',
        default: DEFAULTS.description,
        description: 'What the experiment is for.',
      },
      task: {
        type: 'object',
        description: 'The task to train and its options.',
        required: ['name'],
        properties: { name: { description: 'Task name.', enum: taskNames } },
      },
      ...settings(catalog),
      parameterization_modules: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', minLength: 1 },
        description:
          'ES modules (relative to the experiment file) whose parameterizations the experiment may name beside the built-in ones.',
      },
      max_runs: {
        type: 'integer',
        minimum: 1,
        default: DEFAULTS.max_runs,
        description: 'Most runs the sweep may expand to; a guard against typos in sweep sizes.',
      },
      sweep: { type: 'object', description: 'Settings to vary, by dotted path.' },
      zip: {
        type: 'array',
        description: RULES.zip,
        items: {
          type: 'array',
          description: 'Sweep axes with the same number of values, e.g. [lr.cov, lr.mean].',
          minItems: 2,
          items: { type: 'string' },
        },
      },
      exclude: { type: 'array', description: RULES.exclude },
      include: { type: 'array', description: RULES.include },
      depends: { type: 'object', description: RULES.depends },
      frontier: frontierSchema(),
      summary: summarySchema(),
    },
    definitions: { generator: GENERATOR, ...sharedAxes(catalog) },
    allOf: catalog.tasks.map((task) =>
      when(
        {
          type: 'object',
          required: ['task'],
          properties: {
            task: { type: 'object', required: ['name'], properties: { name: { const: task.name } } },
          },
        },
        {
          properties: {
            task: taskSchema(task),
            sweep: sweepSchema(catalog, task),
            ...ruleSchemas(catalog, task),
          },
        },
      ),
    ),
  };
}

/** The committed `schema/experiment.schema.json` text. */
export function schemaText(catalog: Catalog): string {
  return `${JSON.stringify(buildSchema(catalog), null, 2)}\n`;
}
