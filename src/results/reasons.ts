import type { FailedOutcome, RunResult } from '../types.js';

/** Runs that failed the same way, told apart from each other only by numbers. */
export interface ReasonGroup {
  outcome: FailedOutcome;
  /** The reason with its unit, step and numbers taken out: "cholesky failed: pivot # = #". */
  reason: string;
  runs: number;
  /** The first such run (in results order), to look at. */
  example: string;
  /** That run's reason as written. */
  exampleReason: string;
}

// A number not inside a word (so "float32" stays), with sign, decimals and exponent.
const NUMBER = /(?<![A-Za-z_\d.])[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;

/** What a failure reason says without which unit, which step or which values. */
export function reasonKind(reason: string): string {
  return reason
    .replace(/ (?:for unit|at step) \d+/g, '')
    .replace(NUMBER, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Failed runs grouped by outcome and reason kind, most common first. */
export function reasonGroups(results: readonly RunResult[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const r of results) {
    if (r.outcome === 'ok') continue;
    const reason = reasonKind(r.reason) || '(no reason given)';
    const key = `${r.outcome}\n${reason}`;
    const g = groups.get(key);
    if (g) g.runs++;
    else groups.set(key, { outcome: r.outcome, reason, runs: 1, example: r.id, exampleReason: r.reason });
  }
  return [...groups.values()].sort((a, b) => b.runs - a.runs);
}
