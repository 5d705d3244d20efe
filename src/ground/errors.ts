import type { LineCounter } from 'yaml';

/** What kind of failure an error is; the CLI maps these to exit codes and decides how much to print. */
export type ErrorCode = 'E_CONFIG' | 'E_INPUT' | 'E_IO' | 'E_USAGE';

/** One thing wrong in an experiment file, at a 1-based line and column. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  /** `<what is wrong>; <how to fix it>`, one line. */
  message: string;
  /** Set when the problem is in a command-line override (`lr.cov=-1`) rather than in the file. */
  argument?: string;
}

export interface CovsweepErrorOptions extends ErrorOptions {
  file?: string;
  line?: number;
  col?: number;
  /** Every problem found, one line each; defaults to `[message]`. */
  problems?: string[];
}

/** Marks a CovsweepError from any copy of this module (see `Symbol.hasInstance` below). */
const BRAND = Symbol.for('covsweep.CovsweepError');

/**
 * The one error type covsweep throws on purpose. `message` is always a single line; for a
 * config error it is the first of `problems`, which the CLI prints in full.
 */
export class CovsweepError extends Error {
  /**
   * The CLI is a bundle with its own copy of this class, and a plugin that throws the library's
   * (`import { CovsweepError } from 'covsweep'`) would otherwise fail `instanceof` there and be
   * reported as a crash instead of its message: the test is a brand shared across copies.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as { [BRAND]?: true })[BRAND] === true;
  }

  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly problems: string[];

  constructor(code: ErrorCode, message: string, options: CovsweepErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CovsweepError';
    this.code = code;
    this.file = options.file;
    this.line = options.line;
    this.col = options.col;
    this.problems = options.problems ?? [message];
  }
}

export function formatProblem(p: Problem): string {
  if (p.argument !== undefined) return `command-line override "${p.argument}": ${p.message}`;
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** A problem at a source offset, as yaml nodes and errors give them. */
export function problemAt(file: string, lines: LineCounter, offset: number, message: string): Problem {
  const { line, col } = lines.linePos(offset);
  return { file, line, col, message };
}

/** An `E_CONFIG` error for problems found in one file (at least one). */
export function configError(problems: readonly Problem[], cause?: unknown): CovsweepError {
  const first = problems[0];
  return new CovsweepError('E_CONFIG', formatProblem(first), {
    cause,
    file: first.file,
    line: first.line,
    col: first.col,
    problems: problems.map(formatProblem),
  });
}

/** Past this many, more problems are usually echoes of the first ones. */
export const MAX_PROBLEMS = 20;

/** Collects the problems of one validation pass so the user can fix them all in one go. */
export class ProblemList {
  private readonly seen = new Map<string, Problem>();

  add(problem: Problem): void {
    const line = formatProblem(problem);
    if (!this.seen.has(line)) this.seen.set(line, problem);
  }

  /** Throws the collected problems as one config error, if there are any. */
  throwIfAny(cause?: unknown): void {
    if (this.seen.size === 0) return;
    // In file order, as a reader fixes them; checks run in whatever order the schema has.
    const sorted = [...this.seen.values()].sort((a, b) => a.line - b.line || a.col - b.col);
    const error = configError(sorted.slice(0, MAX_PROBLEMS), cause);
    const more = sorted.length - MAX_PROBLEMS;
    if (more > 0) error.problems.push(`... and ${more} more; fix the problems above first`);
    throw error;
  }
}
