import { formatValue } from '../ground/format.js';
import { settingAt } from '../plan/expand.js';
import type { Experiment, RunConfig } from '../types.js';

/**
 * Swept settings a plot does not show on an axis and does not pool over: every axis but seed
 * (seeds are replicates), those in `shown`, and those zipped with a shown one (they move with it).
 */
export function otherAxes(e: Experiment, shown: readonly string[]): string[] {
  const moving = e.space.dims.filter((d) => d.paths.some((p) => shown.includes(p))).flatMap((d) => d.paths);
  return e.axes.map((a) => a.path).filter((p) => p !== 'seed' && !shown.includes(p) && !moving.includes(p));
}

/** "tril · lr.cov 0.001 · dim 4": the values of `paths` in a config, for panel titles (a parameterization names itself). */
export function describeSettings(config: RunConfig, paths: readonly string[]): string {
  return paths
    .map((p) =>
      p === 'parameterization' ? config.parameterization : `${p} ${formatValue(settingAt(config, p))}`,
    )
    .join(' · ');
}
