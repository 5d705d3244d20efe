import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../ground/disk-cache.js';

/** The report's folder in the cache, its retraces (ground/disk-cache.ts reads and writes its files). */
export const tracesFolder = () => join(cacheDir(), 'traces');

/**
 * Removes what a report keeps of its results (retraces), so that the next report works as a new
 * experiment's does (the end-to-end bench's cold start). Plots are drawn afresh every time: a few
 * milliseconds each, no cache.
 */
export function forgetReports(): void {
  rmSync(tracesFolder(), { recursive: true, force: true });
}
