import { paramsJson } from '../engine/train/record.js';
import { lazyProperty } from '../ground/lazy-property.js';
import type { RunConfig, RunResult } from '../types.js';

const nonFiniteAsString = (_k: string, v: unknown) =>
  typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;

/**
 * `value` as results.jsonl writes it. JSON has no NaN or Infinity, and a failed run's loss and
 * metrics often are: they are written as the strings "NaN", "Infinity", "-Infinity".
 * JSON.stringify writes a non-finite number as null; without one (no null in the text at all) the
 * plain call, several times faster than one with a replacer, writes what the replacer would.
 */
export function jsonText(value: unknown): string {
  const plain = JSON.stringify(value);
  return plain.includes('null') ? JSON.stringify(value, nonFiniteAsString) : plain;
}

const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** `text` as `jsonText` wrote it: the strings "NaN", "Infinity" and "-Infinity" read back as numbers. */
export function parseJsonText(text: string): unknown {
  return JSON.parse(text, (_k, v) => (typeof v === 'string' && NON_FINITE.has(v) ? Number(v) : v));
}

/**
 * What follows a result's id and config in its line (`,"step":...`, without the closing brace),
 * made in the worker that trained it, where the text of the batch's results costs no time of the
 * main thread's; undefined when its keys do not begin with id and config, or it has a backend
 * already (then the main thread writes the line whole).
 */
export function lineTail(r: RunResult): string | undefined {
  const keys = Object.keys(r);
  if (keys[0] !== 'id' || keys[1] !== 'config' || 'backend' in r) return undefined;
  // Final parameters not made yet (engine/train/record.ts) are written from their values, without
  // making them; the rest key by key, as JSON writes an object (an undefined value left out).
  const params = paramsJson(r);
  if (params === undefined) {
    const { id: _id, config: _config, ...rest } = r;
    const inner = jsonText(rest).slice(1, -1);
    return inner && `,${inner}`;
  }
  let tail = '';
  for (let i = 2; i < keys.length; i++) {
    const key = keys[i];
    if (key === 'params') tail += `,"params":${params}`;
    else {
      const value = (r as unknown as Record<string, unknown>)[key];
      if (value !== undefined) tail += `,${JSON.stringify(key)}:${jsonText(value)}`;
    }
  }
  return tail;
}

/**
 * The line of `{ ...r, config, backend }` (without its newline) from `r`'s id and `lineTail(r)`:
 * the same text resultLine writes, since JSON writes an object's keys in order, each value by
 * itself (and the replacer only changes non-finite numbers, so it may be applied to each part on
 * its own).
 */
export function lineFromTail(id: string, config: RunConfig, tail: string, backend: string): string {
  return `{"id":${jsonText(id)},"config":${jsonText(config)}${tail},"backend":${jsonText(backend)}}`;
}

/**
 * `r` as a worker posts it once its line is made: without its final parameters' values (left
 * undefined, so that the key keeps its place). They are most of a run's numbers (560 of 600 at
 * d = 16), the line holds them, and the main thread seldom reads them: their structured clone and
 * its garbage took the main thread a tenth of a second or more per batch of 256 runs at d = 16.
 */
export function withoutParams(r: RunResult): RunResult {
  if (!('params' in r)) return r;
  // Key by key, not a spread, which would make params not made yet (engine/train/record.ts).
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(r))
    out[key] = key === 'params' ? undefined : (r as unknown as Record<string, unknown>)[key];
  return out as unknown as RunResult;
}

/**
 * Gives `r` (as `withoutParams` left it) back its final parameters, read from its line
 * (`lineFromTail`'s) when first asked for: the same values, the same key order, the same JSON.
 */
export function paramsFromLine(r: RunResult, line: string): RunResult {
  if (!('params' in r) || r.params !== undefined) return r;
  return lazyProperty(r, 'params', () => (parseJsonText(line) as RunResult).params);
}
