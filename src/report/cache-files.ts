import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../ground/disk-cache.js';

/** The report's folder in the cache (ground/disk-cache.ts reads and writes its files): retraces. */
export type ReportCache = 'traces';
export const cacheFolder = (name: ReportCache) => join(cacheDir(), name);

/**
 * Removes what a report keeps of its results (retraces), so that the next report works as a new
 * experiment's does (the end-to-end bench's cold start). Plots are drawn afresh every time: a few
 * milliseconds each, no cache.
 */
export function forgetReports(): void {
  rmSync(cacheFolder('traces'), { recursive: true, force: true });
}
