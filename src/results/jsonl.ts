import { readFileSync } from 'node:fs';
import { CovsweepError } from '../ground/errors.js';
import { isFailureKind, isOutcome } from '../ground/vocabulary.js';
import type { RunResult } from '../types.js';
import { jsonText, parseJsonText } from './line.js';
import { kindOfOldReason } from './reasons.js';

export function resultLine(r: RunResult): string {
  return jsonText(r);
}

/**
 * One line of results.jsonl. A failed run from before results carried a failure kind (or with a
 * kind this version does not know) gets the kind its reason words, or `unknown`.
 */
export function parseResultLine(line: string): RunResult {
  // Non-finite numbers are written as strings (line.ts) and read back as numbers.
  const r = parseJsonText(line) as RunResult;
  if (r && typeof r === 'object' && isOutcome(r.outcome) && r.outcome !== 'ok' && !isFailureKind(r.kind))
    r.kind = kindOfOldReason(r.outcome, String(r.reason ?? ''));
  return r;
}

/** What a results.jsonl holds. */
export interface ResultsFile {
  results: RunResult[];
  /**
   * A last line without its newline: the writer was stopped mid-line (power cut,
   * kill -9). It is not in `results`; `bytes` is where the complete lines end.
   */
  truncated?: { line: number; bytes: number };
}

function isResult(v: unknown): v is RunResult {
  const r = v as RunResult | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.id === 'string' &&
    isOutcome(r.outcome) &&
    typeof r.config === 'object' &&
    r.config !== null
  );
}

/**
 * Reads results.jsonl. Every line is written whole with its newline, so only
 * the last can be cut short; it is reported in `truncated` and left out. Any
 * other line that is not a run result means the file was edited or mixed up,
 * and is an `E_INPUT` error naming the line.
 */
export function readResults(file: string): ResultsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    // Bad input (exit 2), whoever reads: for `compare`, exit 1 means a regression.
    throw new CovsweepError('E_INPUT', `${file}: cannot read the results (${code}); check the path`, {
      cause,
      file,
    });
  }
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  const results: RunResult[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = parseResultLine(line);
    } catch {
      value = undefined;
    }
    if (!isResult(value))
      throw new CovsweepError(
        'E_INPUT',
        `${file}:${i + 1}: not a run result (${JSON.stringify(line.slice(0, 40))}...); covsweep writes whole lines, so this file was edited: remove the line`,
        { file, line: i + 1 },
      );
    results.push(value);
  });
  if (last === '') return { results };
  return {
    results,
    truncated: { line: lines.length + 1, bytes: Buffer.byteLength(text) - Buffer.byteLength(last) },
  };
}
