import { formatValue } from '../ground/format.js';
import type { RunConfig, RunResult } from '../types.js';
import { fisherExact } from './stats.js';

/** A run whose outcome differs between the baseline and the current results. */
export interface RunChange {
  id: string;
  /** Its configuration's label (every setting that varies but the seed). */
  configuration: string;
  baseline: RunResult;
  current: RunResult;
  /** ok -> failed, failed -> ok, or one failure became another (singular -> diverged). */
  kind: 'regressed' | 'improved' | 'changed';
}

/** Failed runs out of all runs of one configuration on one side. */
export interface Count {
  failed: number;
  runs: number;
}

/** One configuration (all settings but the seed) present on both sides: its failure counts and their test. */
export interface CellChange {
  configuration: string;
  baseline: Count;
  current: Count;
  /** Two-sided p-value of Fisher's exact test of the two failure counts. */
  p: number;
  /** p < alpha: `worse` is a regression. */
  significant: boolean;
  direction: 'worse' | 'better' | 'same';
}

export interface Comparison {
  alpha: number;
  /** Whether a single run going from ok to failed counts as a regression. */
  strict: boolean;
  regression: boolean;
  /**
   * The current results lack runs the baseline has (an interrupted sweep, another shard), and
   * `allowMissing` was not given: they cannot show that nothing regressed, so this fails too.
   */
  incomplete: boolean;
  runs: {
    compared: number;
    regressed: RunChange[];
    improved: RunChange[];
    changed: RunChange[];
    onlyBaseline: RunResult[];
    onlyCurrent: RunResult[];
  };
  /** Every configuration on both sides, in the current results' order. */
  cells: CellChange[];
  cellsOnlyBaseline: string[];
  cellsOnlyCurrent: string[];
  /** The configuration name of any run of either side. */
  configurationOf(config: RunConfig): string;
}

export interface CompareOptions {
  /** Significance level of the per-configuration test. @default 0.05 */
  alpha?: number;
  /** Count any run that went from ok to failed as a regression. @default false */
  strict?: boolean;
  /** Compare what both sides have even when the current side lacks runs of the baseline. @default false */
  allowMissing?: boolean;
}

/** Every leaf of a config as [dotted path, value]. */
function leaves(node: unknown, path = ''): [string, unknown][] {
  if (node && typeof node === 'object' && !Array.isArray(node))
    return Object.entries(node).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [[path, node]];
}

/**
 * Configurations are the sweep's points, seeds their replicates. A configuration is keyed by the
 * exact values of the settings that vary across both sides' runs (seed aside) and named by them,
 * rounded: "tril · lr.cov 0.001".
 */
function configurations(all: readonly RunResult[]) {
  const seen = new Map<string, Set<string>>();
  for (const r of all)
    for (const [path, v] of leaves(r.config)) {
      const values = seen.get(path) ?? new Set();
      values.add(JSON.stringify(v));
      seen.set(path, values);
    }
  const varying = [...seen].filter(([p, vs]) => p !== 'seed' && vs.size > 1).map(([p]) => p);
  const valuesOf = (c: RunConfig) => {
    const values = new Map(leaves(c));
    return varying.map((p) => [p, values.get(p)] as const);
  };
  return {
    key: (c: RunConfig) => JSON.stringify(valuesOf(c).map(([, v]) => v)),
    name: (c: RunConfig) =>
      valuesOf(c)
        .map(([p, v]) => (p === 'parameterization' ? String(v) : `${p} ${formatValue(v)}`))
        .join(' · ') || 'all runs',
  };
}

const failed = (r: RunResult) => r.outcome !== 'ok';

/**
 * Compares two sets of results: run by run (matched by id, which is the hash of the run's whole
 * config) and configuration by configuration (every setting but the seed), where a change in the
 * failure rate is flagged only when Fisher's exact test finds it significant, so that a few seeds
 * flipping does not page anyone. A regression is a configuration that fails significantly more
 * often (with `strict`, also any single run that went from ok to failed).
 */
export function compareResults(
  baseline: readonly RunResult[],
  current: readonly RunResult[],
  options: CompareOptions = {},
): Comparison {
  const alpha = options.alpha ?? 0.05;
  const strict = options.strict ?? false;
  const { key, name } = configurations([...baseline, ...current]);
  const before = new Map(baseline.map((r) => [r.id, r]));
  const nowIds = new Set(current.map((r) => r.id));
  const changes: RunChange[] = [];
  let compared = 0;
  for (const r of current) {
    const b = before.get(r.id);
    if (!b) continue;
    compared++;
    if (b.outcome === r.outcome) continue;
    const kind = failed(r) === failed(b) ? 'changed' : failed(r) ? 'regressed' : 'improved';
    changes.push({ id: r.id, configuration: name(r.config), baseline: b, current: r, kind });
  }

  /** Failure counts and name of each configuration, by key. */
  const counts = (results: readonly RunResult[]) => {
    const m = new Map<string, Count & { name: string }>();
    for (const r of results) {
      const c = m.get(key(r.config)) ?? { failed: 0, runs: 0, name: name(r.config) };
      c.runs++;
      if (failed(r)) c.failed++;
      m.set(key(r.config), c);
    }
    return m;
  };
  const was = counts(baseline);
  const now = counts(current);
  const cells: CellChange[] = [];
  for (const [k, { name: configuration, ...c }] of now) {
    const b = was.get(k);
    if (!b) continue;
    const p = fisherExact(b.failed, b.runs - b.failed, c.failed, c.runs - c.failed);
    const delta = c.failed / c.runs - b.failed / b.runs;
    const direction = delta > 0 ? 'worse' : delta < 0 ? 'better' : 'same';
    const base = { failed: b.failed, runs: b.runs };
    cells.push({ configuration, baseline: base, current: c, p, significant: p < alpha, direction });
  }

  const regressed = changes.filter((c) => c.kind === 'regressed');
  const onlyBaseline = baseline.filter((r) => !nowIds.has(r.id));
  return {
    alpha,
    strict,
    incomplete: onlyBaseline.length > 0 && !options.allowMissing,
    regression:
      cells.some((c) => c.significant && c.direction === 'worse') || (strict && regressed.length > 0),
    runs: {
      compared,
      regressed,
      improved: changes.filter((c) => c.kind === 'improved'),
      changed: changes.filter((c) => c.kind === 'changed'),
      onlyBaseline,
      onlyCurrent: current.filter((r) => !before.has(r.id)),
    },
    cells,
    cellsOnlyBaseline: [...was].filter(([k]) => !now.has(k)).map(([, c]) => c.name),
    cellsOnlyCurrent: [...now].filter(([k]) => !was.has(k)).map(([, c]) => c.name),
    configurationOf: name,
  };
}
