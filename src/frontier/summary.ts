/**
 * What the frontier reports show: each search's bracket (frontier.jsonl), and per combination of
 * the swept settings the critical value over seeds (summary.md, tables/frontier.csv, report.html).
 */

import { settingAt } from '../plan/expand.js';
import type { Experiment, FrontierSpec, RunResult } from '../types.js';
import { byId, replay, type SearchState } from './replay.js';

export type FrontierExperiment = Experiment & { frontier: FrontierSpec };

/** One line of frontier.jsonl: a search's raw bracket. `null` is an end the search did not find. */
export interface FrontierRecord {
  search: number;
  /** The swept settings of the search (seed included). */
  settings: Record<string, unknown>;
  setting: string;
  /** Largest ok value below the first failure; null when min failed. */
  ok: number | null;
  /** Smallest failing value; null when nothing failed up to max. */
  failed: number | null;
  /** How the run at `failed` ended. */
  outcome: string | null;
  /** Ok values above the first failure (non-monotone stability). */
  ok_above: number[];
  rounds: number;
  runs: number;
  /** The search reached its precision or a bound (false: the session was stopped first). */
  done: boolean;
  ok_id: string | null;
  failed_id: string | null;
}

export function frontierRecords(e: FrontierExperiment, results: readonly RunResult[]): FrontierRecord[] {
  const paths = e.axes.map((a) => a.path);
  return replay(e, byId(results)).searches.map((s) => {
    const at = (v: number | undefined) =>
      s.tested.find((r) => settingAt(r.config, e.frontier.setting) === v)?.id ?? null;
    return {
      search: s.index,
      settings: Object.fromEntries(paths.map((p) => [p, settingAt(s.base, p)])),
      setting: e.frontier.setting,
      ok: s.bracket.ok ?? null,
      failed: s.bracket.failed ?? null,
      outcome: s.bracket.outcome ?? null,
      ok_above: s.bracket.okAbove,
      rounds: s.rounds,
      runs: s.tested.length,
      done: s.done,
      ok_id: at(s.bracket.ok),
      failed_id: at(s.bracket.failed),
    };
  });
}

/**
 * A search's critical value: the largest ok value below the first failure, -Infinity when the
 * frontier is below min (min failed), +Infinity when above max (nothing failed).
 */
function critical(s: SearchState): number {
  if (s.bracket.ok === undefined) return Number.NEGATIVE_INFINITY;
  return s.bracket.failed === undefined ? Number.POSITIVE_INFINITY : s.bracket.ok;
}

/**
 * The q-quantile of sorted critical values, interpolated in log (they span decades). A quantile
 * next to a value outside the range is outside it too: it is only known to be beyond the bound.
 */
function logQuantile(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const [lo, hi] = [sorted[Math.floor(at)], sorted[Math.ceil(at)]];
  if (!Number.isFinite(lo)) return lo;
  if (!Number.isFinite(hi)) return hi;
  return Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * (at - Math.floor(at)));
}

/** The frontier over the seeds of one combination of the other swept settings. */
export interface FrontierRow {
  /** The combination: every swept setting but seed, in sweep order. */
  settings: [string, unknown][];
  searches: number;
  /** Searches that finished (the others were stopped). */
  done: number;
  /** Median and 10%/90% quantiles of the critical value over seeds; +-Infinity beyond the bounds. */
  median: number;
  p10: number;
  p90: number;
  /** Seeds whose frontier is below min, above max. */
  belowMin: number;
  aboveMax: number;
  /** Outcomes at the first failure, by count (most first). */
  kinds: [string, number][];
  /** Seeds whose search saw an ok value above its first failure. */
  nonMonotone: number;
}

/** The rows of the frontier table, one per combination of the swept settings but seed, in sweep order. */
export function frontierRows(e: FrontierExperiment, results: readonly RunResult[]): FrontierRow[] {
  const paths = e.axes.map((a) => a.path).filter((p) => p !== 'seed');
  const groups = new Map<string, SearchState[]>();
  for (const s of replay(e, byId(results)).searches) {
    // Searches that never completed a round have nothing to say.
    if (s.rounds === 0) continue;
    const key = JSON.stringify(paths.map((p) => settingAt(s.base, p)));
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((searches) => {
    const values = searches.map(critical).sort((x, y) => x - y);
    const kinds = new Map<string, number>();
    for (const s of searches)
      if (s.bracket.outcome) kinds.set(s.bracket.outcome, (kinds.get(s.bracket.outcome) ?? 0) + 1);
    return {
      settings: paths.map((p) => [p, settingAt(searches[0].base, p)]),
      searches: searches.length,
      done: searches.filter((s) => s.done).length,
      median: logQuantile(values, 0.5),
      p10: logQuantile(values, 0.1),
      p90: logQuantile(values, 0.9),
      belowMin: values.filter((v) => v === Number.NEGATIVE_INFINITY).length,
      aboveMax: values.filter((v) => v === Number.POSITIVE_INFINITY).length,
      kinds: [...kinds].sort((a, b) => b[1] - a[1]),
      nonMonotone: searches.filter((s) => s.bracket.okAbove.length > 0).length,
    };
  });
}
