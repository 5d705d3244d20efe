import type { LaneBatch, RunResult } from '../types.js';

/**
 * What a session tells whoever runs it, as optional hooks (the shape of vitest's reporters). The
 * session itself prints nothing and never exits the process: the CLI turns these into its
 * progress line and messages, and a program may listen to as few as it likes.
 */
export interface SessionEvents {
  /** Something the user should know: a cut-short last line, a forced resume, a missing shard. */
  onNote?(message: string): void;
  /** The run folder exists (made, or opened to resume), before any training. */
  onFolder?(dir: string): void;
  /** A pool run starts: the sweep's lane batches, or one frontier round's. */
  onTrainStart?(batches: readonly LaneBatch[]): void;
  /** Steps done so far by a batch (0 again when a failed batch's runs are retried). */
  onBatchSteps?(batch: LaneBatch, steps: number): void;
  /** A batch failed; its runs are retried one by one. */
  onBatchRetry?(batch: LaneBatch, reason: string): void;
  /** A batch's results, once they are recorded in the run folder. */
  onResults?(results: readonly RunResult[]): void;
  /** The pool run that `onTrainStart` began has ended, also when it failed. */
  onTrainEnd?(): void;
  /** A frontier round starts: the runs it trains and the searches still open. */
  onFrontierRound?(round: number, runs: number, openSearches: number): void;
}
