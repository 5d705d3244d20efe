import { formatCount, formatDuration } from '../ground/format.js';
import { laneStepWork } from '../plan/pack.js';
import type { LaneBatch, RunResult } from '../types.js';

export interface ProgressOptions {
  /** Where the line goes (never stdout: that is for the summary). @default process.stderr */
  out?: NodeJS.WriteStream;
  /** Redraw one line in place (a terminal) or print plain lines (CI, pipes). @default out.isTTY */
  tty?: boolean;
  /** Milliseconds between plain lines when not on a terminal. @default 5000 */
  plainEvery?: number;
}

/**
 * The progress line: runs done / total, failures so far by kind, run-steps
 * per second and ETA. The rate counts lane-steps (one run advancing one
 * step); the ETA weighs each by its dimension's work (`laneStepWork`), so a
 * sweep whose large-d batches are still to come does not look nearly done.
 */
export class Progress {
  private readonly started = performance.now();
  private readonly out: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly plainEvery: number;
  private readonly totalRuns: number;
  private readonly totalWork: number;
  private readonly stepsOf = new Map<number, number>();
  private laneSteps = 0;
  private work = 0;
  private done = 0;
  private readonly failures = new Map<string, number>();
  private lastDraw = 0;

  constructor(batches: readonly LaneBatch[], o: ProgressOptions = {}) {
    this.totalRuns = batches.reduce((n, b) => n + b.runs.length, 0);
    this.totalWork = batches.reduce((n, b) => n + b.steps * b.runs.length * workPerLaneStep(b), 0);
    this.out = o.out ?? process.stderr;
    this.tty = o.tty ?? Boolean(this.out.isTTY);
    this.plainEvery = o.plainEvery ?? 5000;
  }

  batchSteps(batch: LaneBatch, steps: number) {
    const before = this.stepsOf.get(batch.index) ?? 0;
    this.stepsOf.set(batch.index, steps);
    this.laneSteps += (steps - before) * batch.runs.length;
    this.work += (steps - before) * batch.runs.length * workPerLaneStep(batch);
    this.draw(false);
  }

  results(results: readonly RunResult[]) {
    this.done += results.length;
    for (const r of results)
      if (r.outcome !== 'ok') this.failures.set(r.outcome, (this.failures.get(r.outcome) ?? 0) + 1);
    this.draw(false);
  }

  /** A message of its own line (a retried batch), with the progress line redrawn below it. */
  note(message: string) {
    this.out.write(this.tty ? `\r\x1b[K${message}\n` : `${message}\n`);
    if (this.tty) this.draw(true);
  }

  /** The last line, and the terminal left clean for the summary. */
  finish() {
    this.draw(true);
    if (this.tty) this.out.write('\n');
  }

  line(): string {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = this.laneSteps / Math.max(seconds, 1e-3);
    const eta = this.done === this.totalRuns ? 0 : ((this.totalWork - this.work) / this.work) * seconds;
    const failed = [...this.failures].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
    return `covsweep ${this.done}/${this.totalRuns} runs | failed: ${failed} | ${formatCount(rate)} run-steps/s | ETA ${formatDuration(eta)}`;
  }

  private draw(force: boolean) {
    const now = performance.now();
    const every = this.tty ? 100 : this.plainEvery;
    if (!force && now - this.lastDraw < every) return;
    this.lastDraw = now;
    this.out.write(this.tty ? `\r\x1b[K${this.line()}` : `${this.line()}\n`);
  }
}

const workPerLaneStep = (b: LaneBatch) => laneStepWork(b.runs[0].config.dim);
