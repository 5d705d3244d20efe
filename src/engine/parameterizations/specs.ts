import type { JsonSchema } from '../../ground/json-schema.js';
import type { Parameterization } from './types.js';

/**
 * Every parameterization as experiment files and the config see it, without its tfjs map: its
 * name, the shape of its raw block and its options. What `covsweep validate` and `plan` need,
 * so that they load no tfjs; the parameterizations themselves (index.ts) take their option schemas
 * from here, and a test checks that each matches its spec.
 */
export interface ParameterizationSpec {
  name: string;
  /** Shape of one raw parameter block for dimension d (with the options' defaults). */
  rawShape(d: number): number[];
  /** JSON Schema of each option, with its `default`; absent when it has none. */
  options?: { schema: Record<string, JsonSchema> };
}

export const JITTER_OPTIONS: Record<string, JsonSchema> = {
  jitter: {
    type: 'array',
    minItems: 1,
    items: { type: 'number', exclusiveMinimum: 0 },
    default: [1e-6, 1e-5, 1e-4],
    description:
      'full-jitter: amounts added to the diagonal after a failed Cholesky, tried in order (GPyTorch psd_safe_cholesky in float32: 1e-6, 1e-5, 1e-4).',
  },
  jitter_relative: {
    type: 'boolean',
    default: false,
    description: "full-jitter: multiply each jitter amount by the mean of the matrix's diagonal.",
  },
};

export const LOWRANK_OPTIONS: Record<string, JsonSchema> = {
  rank: {
    type: 'integer',
    minimum: 1,
    default: 1,
    description: 'lowrank: rank r of W in W W^T + diag(exp(v)); min(r, dim) is used.',
  },
};

export const SOFTPLUS_OPTIONS: Record<string, JsonSchema> = {
  softplus_shift: {
    type: 'number',
    minimum: 0,
    // TFP FillScaleTriL's diag_shift: keeps L_jj >= 1e-5 however far the raw value falls.
    default: 1e-5,
    description: 'softplus-cholesky: added to softplus of the diagonal (TFP FillScaleTriL diag_shift).',
  },
};

export const CLIP_OPTIONS: Record<string, JsonSchema> = {
  clip_kappa_max: {
    type: 'number',
    exclusiveMinimum: 1,
    default: 1e5,
    description:
      'full-clip: largest condition number after the projection (mlpack PositiveDefiniteConstraint: 1e5).',
  },
  clip_floor: {
    type: 'number',
    exclusiveMinimum: 0,
    default: 1e-6,
    description:
      'full-clip: smallest eigenvalue after the projection (float32: the first jitter of GPyTorch psd_safe_cholesky).',
  },
};

const square = (d: number) => [d, d];

/** Every built-in parameterization's spec, in index.ts's order (the first is the default). */
export const parameterizationSpecs: ReadonlyMap<string, ParameterizationSpec> = new Map(
  [
    { name: 'full', rawShape: square },
    { name: 'full-jitter', rawShape: square, options: { schema: JITTER_OPTIONS } },
    { name: 'tril', rawShape: square },
    { name: 'log-cholesky', rawShape: square },
    { name: 'softplus-cholesky', rawShape: square, options: { schema: SOFTPLUS_OPTIONS } },
    { name: 'precision-cholesky', rawShape: square },
    { name: 'diag', rawShape: (d: number) => [d] },
    {
      name: 'lowrank',
      rawShape: (d: number) => [d, Math.min(LOWRANK_OPTIONS.rank.default as number, d) + 1],
      options: { schema: LOWRANK_OPTIONS },
    },
    { name: 'matrix-exp', rawShape: square },
    { name: 'spherical', rawShape: square },
    { name: 'givens', rawShape: square },
    { name: 'spd-riemannian', rawShape: square },
    { name: 'full-clip', rawShape: square, options: { schema: CLIP_OPTIONS } },
  ].map((p) => [p.name, p]),
);

/** Every parameterization's options in one map, as experiment files see them. */
export function parameterizationOptions(): Record<string, JsonSchema> {
  const all: Record<string, JsonSchema> = {};
  for (const p of parameterizationSpecs.values()) {
    for (const [key, schema] of Object.entries(p.options?.schema ?? {})) {
      if (Object.hasOwn(all, key)) throw new Error(`parameterization option "${key}" is declared twice`);
      all[key] = schema;
    }
  }
  return all;
}

/** Parameterizations loaded plugin modules gave; engine/plugins/registry.ts checks their names first. */
const added = new Map<string, Parameterization>();

/** Makes a plugin's parameterization findable by `parameterization(name)` and `parameterizationSpec(name)`. */
export function addParameterization(p: Parameterization): void {
  added.set(p.name, p);
}

/** The parameterization a loaded plugin module gave under `name`, if any. */
export const addedParameterization = (name: string): Parameterization | undefined => added.get(name);

/** A built-in parameterization's spec, or a loaded plugin's parameterization; undefined for an unknown name. */
export const parameterizationSpec = (name: string): ParameterizationSpec | undefined =>
  parameterizationSpecs.get(name) ?? added.get(name);
