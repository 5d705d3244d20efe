import type { JsonSchema } from '../../ground/json-schema.js';
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
import { spherical } from './spherical.js';
import { tril } from './tril.js';
import type { Parameterization } from './types.js';

export type { FactorOutput, Parameterization, ParameterizationOptions, ParameterUpdate } from './types.js';

/** Every parameterization by name (the first is the default). Adding one: a file beside this one and a line here. */
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

/** Every parameterization's options in one map, as experiment files see them. */
export function parameterizationOptions(): Record<string, JsonSchema> {
  const all: Record<string, JsonSchema> = {};
  for (const p of parameterizations.values()) {
    for (const [key, schema] of Object.entries(p.options?.schema ?? {})) {
      if (Object.hasOwn(all, key)) throw new Error(`parameterization option "${key}" is declared twice`);
      all[key] = schema;
    }
  }
  return all;
}

/** Parameterizations loaded plugin modules gave; engine/plugins/registry.ts checks their names first. */
const added = new Map<string, Parameterization>();

/** Makes a plugin's parameterization findable by `parameterization(name)`. */
export function addParameterization(p: Parameterization): void {
  added.set(p.name, p);
}

/**
 * The parameterization `name`, with its options taken from `options` (a run's
 * `parameterization_options`; options of other parameterizations are ignored) or their defaults.
 */
export function parameterization(name: string, options: Record<string, unknown> = {}): Parameterization {
  // A built-in, or one a loaded plugin module gave (see engine/plugins).
  const p = parameterizations.get(name) ?? added.get(name);
  if (!p) throw new RangeError(`unknown parameterization "${name}"`);
  return p.options ? p.options.with(optionValues(name, options)) : p;
}

/** The option values of parameterization `name`: each of its options from `options`, or its default. */
export function optionValues(name: string, options: Record<string, unknown>): Record<string, unknown> {
  const p = parameterizations.get(name) ?? added.get(name);
  return Object.fromEntries(
    Object.entries(p?.options?.schema ?? {}).map(([key, schema]) => [key, options[key] ?? schema.default]),
  );
}
