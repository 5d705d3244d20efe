import type { LaneBatch, RunConfig, RunResult } from '../types.js';

/** Why a batch ended without results. */
export type Ending =
  /** The sweep was stopped (Ctrl-C) and the batch did not finish within the grace period. */
  | { kind: 'stopped' }
  /** The batch ran past its time limit: the worker is stuck (an endless loop, a hung op). */
  | { kind: 'stuck'; seconds: number; limit: number }
  /** The worker threw, exited or ran out of memory. */
  | { kind: 'fault'; phase: 'setup' | 'batch'; message: string };

/** Extra time a batch gets past its runs' own limit, which the engine enforces every few steps. */
const GUARD_FACTOR = 1.5;
const GUARD_SLACK_SECONDS = 5;

/** A run's time limit in seconds: its own `timeout` or the CLI's, the smaller that is set; 0 = none. */
export function runLimit(config: RunConfig, cliTimeout = 0): number {
  const limits = [config.timeout, cliTimeout].filter((t) => t > 0);
  return limits.length ? Math.min(...limits) : 0;
}

/**
 * The batch's time limit in seconds, when every run has one: the engine stops
 * each run at its own limit, so a batch still running well past the largest
 * is stuck. Without a limit on every run nothing bounds the batch.
 */
export function batchLimit(batch: LaneBatch, cliTimeout = 0): { seconds: number; limit: number } | undefined {
  const limits = batch.runs.map((r) => runLimit(r.config, cliTimeout));
  if (limits.some((l) => l === 0)) return undefined;
  const limit = limits.reduce((a, l) => Math.max(a, l), 0);
  return { seconds: GUARD_FACTOR * limit + GUARD_SLACK_SECONDS, limit };
}

/** A pool rejection in words (Piscina's own messages are good, except for out of memory). */
export function errorMessage(err: unknown): string {
  if ((err as NodeJS.ErrnoException)?.code === 'ERR_WORKER_OUT_OF_MEMORY')
    return 'the worker ran out of memory (ERR_WORKER_OUT_OF_MEMORY)';
  return err instanceof Error ? err.message : String(err);
}

/** The results of runs that failed alone: `timeout` when stuck, else `error` with the message. */
export function failedResults(batch: LaneBatch, end: Exclude<Ending, { kind: 'stopped' }>): RunResult[] {
  return batch.runs.map(({ id, config }) => {
    const base = { id, config, step: 0, loss: Number.NaN, metrics: {}, curve: [], seconds: 0 };
    return end.kind === 'stuck'
      ? {
          ...base,
          outcome: 'timeout',
          kind: 'timeout',
          reason: `still running ${end.seconds} s into a time limit of ${end.limit} s: the worker was stuck and was stopped`,
        }
      : { ...base, outcome: 'error', kind: 'exception', reason: end.message };
  });
}
