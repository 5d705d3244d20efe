import type * as Tf from '@tensorflow/tfjs-core';
import { type Stream, stream } from '../../data/random.js';
import { cholesky64, gram } from '../../ground/dense64.js';
import { cholesky, triSolve } from '../ops/linalg.js';
import { diagPart, eye, lower, strictLower } from '../ops/masks.js';
import { perLane } from '../parameterizations/counters.js';
import { loadTf } from '../tf.js';
import type { Plugin } from './registry.js';

/**
 * What covsweep hands a plugin module: the engine's own tfjs instance (a module importing its own
 * copy of tfjs would build tensors no backend of the engine's knows) and the batched helpers the
 * built-in tasks and parameterizations use. Every tensor has a leading batch axis.
 */
export interface PluginKit {
  /** `@tensorflow/tfjs-core`, the instance the engine trains with. */
  tf: typeof Tf;
  /** Batched Cholesky [N, d, d] -> factor and pivots [N, d]; a failed element has a pivot <= 0 or NaN. */
  cholesky: typeof cholesky;
  /** Batched triangular solve L z = b (or L^T z = b with `transpose`), b [N, m, d]. */
  triSolve: typeof triSolve;
  /** Constant d x d masks (kept, never dispose them) and the diagonal of [N, d, d] as [N, d]. */
  eye: typeof eye;
  lower: typeof lower;
  strictLower: typeof strictLower;
  diagPart: typeof diagPart;
  /** A factor's per-element counters [lanes * units] summed per lane, for StepOutput.counters. */
  perLane: typeof perLane;
  /** The seeded stream of (run seed, purpose): a plugin's only source of randomness. */
  stream: (seed: number, purpose: string) => Stream;
  /** Float64 reference helpers: L L^T of a row-major d x d factor, and its Cholesky factor (null when not SPD). */
  gram: typeof gram;
  cholesky64: typeof cholesky64;
}

/**
 * A plugin module's default export: called once per process (main thread and every worker) with
 * the kit, it returns the module's task and/or parameterizations.
 */
export type PluginModule = (kit: PluginKit) => Plugin;

/**
 * tfjs-core is taken when this module is evaluated, not imported by it: the worker's bundle
 * (scripts/bundle-entries.mjs) evaluates this module only when a plugin loads, but would load an
 * imported package with the thread.
 */
export const kit: PluginKit = {
  tf: loadTf(),
  cholesky,
  triSolve,
  eye,
  lower,
  strictLower,
  diagPart,
  perLane,
  stream,
  gram,
  cholesky64,
};
