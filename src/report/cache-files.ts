import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../ground/disk-cache.js';

/**
 * The report's folders in the cache (ground/disk-cache.ts reads and writes their files): plots'
 * SVGs and the lists of a run folder's plots, plots' compiled shapes, retraces.
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
