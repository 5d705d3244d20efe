import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import type { Catalog } from '../engine/catalog.js';
import { type Problem, ProblemList } from '../ground/errors.js';
import type { JsonSchema } from '../ground/json-schema.js';
import { compileCached } from './compiled-schema.js';
import { buildSchema } from './schema.js';
import { NAME_PATTERN, NAME_RULE } from './settings.js';
import type { ConfigSource } from './source.js';
import { closest, listOf } from './suggest.js';

interface Compiled {
  ajv: () => Ajv;
  schema: JsonSchema;
  file: ValidateFunction;
  values: Map<string, ValidateFunction>;
}

// verbose: each error carries the schema that failed, which says what was expected.
// inlineRefs: false: the shared axis definitions compile once instead of once per task.
// code.source: the compiled file validator is kept as standalone code (compiled-schema.ts).
const OPTIONS: Options = {
  allErrors: true,
  strict: true,
  verbose: true,
  allowUnionTypes: true,
  inlineRefs: false,
  code: { source: true },
};

const compiledByCatalog = new WeakMap<Catalog, Compiled>();

const require = createRequire(import.meta.url);

/**
 * A new ajv compiler, loaded on first use: ajv takes a tenth of a second to load, and a file whose
 * schemas are all in the compile cache (compiled-schema.ts) needs only ajv's small runtime helpers.
 */
const newAjv = (): Ajv => new (require('ajv') as typeof import('ajv')).Ajv(OPTIONS);

function compiled(catalog: Catalog): Compiled {
  let entry = compiledByCatalog.get(catalog);
  if (!entry) {
    let instance: Ajv | undefined;
    const ajv = () => {
      instance ??= newAjv();
      return instance;
    };
    const schema = buildSchema(catalog);
    entry = { ajv, schema, file: compileCached(ajv, OPTIONS, schema), values: new Map() };
    compiledByCatalog.set(catalog, entry);
  }
  return entry;
}

/** Whether one value passes the schema of one setting; `key` names the schema for the compile cache. */
export function passes(catalog: Catalog, key: string, schema: JsonSchema, value: unknown): boolean {
  const { ajv, values } = compiled(catalog);
  let validate = values.get(key);
  if (!validate) {
    validate = compileCached(ajv, OPTIONS, schema);
    values.set(key, validate);
  }
  return validate(value);
}

/** Throws every way `data` breaks the experiment schema, one problem per error, each at its YAML node. */
export function validateFile(source: ConfigSource, data: unknown, catalog: Catalog): void {
  const { file, schema } = compiled(catalog);
  if (file(data)) return;
  const problems = new ProblemList();
  // A value of the wrong type fails both its axis's type and the type of the branch it falls into;
  // the first (outermost) says the most.
  const typed = new Set<string>();
  for (const error of file.errors ?? []) {
    if (error.keyword === 'type' && typed.size === typed.add(error.instancePath).size) continue;
    const problem = toProblem(error, { source, data, catalog, root: schema });
    if (problem) problems.add(problem);
  }
  problems.throwIfAny();
}

interface Context {
  source: ConfigSource;
  data: unknown;
  catalog: Catalog;
  root: JsonSchema;
}

const NOUN: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  null: 'null',
};

const BOUNDS = [
  ['minimum', '>='],
  ['exclusiveMinimum', '>'],
  ['maximum', '<='],
  ['exclusiveMaximum', '<'],
] as const;

/** What a schema accepts, in words: `an integer >= 1 and <= 256`, `one of "a" or "b"`. */
export function describeSchema(schema: JsonSchema): string {
  if (schema.enum) return `one of ${listOf(schema.enum)}`;
  if ('const' in schema) return JSON.stringify(schema.const);
  const types = [schema.type ?? []].flat();
  const noun = types.map((t) => NOUN[t] ?? t).join(' or ') || 'a value';
  const bounds = BOUNDS.filter(([k]) => typeof schema[k] === 'number').map(([k, op]) => `${op} ${schema[k]}`);
  return bounds.length > 0 ? `${noun} ${bounds.join(' and ')}` : noun;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const step of path) value = (value as Record<string, unknown> | undefined)?.[step];
  return value;
}

/** `"sweep.lr.cov[2]"`: dotted keys, list items by index. */
function labelOf(path: readonly string[], data: unknown): string {
  let label = '';
  path.forEach((step, i) => {
    label += Array.isArray(valueAt(data, path.slice(0, i))) ? `[${step}]` : i === 0 ? step : `.${step}`;
  });
  return `"${label}"`;
}

function where(path: readonly string[], data: unknown): string {
  return path.length === 0 ? 'at the top level' : `in ${labelOf(path, data)}`;
}

function toProblem(error: ErrorObject, ctx: Context): Problem | undefined {
  const { source, data } = ctx;
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const value = valueAt(data, path);
  const { node } = source.locate(path);
  const axis = path.length === 2 && path[0] === 'sweep' ? path[1] : undefined;
  const label = path.length === 0 ? 'the experiment' : axis ? `sweep axis "${axis}"` : labelOf(path, data);
  const schema = error.parentSchema as JsonSchema;
  const received = source.received(node, value);
  const about = schema.description ? `; ${schema.description}` : '';
  const length = Array.isArray(value) ? value.length : 0;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      // The failing branch has reported its own errors.
      return undefined;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const at = source.locate([...path, key]);
      return source.problem(at.key ?? at.node, unknownKey(key, path, schema, ctx));
    }
    case 'required': {
      const key = String(params.missingProperty);
      const wanted = schema.properties?.[key] ?? {};
      const hint = wanted.enum ? `one of ${listOf(wanted.enum)}` : wanted.description;
      return source.problem(node, `missing required key "${key}" ${where(path, data)}; add it (${hint})`);
    }
    case 'minItems':
      if (axis) return source.problem(node, `${label} is empty; give at least one value`);
      return source.problem(
        node,
        `${label} must have at least ${params.limit} items, received ${length}${about}`,
      );
    case 'maxItems':
    case 'additionalItems':
      return source.problem(
        node,
        `${label} must have at most ${params.limit} items, received ${length}${about}`,
      );
    case 'minProperties':
    case 'maxProperties':
      return source.problem(
        node,
        `${label} must be a map with one key, ${listOf(Object.keys(schema.properties ?? {}))}, received ${Object.keys(value as object).length} keys`,
      );
    case 'pattern': {
      const rule = params.pattern === NAME_PATTERN ? NAME_RULE : `a string matching ${params.pattern}`;
      return source.problem(node, `${label} must be ${rule}, received ${received}`);
    }
    case 'type':
      if (axis) return source.problem(node, `${label} must be ${axisForms(schema)}, received ${received}`);
      if (value === null) {
        return source.problem(
          node,
          `${label} must be ${describeSchema(schema)}, received ${received}; fill it in or remove the key`,
        );
      }
      return source.problem(node, `${label} must be ${describeSchema(schema)}, received ${received}`);
    case 'enum': {
      const guess = typeof value === 'string' ? closest(value, (schema.enum ?? []).map(String)) : undefined;
      const fix = guess ? `; did you mean "${guess}"?` : '';
      return source.problem(node, `${label} must be ${describeSchema(schema)}, received ${received}${fix}`);
    }
    case 'const':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return source.problem(node, `${label} must be ${describeSchema(schema)}, received ${received}`);
    default:
      return source.problem(node, `${label} ${error.message ?? 'is invalid'}, received ${received}`);
  }
}

function axisForms(schema: JsonSchema): string {
  const types = [schema.type ?? []].flat();
  if (!types.includes('object')) return 'a list of values';
  const generators = '{range: [start, stop, step]}, {linspace: [a, b, n]}';
  if (types.includes('integer')) return `a list of values, ${generators}, {logspace: [a, b, n]} or a count`;
  return `a list of values, ${generators} or {logspace: [a, b, n]}`;
}

function taskOf(ctx: Context) {
  const name = (valueAt(ctx.data, ['task', 'name']) as string | undefined) ?? '';
  return ctx.catalog.tasks.find((t) => t.name === name);
}

function unknownKey(key: string, path: readonly string[], schema: JsonSchema, ctx: Context): string {
  const allowed = Object.keys(schema.properties ?? {});
  if (path.length === 1 && path[0] === 'sweep') return unsweepable(key, allowed, ctx);
  const task = path.length === 1 && path[0] === 'task' ? taskOf(ctx) : undefined;
  const place = task ? `for task "${task.name}"` : where(path, ctx.data);
  const guess = closest(key, allowed);
  let fix = guess ? `did you mean "${guess}"?` : `valid keys: ${allowed.join(', ')}`;
  if (!guess && path.length > 0 && Object.hasOwn(ctx.root.properties ?? {}, key)) {
    fix = `"${key}" is a top-level setting; move it out of ${labelOf(path, ctx.data)}`;
  } else if (!guess && path.length === 0 && Object.hasOwn(taskOf(ctx)?.options ?? {}, key)) {
    fix = `"${key}" is a task option; move it under "task"`;
  } else if (!guess && path.length === 0 && key.includes('.')) {
    const [head, ...rest] = key.split('.');
    fix = `dotted paths are for sweep keys; nest it as ${head}: {${rest.join('.')}: ...}`;
  }
  return `unknown key "${key}" ${place}; ${fix}`;
}

function unsweepable(key: string, allowed: readonly string[], ctx: Context): string {
  const task = taskOf(ctx);
  if (key === 'name' || key === 'task.name') {
    return `cannot sweep "${key}": an experiment has one ${key === 'name' ? 'name' : 'task'}; write one experiment per ${key === 'name' ? 'name' : 'task'}, as YAML documents of one file separated by "---"`;
  }
  const option = key.startsWith('task.') ? key.slice(5) : undefined;
  if (option && task && Object.hasOwn(task.options, option)) {
    return `cannot sweep "${key}": only settings holding one number, string or boolean can be swept; set it under "task"`;
  }
  const parts = allowed.filter((p) => p.startsWith(`${key}.`));
  if (parts.length > 0) return `cannot sweep "${key}" as a whole; sweep its settings: ${listOf(parts)}`;
  const what = option && task ? `task "${task.name}" has no option "${option}"` : 'no such setting';
  const guess = closest(key, allowed);
  return `cannot sweep "${key}": ${what}; ${guess ? `did you mean "${guess}"?` : `sweepable: ${allowed.join(', ')}`}`;
}
