import { identity } from '../../ground/dense64.js';
import type { JsonSchema } from '../../ground/json-schema.js';
import type { ParameterizationSpec } from './specs.js';
import type { Parameterization } from './types.js';

/** The task option, for every task that starts from a covariance (absent: that start, and run ids stay as they were). */
export const RAW_SCALE_OPTION: JsonSchema = {
  type: 'number',
  exclusiveMinimum: 0,
  description:
    "Start from the raw parameter instead of a covariance: every covariance block's raw tensor P = init_raw_scale * I, as a user's code initialises it (seed 000: 0.02, so tril's Sigma0 = 4e-4 I). The covariance this is depends on the parameterization (README, \"Starting point\"); not for diag or lowrank, whose raw block is not a dim x dim matrix, nor with a starting covariance.",
};

/**
 * Whether `init_raw_scale` can start this parameterization: its raw block must be a d x d
 * matrix for "scale times the identity" to be one (diag's [d] and lowrank's [d, rank + 1] are not).
 */
export function startsFromRawScale(p: ParameterizationSpec): boolean {
  const shape = p.rawShape(3);
  return shape.length === 2 && shape[0] === 3 && shape[1] === 3;
}

/**
 * The raw block scale * I: where a user's own code starts when it initialises its parameter
 * tensor P to scale * I and maps it as the parameterization does (seed 000: P = 0.02 I,
 * scale_tril = tril(P), so Sigma0 = 4e-4 I). What covariance that is depends on the map (README,
 * "Starting point"): tril scale^2 I, full scale I, log-cholesky exp(2 scale) I, ...
 */
export function rawStart(p: Parameterization, d: number, scale: number): Float64Array {
  if (!startsFromRawScale(p))
    throw new RangeError(
      `init_raw_scale: ${p.name}'s raw block is [${p.rawShape(d).join(', ')}], not a ${d} x ${d} matrix; start it with a covariance instead`,
    );
  return identity(d, scale);
}
