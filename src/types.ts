/**
 * The types that carry covsweep's design, in the order data flows:
 * experiment file -> resolved experiment -> run specs -> lane batches (posted to
 * workers) -> run results (one per run, tagged on `outcome`).
 */

import type { AggregateName, FailureKind } from './ground/vocabulary.js';

// The outcome words live in the ground layer (one const array); named here too, as the design's types.
export type { AggregateName, FailedOutcome, FailureKind, Outcome } from './ground/vocabulary.js';

/** The settings of one run, every default applied. Sweep axes address these by dotted path. */
export interface RunConfig {
  /** Task name and its options (`task.name`, `task.epochs`, ...). */
  task: TaskConfig;
  /** Covariance parameterization, by registered name. */
  parameterization: string;
  /**
   * The parameterization options the experiment sets (`rank`, `jitter`, ...), one map for all
   * parameterizations: each reads its own, and takes its default for any option not here. Absent
   * when the file sets none, so that adding options to covsweep changes no other run's id.
   */
  parameterization_options?: Record<string, unknown>;
  /**
   * The plugin modules whose parameterizations the experiment may use (`parameterization_modules`),
   * each as written with its content hash; absent when it names none, so built-in runs keep their ids.
   */
  parameterization_modules?: FileRef[];
  /** Dimension of the Gaussian(s). */
  dim: number;
  /** Seed of every random stream of the run (data, truth, shuffles, init). */
  seed: number;
  optimizer: OptimizerConfig;
  /** Learning rate per parameter group. */
  lr: LearningRates;
  thresholds: Thresholds;
  /** Seconds one run may take before it is recorded as `timeout`; 0 = no limit. */
  timeout: number;
  /** Record the loss every this many steps for learning curves; 0 = about 50 points per run. */
  record_every: number;
}

/** Whether a run's task is a command (`task.command`), which runs as a process of its own and has no engine task. */
export const isCommand = (c: RunConfig): boolean => Array.isArray(c.task.command);

/** A file an experiment names (a plugin module, a command's script): its path as written and the SHA-256 of its bytes. */
export interface FileRef {
  file: string;
  sha256: string;
}

export interface TaskConfig {
  name: string;
  [option: string]: unknown;
}

/** A run's optimizer: a union tagged on `name`, each with only its own options (an sgd config keeps its keys, so its run ids). */
export type OptimizerConfig = SgdConfig | AdamConfig | RmspropConfig;

export type OptimizerName = OptimizerConfig['name'];

/** torch.optim.SGD, dampening 0. */
export interface SgdConfig {
  name: 'sgd';
  momentum: number;
  nesterov: boolean;
}

/** torch.optim.Adam, bias-corrected, weight_decay 0, amsgrad off: betas = (beta1, beta2). */
export interface AdamConfig {
  name: 'adam';
  beta1: number;
  beta2: number;
  eps: number;
}

/** torch.optim.RMSprop with momentum 0, not centered. */
export interface RmspropConfig {
  name: 'rmsprop';
  alpha: number;
  eps: number;
}

export interface LearningRates {
  /** Covariance parameters. */
  cov: number;
  /** Means. */
  mean: number;
  /** Other weights (the classifier's linear layer). */
  weights: number;
}

export interface Thresholds {
  /** A loss or parameter magnitude above this counts as diverged. */
  divergence_bound: number;
  /** A covariance condition number above this counts as singular (float32: 2^23). */
  max_condition: number;
}

/** A value a sweep gives one setting. */
export type SweepValue = number | string | boolean;

/** One axis of a sweep: a dotted path into RunConfig and its values (each once, in file order). */
export interface SweepAxis {
  path: string;
  values: readonly SweepValue[];
}

/** One axis of the product: a sweep axis, or zipped axes that move together. */
export interface SweepDim {
  paths: string[];
  /** `values[k][j]`: the value of `paths[j]` at position k. */
  values: SweepValue[][];
}

/** A setting set from the value of a sweep axis (`task.iterations` per `dim`). */
export interface Dependent {
  path: string;
  on: string;
  /** This setting's value by `String(value of on)`. */
  values: Record<string, SweepValue>;
}

/**
 * The runs of a sweep, as arithmetic: every combination of the dims (in file
 * order, last fastest) but the excluded ones, then the included runs. Exclude
 * rules only look at dims [0, cut), so a combination of those is kept or
 * dropped whole, with every combination of the dims after it: a kept list of
 * the size of that prefix is all that is stored (none when nothing is excluded).
 */
export interface SweepSpace {
  dims: SweepDim[];
  cut: number;
  /** Ascending indices of the kept combinations of dims [0, cut); absent when nothing is excluded. */
  kept?: Uint32Array;
  depends: Dependent[];
  /** Runs after the product, each as the settings it sets over the base (depends applied). */
  include: [string, SweepValue][][];
  /** What each rule did, for `covsweep plan`: a label and the run count after it, first the plain product. */
  effects: { rule: string; runs: number }[];
}

/** One pivot table: the statistic `value` over the runs of each rows x columns cell. */
export interface TableSpec {
  /** Setting (dotted path) along the rows. */
  rows: string;
  /** Setting (dotted path) along the columns. */
  columns: string;
  value: AggregateName;
}

/** What the summary shows. */
export interface SummarySpec {
  /** The experiment's two main axes: the default tables' rows and columns, and the stability map's. */
  rows: string;
  columns: string;
  /** Every table, in order: one per `summary.value` over rows x columns, then `summary.tables`. */
  tables: TableSpec[];
}

/** An experiment file, validated, defaults applied. */
export interface Experiment {
  name: string;
  description: string;
  /** Absolute path of the experiment file (data paths resolve against its folder). */
  file: string;
  /** The file's text, copied into every run folder. */
  source: string;
  /** Fixed settings, every default applied; sweep axes override paths in it. */
  base: RunConfig;
  /**
   * The settings of each optimizer the runs use, every default applied: the base's, and one per
   * value of a sweep over `optimizer.name` (a run that picks a name takes that optimizer's).
   */
  optimizers: OptimizerConfig[];
  axes: SweepAxis[];
  /** How the axes combine into runs (zip, exclude, include, depends). */
  space: SweepSpace;
  summary: SummarySpec;
  /** A search for the stability frontier along one more setting, for every run of the sweep. */
  frontier?: FrontierSpec;
  /** Absolute path of the file `task.data` names, when it names one. */
  dataFile?: string;
  /**
   * The other files it names, as written and absolute (plugin modules, a command's script):
   * copied into run folders beside the data file, so that the folder alone can be reported on.
   */
  files?: { written: string; path: string }[];
}

/**
 * An experiment file: one experiment per YAML document (`---` between them), each validated on its
 * own, run into one folder. Experiment names differ within a file.
 */
export interface Suite {
  /** Its folder runs/<name>/: the experiment's name for a one-document file, else the file's base name. */
  name: string;
  /** Absolute path of the file. */
  file: string;
  /** The file's text, copied into every run folder. */
  source: string;
  /** In file order. */
  experiments: Experiment[];
}

/**
 * A frontier search: for every combination of the swept settings (seeds included), the largest
 * value of `setting` in [min, max] whose run ends ok below the smallest that fails, by k-section
 * in log space (`points` values a round) until failed / ok <= `precision`.
 */
export interface FrontierSpec {
  /** Dotted path of a positive real setting (`lr.cov`); not swept. */
  setting: string;
  min: number;
  max: number;
  /** Ratio failed / ok at which a bracket is narrow enough, > 1. */
  precision: number;
  /** Values each search tests per round (lanes of one batch), >= 2. */
  points: number;
}

/** One run to train: a resolved config and its stable id. */
export interface RunSpec {
  id: string;
  config: RunConfig;
  /**
   * Absolute path of the run's data file (`task.data`), for the worker. Not part of the id: the
   * config identifies the file by its path as written and its content hash, so ids stay the same
   * wherever the files lie.
   */
  dataFile?: string;
  /**
   * Absolute path of the experiment file, for a run whose task or parameterization names files
   * (`FileRef`s in its config: plugin modules, a command's script), which resolve against it. Not
   * part of the id either.
   */
  source?: string;
}

/** Runs that train together as lanes of one computation (same shape key). */
export interface LaneBatch {
  /** Position of the batch in the plan, for progress and logs. */
  index: number;
  shapeKey: string;
  runs: RunSpec[];
  /** Training steps every lane of this batch takes. */
  steps: number;
}

export type Metrics = Record<string, number>;

/** Gaussians as plain numbers: means [unit][d] and covariances [unit][d][d]. */
export interface Gaussians {
  means: number[][];
  covariances: number[][][];
}

/** A parameter group's values nested to its shape, as torch's `tensor.tolist()` gives them. */
export type NestedValues = number | NestedValues[];

interface RunResultBase {
  id: string;
  config: RunConfig;
  /** Steps completed (for a failed run, the step at which it failed, 0-based). */
  step: number;
  /** Final loss (for a failed run, the last finite loss seen). */
  loss: number;
  metrics: Metrics;
  /** Loss every `curve_every` steps from step 0 (NaN-free: stops where the run stopped). */
  curve: number[];
  /** Steps between two points of `curve` (`record_every`, or about 50 points per run); absent in older records. */
  curve_every?: number;
  /** Steps the run was to train; absent in older records and for runs that never started. */
  planned_steps?: number;
  /**
   * Every parameter group's final values by the task's group name (`means`, `covariance`,
   * `weights`; `mean`, `covariance`), nested to the group's shape for one run, each the shortest
   * decimal that reads back as the float32 the run held. Raw values, as the parameterization
   * keeps them (README, "Final parameters"). A failed run's are those of its failure step.
   * Absent in records from before they were kept.
   */
  params?: Record<string, NestedValues>;
  /** Learned (at the end) and true Gaussians, for pictures; only for 2-D runs. */
  gaussians?: { learned: Gaussians; truth: Gaussians };
  /** Wall seconds of the batch the run rode in, divided by its lanes. */
  seconds: number;
  /** The tfjs backend that trained it (absent when it never reached a worker, and in older records). */
  backend?: string;
}

export type RunResult =
  | (RunResultBase & { outcome: 'ok' })
  | (RunResultBase & { outcome: 'singular' | 'diverged'; reason: string; kind: FailureKind })
  | (RunResultBase & { outcome: 'error' | 'timeout'; reason: string; kind: FailureKind });
