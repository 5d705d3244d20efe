import { diag } from './diag.js';
import { full } from './full.js';
import { fullClip } from './full-clip.js';
import { fullJitter } from './full-jitter.js';
import { givens } from './givens.js';
import { logCholesky } from './log-cholesky.js';
import { lowrank } from './lowrank.js';
import { matrixExp } from './matrix-exp.js';
import { precisionCholesky } from './precision-cholesky.js';
import { softplusCholesky } from './softplus-cholesky.js';
import { spdRiemannian } from './spd-riemannian.js';
import { addedParameterization } from './specs.js';
import { spherical } from './spherical.js';
import { tril } from './tril.js';
import type { Parameterization } from './types.js';

export type { FactorOutput, Parameterization, ParameterizationOptions, ParameterUpdate } from './types.js';

/**
 * Every parameterization by name (the first is the default). Adding one: a file beside this one, a
 * line here and its spec in specs.ts (what the config sees of it without loading tfjs).
 */
export const parameterizations: ReadonlyMap<string, Parameterization> = new Map(
  [
    full,
    fullJitter,
    tril,
    logCholesky,
    softplusCholesky,
    precisionCholesky,
    diag,
    lowrank,
    matrixExp,
    spherical,
    givens,
    spdRiemannian,
    fullClip,
  ].map((p) => [p.name, p]),
);

/**
 * The parameterization `name`, with its options taken from `options` (a run's
 * `parameterization_options`; options of other parameterizations are ignored) or their defaults.
 */
export function parameterization(name: string, options: Record<string, unknown> = {}): Parameterization {
  // A built-in, or one a loaded plugin module gave (see engine/plugins).
  const p = parameterizations.get(name) ?? addedParameterization(name);
  if (!p) throw new RangeError(`unknown parameterization "${name}"`);
  return p.options ? p.options.with(optionValues(name, options)) : p;
}

/** The option values of parameterization `name`: each of its options from `options`, or its default. */
export function optionValues(name: string, options: Record<string, unknown>): Record<string, unknown> {
  const p = parameterizations.get(name) ?? addedParameterization(name);
  return Object.fromEntries(
    Object.entries(p?.options?.schema ?? {}).map(([key, schema]) => [key, options[key] ?? schema.default]),
  );
}
