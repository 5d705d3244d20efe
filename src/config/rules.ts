/**
 * The sweep grammar beyond every combination: `zip` (axes that move together), `exclude`
 * (combinations to leave out), `include` (runs to add) and `depends` (a setting given per value of
 * an axis). The schema has checked each value against its setting; this checks how the rules fit
 * the sweep, and builds the sweep's space (src/plan/space.ts) with the runs each rule leaves.
 */

import type { ProblemList } from '../ground/errors.js';
import { configWith, settingAt } from '../plan/expand.js';
import { runId } from '../plan/ids.js';
import { exclude as excludeCombos, picksOfDigits, positionOf, type Rule } from '../plan/space.js';
import type {
  Dependent,
  OptimizerConfig,
  RunConfig,
  SweepAxis,
  SweepDim,
  SweepSpace,
  SweepValue,
} from '../types.js';
import { type ConfigSource, describeValue } from './source.js';
import { closest, listOf } from './suggest.js';

/** The rules as the schema admits them. */
export interface SweepRulesFile {
  zip?: string[][];
  exclude?: Record<string, SweepValue | SweepValue[]>[];
  include?: Record<string, SweepValue>[];
  depends?: Record<string, { on: string; values: Record<string, SweepValue> }>;
}

interface Context {
  source: ConfigSource;
  problems: ProblemList;
  base: RunConfig;
  /** Every optimizer's settings the runs use, for `configWith`. */
  optimizers: OptimizerConfig[];
  maxRuns: number;
}

/** The space of a sweep without rules: every combination of the axes. */
export function plainSpace(axes: readonly SweepAxis[]): SweepSpace {
  return {
    dims: axes.map((a) => ({ paths: [a.path], values: a.values.map((v) => [v]) })),
    cut: 0,
    depends: [],
    include: [],
    effects: [{ rule: 'every combination of the axes', runs: product(axes) }],
  };
}

const product = (axes: readonly SweepAxis[]) => axes.reduce((n, a) => n * a.values.length, 1);

/**
 * The space of the sweep under the file's rules, and its axes (a zipped axis lists each of its
 * values once, for tables). Problems go to `ctx.problems`; a rule with a problem is left out.
 */
export function resolveSpace(
  rules: SweepRulesFile,
  axes: readonly SweepAxis[],
  ctx: Context,
): { space: SweepSpace; axes: SweepAxis[] } {
  const { source, problems } = ctx;
  const node = (...path: (string | number)[]) => source.locate(path.map(String)).node;
  const keyNode = (...path: (string | number)[]) => {
    const at = source.locate(path.map(String));
    return at.key ?? at.node;
  };
  const report = (at: Parameters<ConfigSource['problem']>[0], message: string) =>
    problems.add(source.problem(at, message));
  const swept = new Map(axes.map((a) => [a.path, a]));
  const sweptPaths = axes.map((a) => a.path);
  const suggest = (path: string) => {
    const guess = closest(path, sweptPaths);
    return guess ? `did you mean "${guess}"?` : `the sweep axes are ${listOf(sweptPaths)}`;
  };

  const groups = zipGroups(rules.zip ?? [], swept, { node, report, suggest });
  const dims: SweepDim[] = [];
  for (const axis of axes) {
    const g = groups.findIndex((group) => group.includes(axis.path));
    if (g < 0) dims.push({ paths: [axis.path], values: axis.values.map((v) => [v]) });
    else if (groups[g][0] === axis.path) {
      const members = groups[g].map((p) => swept.get(p)!.values);
      const values = members[0].map((_, k) => members.map((m) => m[k]));
      const seen = new Map<string, number>();
      values.forEach((tuple, k) => {
        const key = JSON.stringify(tuple);
        const earlier = seen.get(key);
        if (earlier === undefined) seen.set(key, k);
        else if (earlier >= 0) {
          report(
            node('zip', g),
            `zip[${g}] pairs the same values (${tuple.map(describeValue).join(', ')}) at positions ${earlier} and ${k}; list each combination once`,
          );
          seen.set(key, -1);
        }
      });
      dims.push({ paths: groups[g], values });
    }
  }
  const zipped = new Set(groups.flat());
  const shownAxes = axes.map((a) =>
    zipped.has(a.path) ? { path: a.path, values: [...new Set(a.values)] } : a,
  );

  const depends = dependents(rules.depends ?? {}, swept, { node, keyNode, report, suggest });

  // Exclude rules, as masks over the dims they constrain.
  const masks: Rule[] = [];
  const ruleOf: number[] = [];
  (rules.exclude ?? []).forEach((entry, r) => {
    const paths = Object.keys(entry);
    if (paths.length === 0) {
      report(
        node('exclude', r),
        `exclude[${r}] is empty, so it would match every run; name the settings and values to leave out`,
      );
      return;
    }
    const rule = new Map<number, boolean[]>();
    let ok = true;
    for (const path of paths) {
      const d = dims.findIndex((dim) => dim.paths.includes(path));
      if (d < 0) {
        ok = false;
        const on = rules.depends?.[path]?.on;
        report(
          keyNode('exclude', r, path),
          on
            ? `exclude[${r}] names "${path}", which depends on "${on}"; exclude by "${on}" instead`
            : `exclude[${r}] names "${path}", which is not swept; exclude rules match sweep axes: ${sweptPaths.join(', ')}`,
        );
        continue;
      }
      const taken = swept.get(path)!.values;
      const given = entry[path];
      const wanted = [given].flat();
      wanted.forEach((value, w) => {
        if (taken.includes(value)) return;
        ok = false;
        const guess = typeof value === 'string' ? closest(value, taken.map(String)) : undefined;
        report(
          node('exclude', r, path, ...(Array.isArray(given) ? [w] : [])),
          `exclude[${r}] "${path}" ${describeValue(value)} is not a value of the sweep axis (${listOf(taken)}); ${guess ? `did you mean "${guess}"?` : 'use one of its values'}`,
        );
      });
      const j = dims[d].paths.indexOf(path);
      const matches = rule.get(d) ?? dims[d].values.map(() => true);
      dims[d].values.forEach((tuple, k) => {
        matches[k] &&= wanted.includes(tuple[j]);
      });
      rule.set(d, matches);
    }
    if (!ok) return;
    masks.push([...rule].map(([dim, matches]) => ({ dim, matches })));
    ruleOf.push(r);
  });
  const excluded = excludeCombos(dims, masks);
  excluded.matched.forEach((matched, m) => {
    if (matched) return;
    report(
      node('exclude', ruleOf[m]),
      `exclude[${ruleOf[m]}] matches no run: its zipped settings never take these values together; name values that are paired in the zip`,
    );
  });
  const space: SweepSpace = {
    dims,
    cut: excluded.cut,
    kept: excluded.kept,
    depends,
    include: [],
    effects: [{ rule: 'every combination of the axes', runs: product(axes) }],
  };
  let runs = product(axes);
  for (const group of groups) {
    runs /= swept.get(group[0])!.values.length ** (group.length - 1);
    space.effects.push({ rule: `zip ${group.join(', ')}`, runs });
  }
  excluded.removed.forEach((removed, m) => {
    runs -= removed;
    space.effects.push({ rule: `exclude[${ruleOf[m]}] ${describeRule(rules.exclude![ruleOf[m]])}`, runs });
  });
  if (masks.length > 0 && runs === 0) {
    report(keyNode('exclude'), 'the exclude rules leave no run of the sweep; remove or narrow some of them');
  }
  for (const dep of depends)
    space.effects.push({
      rule: `depends ${dep.path} on ${dep.on} (${Object.entries(dep.values)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')})`,
      runs,
    });

  space.include = included(rules.include ?? [], space, ctx, { node, report });
  if (space.include.length > 0) {
    runs += space.include.length;
    space.effects.push({ rule: `include ${space.include.length}`, runs });
    if (runs > ctx.maxRuns) {
      report(
        keyNode('include'),
        `with its included runs the sweep has ${runs} runs, more than max_runs (${ctx.maxRuns}); include fewer, or set "max_runs: ${runs}"`,
      );
    }
  }
  return { space, axes: shownAxes };
}

type Locate = (...path: (string | number)[]) => ReturnType<ConfigSource['locate']>['node'];
type Report = (at: Parameters<ConfigSource['problem']>[0], message: string) => void;

/** The zip groups that fit the sweep, each in sweep order. */
function zipGroups(
  zip: readonly string[][],
  swept: Map<string, SweepAxis>,
  { node, report, suggest }: { node: Locate; report: Report; suggest: (path: string) => string },
): string[][] {
  const claimed = new Map<string, number>();
  const order = [...swept.keys()];
  const groups: string[][] = [];
  zip.forEach((group, g) => {
    let ok = true;
    group.forEach((path, j) => {
      const earlier = claimed.get(path);
      if (!swept.has(path)) {
        report(node('zip', g, j), `zip[${g}] names "${path}", which is not a sweep axis; ${suggest(path)}`);
      } else if (earlier !== undefined) {
        const where = earlier === g ? 'twice in it' : `in zip[${earlier}] too`;
        report(
          node('zip', g, j),
          `zip[${g}] names "${path}" ${where}; an axis moves with one group, named once`,
        );
      } else {
        claimed.set(path, g);
        return;
      }
      ok = false;
    });
    if (!ok) return;
    const lengths = group.map((p) => swept.get(p)!.values.length);
    if (lengths.some((n) => n !== lengths[0])) {
      report(
        node('zip', g),
        `zip[${g}] pairs axes of different lengths (${group.map((p, j) => `"${p}" ${lengths[j]}`).join(', ')}); zipped axes move together, so give each the same number of values`,
      );
      return;
    }
    groups.push([...group].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  });
  return groups;
}

/** The `depends` settings that fit the sweep: on a sweep axis, with one value for each of its values. */
function dependents(
  depends: NonNullable<SweepRulesFile['depends']>,
  swept: Map<string, SweepAxis>,
  ctx: { node: Locate; keyNode: Locate; report: Report; suggest: (path: string) => string },
): Dependent[] {
  const { node, keyNode, report, suggest } = ctx;
  const found: Dependent[] = [];
  for (const [path, { on, values }] of Object.entries(depends)) {
    if (swept.has(path)) {
      report(
        keyNode('depends', path),
        `"${path}" is both swept and set by depends; remove it from one of them`,
      );
      continue;
    }
    const axis = swept.get(on);
    if (!axis) {
      report(
        node('depends', path, 'on'),
        `depends "${path}" is on "${on}", which is not a sweep axis; ${suggest(on)}`,
      );
      continue;
    }
    const keys = axis.values.map(String);
    const extra = Object.keys(values).filter((k) => !keys.includes(k));
    for (const k of extra) {
      report(
        keyNode('depends', path, 'values', k),
        `depends "${path}" gives a value for ${on} ${k}, which the "${on}" axis does not take (${keys.join(', ')}); remove it`,
      );
    }
    const missing = keys.filter((k) => !Object.hasOwn(values, k));
    if (missing.length > 0) {
      report(
        keyNode('depends', path, 'values'),
        `depends "${path}" gives no value for ${on} ${missing.join(', ')}; add ${missing.map((k) => `"${k}: ..."`).join(', ')}`,
      );
    }
    if (extra.length === 0 && missing.length === 0) found.push({ path, on, values });
  }
  return found;
}

/** The included runs as settings over the base, depends applied; each must be a new run. */
function included(
  include: NonNullable<SweepRulesFile['include']>,
  space: SweepSpace,
  ctx: Context,
  { node, report }: { node: Locate; report: Report },
): [string, SweepValue][][] {
  const runs: [string, SweepValue][][] = [];
  const ids = new Map<string, number>();
  include.forEach((entry, t) => {
    const picks: [string, SweepValue][] = Object.entries(entry);
    for (const dep of space.depends) {
      if (Object.hasOwn(entry, dep.path)) continue;
      const given = Object.hasOwn(entry, dep.on);
      const on = given ? entry[dep.on] : (settingAt(ctx.base, dep.on) as SweepValue);
      const value = dep.values[String(on)];
      if (value === undefined) {
        report(
          node('include', t),
          `include[${t}] has ${dep.on} ${on}${given ? '' : ' (the fixed value: it does not name it)'}, for which depends "${dep.path}" gives no value; set "${dep.path}" in it, or add ${on} to depends`,
        );
        return;
      }
      picks.push([dep.path, value]);
    }
    const config = configWith(ctx, picks);
    const id = runId(config);
    const twin = ids.get(id);
    if (twin !== undefined) {
      report(node('include', t), `include[${t}] is the same run as include[${twin}]; remove one`);
      return;
    }
    const digits = space.dims.map((dim) =>
      dim.values.findIndex((tuple) => dim.paths.every((p, j) => tuple[j] === settingAt(config, p))),
    );
    const at = digits.every((d) => d >= 0) ? positionOf(space, digits) : -1;
    if (at >= 0 && runId(configWith(ctx, picksOfDigits(space, digits))) === id) {
      report(node('include', t), `include[${t}] is already run ${at} of the sweep (id ${id}); remove it`);
      return;
    }
    ids.set(id, t);
    runs.push(picks);
  });
  return runs;
}

/** `parameterization full, lr.cov 0.01 or 0.1`, for the plan. */
function describeRule(entry: Record<string, SweepValue | SweepValue[]>): string {
  return Object.entries(entry)
    .map(([path, v]) => `${path} ${[v].flat().map(String).join(' or ')}`)
    .join(', ');
}

/**
 * Every setting the runs vary, with the values it takes: the axes, the dependent settings, and
 * what the included runs set (with the fixed value beside it). What checks of the fixed settings
 * against the varying ones (shapes, bounds) must look at.
 */
export function variedSettings(axes: readonly SweepAxis[], space: SweepSpace, base: RunConfig): SweepAxis[] {
  const values = new Map(axes.map((a) => [a.path, [...a.values]]));
  const add = (path: string, value: SweepValue) => {
    let list = values.get(path);
    if (!list) {
      list = [settingAt(base, path) as SweepValue];
      values.set(path, list);
    }
    if (!list.includes(value)) list.push(value);
  };
  for (const dep of space.depends) {
    values.set(dep.path, [...new Set(Object.values(dep.values))]);
  }
  for (const picks of space.include) for (const [path, value] of picks) add(path, value);
  return [...values].map(([path, list]) => ({ path, values: list }));
}
