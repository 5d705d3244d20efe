/**
 * Checks that what a plugin module gives fits the contracts the built-ins implement (`Task`,
 * `Parameterization`), member by member, so that a module that does not fit is rejected when the
 * experiment is loaded with the list of what is missing, not halfway through a sweep.
 */

type Check = [member: string, ok: (v: unknown) => boolean, expected: string];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isFunction = (v: unknown) => typeof v === 'function';
const isString = (v: unknown) => typeof v === 'string' && v.length > 0;
const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const optional = (ok: (v: unknown) => boolean) => (v: unknown) => v === undefined || ok(v);
const mapOf = (ok: (v: unknown) => boolean) => (v: unknown) => isObject(v) && Object.values(v).every(ok);

const TASK: Check[] = [
  ['name', isString, 'a non-empty string'],
  ['options', mapOf(isObject), 'a map of option name -> JSON Schema'],
  ['defaults', isObject, 'a map of option name -> default value'],
  [
    'lr',
    (v) => isObject(v) && isNumber(v.cov) && isNumber(v.mean) && isNumber(v.weights),
    '{ cov, mean, weights } numbers',
  ],
  ['momentum', isNumber, 'a number'],
  ['steps', isFunction, 'a function (config) => number'],
  ['create', isFunction, 'a function (configs, parameterization, dataFile?) => TaskInstance'],
  ['dataPoints', optional(isFunction), 'a function, when given'],
  ['shapes', optional(isObject), 'a map, when given'],
  ['covariances', optional(Array.isArray), 'a list, when given'],
  ['labelled', optional((v) => typeof v === 'boolean'), 'true or false, when given'],
  ['above', optional(Array.isArray), 'a list, when given'],
];

const PARAMETERIZATION: Check[] = [
  ['name', isString, 'a non-empty string'],
  ['summary', (v) => typeof v === 'string', 'a string'],
  ['factorOf', (v) => v === 'covariance' || v === 'precision', '"covariance" or "precision"'],
  [
    'checks',
    (v) => v === 'cholesky-pivots' || v === 'factor-diagonal',
    '"cholesky-pivots" or "factor-diagonal"',
  ],
  ['rawShape', isFunction, 'a function (d) => number[]'],
  ['fromCovariance', isFunction, 'a function (sigma0, d) => Float64Array'],
  ['covariance', isFunction, 'a function (raw, d) => Float64Array'],
  ['factor', isFunction, 'a function (raw, d) => { factor, checks, counters? }'],
  [
    'options',
    optional((v) => isObject(v) && mapOf(isObject)(v.schema) && isFunction(v.with)),
    '{ schema, with }, when given',
  ],
  ['update', optional(isObject), '{ direction?, retract? }, when given'],
];

/** What is wrong with `value` as a `what` (one phrase per member), none when it fits. */
function misfits(value: unknown, checks: Check[], what: string): string[] {
  if (!isObject(value)) return [`the ${what} is not an object`];
  return checks.flatMap(([member, ok, expected]) =>
    ok(value[member])
      ? []
      : [`${member} ${value[member] === undefined ? 'is missing' : 'is wrong'} (expected ${expected})`],
  );
}

export const taskMisfits = (value: unknown) => misfits(value, TASK, 'task');
export const parameterizationMisfits = (value: unknown) =>
  misfits(value, PARAMETERIZATION, 'parameterization');
