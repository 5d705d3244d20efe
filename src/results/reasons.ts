import type { FailedOutcome, FailureKind, RunResult } from '../types.js';

/** Runs that failed the same way: the same outcome and failure kind. */
export interface ReasonGroup {
  outcome: FailedOutcome;
  kind: FailureKind;
  runs: number;
  /** The first such run (in results order), to look at. */
  example: string;
  /** That run's reason as written. */
  exampleReason: string;
}

/** Failed runs grouped by outcome and failure kind, most common first. */
export function reasonGroups(results: readonly RunResult[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const r of results) {
    if (r.outcome === 'ok') continue;
    const key = `${r.outcome}\n${r.kind}`;
    const g = groups.get(key);
    if (g) g.runs++;
    else
      groups.set(key, { outcome: r.outcome, kind: r.kind, runs: 1, example: r.id, exampleReason: r.reason });
  }
  return [...groups.values()].sort((a, b) => b.runs - a.runs);
}

/**
 * The kind of a failure recorded before results carried one, read from its reason as the engine
 * worded it then. Only the results reader calls this, for old files; everything else reads `kind`.
 */
export function kindOfOldReason(outcome: FailedOutcome, reason: string): FailureKind {
  if (outcome === 'timeout') return 'timeout';
  if (outcome === 'error') return 'exception';
  const words: [RegExp, FailureKind][] = [
    [/^cholesky failed/, 'cholesky'],
    [/^factor diagonal not positive/, 'factor-diagonal'],
    [/^factor overflowed/, 'overflow'],
    [/ill-conditioned/, 'condition'],
    [/^loss non-finite/, 'non-finite-loss'],
    [/^loss beyond/, 'loss-bound'],
    [/^parameters non-finite or beyond/, 'parameter-bound'],
  ];
  return words.find(([pattern]) => pattern.test(reason))?.[1] ?? 'unknown';
}
