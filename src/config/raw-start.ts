import { startsFromRawScale } from '../engine/parameterizations/raw-start.js';
import { parameterizationSpecs } from '../engine/parameterizations/specs.js';
import type { ProblemList } from '../ground/errors.js';
import type { RunConfig, SweepAxis } from '../types.js';
import type { ConfigSource } from './source.js';

/** The task options that start a run from a covariance: `init_raw_scale` replaces them. */
const COVARIANCE_STARTS = ['init_covariance', 'init_covariances', 'init_cov_scale'];

/**
 * Checks `task.init_raw_scale` (set or swept): every parameterization the runs use must have a
 * d x d raw block, and the file must not also give a covariance start, which it would override.
 */
export function checkRawStart(
  base: RunConfig,
  axes: readonly SweepAxis[],
  source: ConfigSource,
  problems: ProblemList,
): void {
  const path = 'task.init_raw_scale';
  const at = source.doc.hasIn(['task', 'init_raw_scale']) ? ['task', 'init_raw_scale'] : ['sweep', path];
  if (base.task.init_raw_scale === undefined && !axes.some((a) => a.path === path)) return;
  const node = source.locate(at).node;
  const names = axes.find((a) => a.path === 'parameterization')?.values ?? [base.parameterization];
  const refused = names.filter((n) => {
    const p = parameterizationSpecs.get(String(n));
    return p !== undefined && !startsFromRawScale(p);
  });
  if (refused.length > 0)
    problems.add(
      source.problem(
        node,
        `"${path}" sets each raw covariance block to init_raw_scale * I, but ${refused.map((n) => `"${n}"`).join(', ')} ${refused.length > 1 ? 'have raw blocks that are' : 'has a raw block that is'} not a dim x dim matrix; leave ${refused.length > 1 ? 'them' : 'it'} out of this experiment or start from a covariance (task.init_cov_scale, task.init_covariance(s))`,
      ),
    );
  for (const option of COVARIANCE_STARTS)
    if (source.doc.hasIn(['task', option]) || source.doc.hasIn(['sweep', `task.${option}`]))
      problems.add(
        source.problem(node, `"${path}" and "task.${option}" both say where runs start; keep one of them`),
      );
}
