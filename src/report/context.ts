import type { Manifest } from '../results/store.js';
import type { Experiment, RunResult, Suite } from '../types.js';

/** Everything a reporter may read, and the one way it writes. */
export interface ReportContext {
  /** The run folder. */
  dir: string;
  experiment: Experiment;
  /** Every run's result, in plan order. */
  results: readonly RunResult[];
  manifest?: Manifest;
  /** Run ids whose learned Gaussians report.html draws; default: the first run of each outcome. */
  show?: readonly string[];
  /** Writes `name` (relative to `dir`) whole: a temp file, then a rename. */
  write(name: string, text: string): void;
}

/** A file of several experiments: every result, and each experiment's context (as `onRunEnd` got it). */
export interface SuiteReportContext {
  dir: string;
  suite: Suite;
  /** Every run's result, in plan order. */
  results: readonly RunResult[];
  manifest?: Manifest;
  parts: readonly ReportContext[];
  write(name: string, text: string): void;
}
