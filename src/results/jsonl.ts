import type { RunResult } from '../types.js';

// JSON has no NaN or Infinity; a failed run's loss and metrics often are. They
// are written as the strings "NaN", "Infinity", "-Infinity" and read back as numbers.
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

export function resultLine(r: RunResult): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function parseResultLine(line: string): RunResult {
  return JSON.parse(line, (_k, v) => (typeof v === 'string' && NON_FINITE.has(v) ? Number(v) : v));
}
