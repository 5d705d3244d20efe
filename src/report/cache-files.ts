import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { cacheDir } from '../config/compiled-schema.js';

/**
 * The report's folders in the cache (config/compiled-schema.ts): plots' SVGs and the lists of a
 * run folder's plots, plots' compiled shapes, retraces.
 */
export type ReportCache = 'svg' | 'vega-specs' | 'traces';
export const cacheFolder = (name: ReportCache) => join(cacheDir(), name);

/**
 * Removes what a report keeps of its results (plots, their shapes, retraces), so that the next
 * report works as a new experiment's does (the end-to-end bench's cold start). The bundles'
 * compiled code stays, as any install has it after its first plot.
 */
export function forgetReports(): void {
  for (const name of ['svg', 'vega-specs', 'traces'] as const)
    rmSync(cacheFolder(name), { recursive: true, force: true });
}

/** Files kept at most in a folder of the cache; past this the oldest are removed, down to KEEP. */
const LIMIT = 2000;
const KEEP = 1500;

/** A file of the report's caches (plots, compiled shapes, retraces), or undefined when it is not there. */
export function readKept(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Keeps `data` in `file` of a cache, whole: written beside it, then renamed, so that another
 * thread or process reading at the same time sees all of it or none. With `bounded`, the
 * folder's oldest files of the same extension go past LIMIT. A cache that cannot be written
 * only costs the work next time.
 */
export function keepFile(file: string, data: string | Uint8Array, bounded = false): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}-${threadId}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, file);
    if (bounded) pruneOldest(dirname(file), file.slice(file.lastIndexOf('.')));
  } catch {
    // No cache here.
  }
}

/** Removes the oldest `ext` files of `dir` when there are more than LIMIT, so the cache stays bounded. */
function pruneOldest(dir: string, ext: string): void {
  const names = readdirSync(dir).filter((n) => n.endsWith(ext));
  if (names.length <= LIMIT) return;
  const byAge = names
    .map((n) => ({ file: join(dir, n), at: statSync(join(dir, n)).mtimeMs }))
    .sort((a, b) => a.at - b.at);
  for (const { file } of byAge.slice(0, names.length - KEEP)) rmSync(file, { force: true });
}
