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
