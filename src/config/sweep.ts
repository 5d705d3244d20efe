import type { Catalog, CatalogTask } from '../engine/catalog.js';
import type { ProblemList } from '../ground/errors.js';
import type { SweepAxis } from '../types.js';
import { sweepablePaths } from './settings.js';
import type { ConfigSource } from './source.js';
import { describeSchema, passes } from './validate.js';

export type SweepValue = number | string | boolean;

/** An axis as written in the file (already schema-checked): a list, a generator, or a seed count. */
export type AxisSpec =
  | readonly SweepValue[]
  | { range: readonly [number, number, number?] }
  | { linspace: readonly [number, number, number] }
  | { logspace: readonly [number, number, number] }
  | number;

/**
 * Generated floats keep 12 significant digits, so that `logspace: [1e-5, 1e-2, 7]` holds exactly
 * 0.001 rather than 0.0010000000000000002, and run ids and table headers stay readable. Integers
 * are left alone: they are exact already, and big seeds have more than 12 digits.
 */
// Array.isArray does not narrow readonly arrays out of a union.
const isList = (spec: AxisSpec): spec is readonly SweepValue[] => Array.isArray(spec);

export function canonical(x: number): number {
  return Number.isInteger(x) ? x + 0 : Number(x.toPrecision(12)) + 0;
}

/** How many values an axis holds, without building them (a typo can ask for billions); NaN for step 0. */
export function axisLength(spec: AxisSpec): number {
  if (typeof spec === 'number') return spec;
  if (isList(spec)) return spec.length;
  if ('range' in spec) {
    const [start, stop, step = 1] = spec.range;
    return step === 0 ? Number.NaN : Math.max(0, Math.ceil(canonical((stop - start) / step)));
  }
  return 'linspace' in spec ? spec.linspace[2] : spec.logspace[2];
}

/** The values of an axis, in order. Pure; `range` with step 0 throws a RangeError. */
export function expandAxis(spec: AxisSpec): SweepValue[] {
  const n = axisLength(spec);
  if (Number.isNaN(n)) throw new RangeError('range step must not be 0');
  const index = Array.from({ length: n }, (_, i) => i);
  if (typeof spec === 'number') return index;
  if (isList(spec)) return [...spec];
  if ('range' in spec) {
    const [start, , step = 1] = spec.range;
    return index.map((i) => canonical(start + i * step));
  }
  const log = 'logspace' in spec;
  const [a, b] = log ? spec.logspace : spec.linspace;
  // The ends are the user's own numbers, kept exactly as written.
  if (n === 1) return [a];
  const [from, to] = log ? [Math.log10(a), Math.log10(b)] : [a, b];
  return index.map((i) => {
    if (i === 0) return a;
    if (i === n - 1) return b;
    const x = from + ((to - from) * i) / (n - 1);
    return canonical(log ? 10 ** x : x);
  });
}

function firstRepeat(values: readonly SweepValue[]): SweepValue | undefined {
  const seen = new Set<SweepValue>();
  for (const value of values) {
    if (seen.has(value)) return value;
    seen.add(value);
  }
  return undefined;
}

function generatorName(spec: AxisSpec): string | undefined {
  if (typeof spec === 'number' || isList(spec)) return undefined;
  return Object.keys(spec)[0];
}

/**
 * The file's sweep as axes in file order, every value checked against the setting it addresses.
 * Problems (empty axes, bad generated values, repeats, too many runs) go to `problems`. Axes of
 * one `zip` group count once towards the runs, and may repeat values (their pairs must not).
 */
export function resolveAxes(
  sweep: Record<string, AxisSpec>,
  zip: readonly (readonly string[])[],
  maxRuns: number,
  context: { source: ConfigSource; catalog: Catalog; task: CatalogTask; problems: ProblemList },
): SweepAxis[] {
  const { source, catalog, task, problems } = context;
  const entries = Object.entries(sweep);
  const groupOf = (path: string) => zip.find((group) => group.includes(path));
  const zipped = new Set(zip.flat());
  const at = (path: string) => source.locate(['sweep', path]).node;
  const lengths = entries.map(([, spec]) => axisLength(spec));
  entries.forEach(([path], i) => {
    const wrong = Number.isNaN(lengths[i])
      ? 'has range step 0; use a step that goes from start toward stop'
      : lengths[i] === 0
        ? "is empty; give at least one value (check the range's start, stop and step)"
        : undefined;
    if (wrong) problems.add(source.problem(at(path), `sweep axis "${path}" ${wrong}`));
  });
  if (lengths.some((n) => !(n > 0))) return [];
  const factors: [string, number][] = [];
  entries.forEach(([path], i) => {
    const group = groupOf(path)?.filter((p) => Object.hasOwn(sweep, p));
    if (!group || group.length < 2) factors.push([path, lengths[i]]);
    else if (entries.findIndex(([p]) => group.includes(p)) === i) {
      const n = Math.max(...group.map((p) => axisLength(sweep[p])));
      factors.push([group.join('+'), n]);
    }
  });
  const runs = factors.reduce((a, [, n]) => a * n, 1);
  if (runs > maxRuns) {
    const counts = factors.map(([path, n]) => `${path} ${n}`).join(' x ');
    problems.add(
      source.problem(
        source.locate(['sweep']).node,
        `the sweep expands to ${runs} runs (${counts}), more than max_runs (${maxRuns}); sweep fewer values, or set "max_runs: ${runs}" if you mean it`,
      ),
    );
    return [];
  }
  const schemas = sweepablePaths(catalog, task);
  return entries.map(([path, spec]) => {
    const values = expandAxis(spec);
    const generator = generatorName(spec);
    const schema = schemas.get(path)!;
    // Listed values were checked by the schema, each at its own node; generated ones are checked here.
    const bad = generator
      ? values.find((v) => !passes(catalog, `${task.name}/${path}`, schema, v))
      : undefined;
    if (bad !== undefined) {
      problems.add(
        source.problem(
          at(path),
          `sweep axis "${path}" generates ${bad}, but "${path}" must be ${describeSchema(schema)}; change the ${generator}`,
        ),
      );
    }
    const repeated = zipped.has(path) ? undefined : firstRepeat(values);
    if (repeated !== undefined) {
      problems.add(
        source.problem(
          at(path),
          `sweep axis "${path}" has ${JSON.stringify(repeated)} more than once; list each value once`,
        ),
      );
    }
    return { path, values };
  });
}
