/**
 * One frontier search as pure functions of what it has seen: which values to test next, and the
 * bracket those values give. No engine, no I/O: the session feeds it run outcomes, the reports
 * replay it from results.jsonl, and the tests from synthetic oracles.
 */

import { canonical } from '../config/sweep.js';
import type { FrontierSpec, Outcome } from '../types.js';

/** A value of the searched setting and how the run at it ended. */
export interface Tested {
  value: number;
  outcome: Outcome;
}

/**
 * Where a search stands. Stability is read from below: `failed` is the smallest value that
 * failed, `ok` the largest ok value below it, so every value tested below `failed` ended ok.
 */
export interface Bracket {
  /** Largest ok value below the first failure; undefined when `min` itself failed. */
  ok?: number;
  /** Smallest value that failed; undefined when every value ended ok (the frontier is above `max`). */
  failed?: number;
  /** How the run at `failed` ended. */
  outcome?: Exclude<Outcome, 'ok'>;
  /** Values above `failed` that ended ok: stability that is not monotone in the setting. */
  okAbove: number[];
}

/** `count` values from `a` to `b` evenly spaced in log, `a` and `b` at index 0 and count + 1. */
function logSteps(a: number, b: number, count: number): number[] {
  const [la, lb] = [Math.log(a), Math.log(b)];
  return Array.from({ length: count }, (_, i) =>
    canonical(Math.exp(la + ((lb - la) * (i + 1)) / (count + 1))),
  );
}

/** The first round: `points` values from `min` to `max`, both included, evenly spaced in log. */
export function firstPoints(spec: FrontierSpec): number[] {
  return [spec.min, ...logSteps(spec.min, spec.max, spec.points - 2), spec.max];
}

/** The bracket the tested values give (any order; a value tested twice counts once, its first). */
export function bracketOf(tested: readonly Tested[]): Bracket {
  const failures = tested.filter((t) => t.outcome !== 'ok');
  const first = failures.reduce<Tested | undefined>((a, t) => (a && a.value <= t.value ? a : t), undefined);
  const oks = tested.filter((t) => t.outcome === 'ok').map((t) => t.value);
  const below = first ? oks.filter((v) => v < first.value) : oks;
  return {
    ok: below.length ? Math.max(...below) : undefined,
    failed: first?.value,
    outcome: first?.outcome as Bracket['outcome'],
    okAbove: first ? oks.filter((v) => v > first.value).sort((x, y) => x - y) : [],
  };
}

/**
 * Whether the search is over: the frontier is outside the bounds (`min` failed, or nothing
 * failed up to `max`), or the bracket is as narrow as `precision` asks (failed / ok <= precision).
 */
export function isDone(spec: FrontierSpec, b: Bracket): boolean {
  if (b.ok === undefined || b.failed === undefined) return true;
  return b.failed / b.ok <= spec.precision;
}

/**
 * The next round: `points` values strictly inside (ok, failed), evenly spaced in log, which cut
 * the bracket's log-width by points + 1. Values that round onto an end or onto each other (a
 * bracket narrower than 12 significant digits) are dropped; none left means the search is over.
 */
export function nextPoints(spec: FrontierSpec, b: Bracket): number[] {
  if (isDone(spec, b)) return [];
  const inside = logSteps(b.ok!, b.failed!, spec.points).filter((v) => v > b.ok! && v < b.failed!);
  return [...new Set(inside)];
}

/** Rounds a search takes at most: the first, then each cuts the log-width by points + 1. */
export function maxRounds(spec: FrontierSpec): number {
  const width = Math.log(spec.max / spec.min) / (spec.points - 1);
  const target = Math.log(spec.precision);
  return 1 + Math.max(0, Math.ceil(Math.log(width / target) / Math.log(spec.points + 1) - 1e-9));
}

/** A search run to its end against `oracle` (a synthetic one in tests): every round's values, and the bracket. */
export function searchWith(
  spec: FrontierSpec,
  oracle: (value: number) => Outcome,
): { rounds: number[][]; bracket: Bracket } {
  const tested: Tested[] = [];
  const rounds: number[][] = [];
  for (let next = firstPoints(spec); next.length; next = nextPoints(spec, bracketOf(tested))) {
    rounds.push(next);
    tested.push(...next.map((value) => ({ value, outcome: oracle(value) })));
  }
  return { rounds, bracket: bracketOf(tested) };
}
