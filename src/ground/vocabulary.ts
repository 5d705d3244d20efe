/**
 * The words results are spoken in, each list once: config validates against them, the engine and
 * the results reader produce and check them, and reports list them in this order.
 */

/** How a run ended, in the order tables list them. */
export const OUTCOMES = ['ok', 'singular', 'diverged', 'error', 'timeout'] as const;

export type Outcome = (typeof OUTCOMES)[number];

export type FailedOutcome = Exclude<Outcome, 'ok'>;

export const isOutcome = (v: unknown): v is Outcome => (OUTCOMES as readonly unknown[]).includes(v);

/**
 * The statistics a summary table can show, by the name experiment files use (`summary.value`);
 * src/results/aggregate.ts defines each.
 */
export const AGGREGATE_NAMES = [
  'failure_rate',
  'ok_rate',
  'singular_rate',
  'diverged_rate',
  'error_rate',
  'timeout_rate',
  'failure_step',
  'loss',
  'accuracy',
  'mean_error',
  'cov_error',
  'opt_mean_error',
  'opt_cov_error',
  'dead_unit_rate',
  'dead_unit_steps',
] as const;

export type AggregateName = (typeof AGGREGATE_NAMES)[number];

/**
 * Why a failed run failed, as a word a program can match on, beside the run's reason in words
 * (`RunResult.kind`). Reports group failures by it.
 */
export const FAILURE_KINDS = [
  /** singular: a Cholesky pivot <= 0 or NaN. */
  'cholesky',
  /** singular: an entry of the factor's diagonal <= 0 or NaN. */
  'factor-diagonal',
  /** singular: an entry of the factor's diagonal overflowed to Infinity. */
  'overflow',
  /** singular: the covariance's condition number above `thresholds.max_condition`. */
  'condition',
  /** diverged: the loss became NaN or infinite. */
  'non-finite-loss',
  /** diverged: |loss| above `thresholds.divergence_bound`. */
  'loss-bound',
  /** diverged: a parameter non-finite or above `thresholds.divergence_bound`. */
  'parameter-bound',
  /** timeout: the run's time limit, or its worker was stuck and stopped. */
  'timeout',
  /** error: an exception, its message the reason. */
  'exception',
  /** A result from before kinds were recorded whose reason names none of these. */
  'unknown',
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

export const isFailureKind = (v: unknown): v is FailureKind =>
  (FAILURE_KINDS as readonly unknown[]).includes(v);
