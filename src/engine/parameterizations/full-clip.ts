import { symmetricEigen, symmetricPart } from '../../ground/dense64.js';
import { full } from './full.js';
import { CLIP_OPTIONS } from './specs.js';
import type { Parameterization } from './types.js';

export interface ClipOptions {
  /** Largest condition number kept: eigenvalues below lambda_max / kappaMax are raised to it. @default 1e5 */
  kappaMax: number;
  /** Smallest eigenvalue kept, whatever lambda_max is. @default 1e-6 */
  floor: number;
}

/**
 * The projection after each step (mlpack PositiveDefiniteConstraint::ApplyConstraint): the
 * symmetric part, with eigenvalues below max(lambda_max / kappaMax, floor) raised to that bound.
 * A matrix that needs no clipping is only symmetrised, as mlpack leaves it, so that a run follows
 * `full` bit for bit until `full` would fail. A non-finite matrix is returned as is, for the
 * Cholesky to report.
 */
export function projectPositiveDefinite(a: ArrayLike<number>, d: number, o: ClipOptions): Float64Array {
  const s = symmetricPart(a, d);
  if (!s.every(Number.isFinite)) return s;
  const { values, vectors } = symmetricEigen(s, d);
  const bound = Math.max(Math.max(...values) / o.kappaMax, o.floor);
  if (values.every((v) => v >= bound)) return s;
  const clipped = values.map((v) => Math.max(v, bound));
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let t = 0;
      for (let k = 0; k < d; k++) t += vectors[i * d + k] * clipped[k] * vectors[j * d + k];
      out[i * d + j] = t;
      out[j * d + i] = t;
    }
  return out;
}

/**
 * A plain step on Sigma = P (as `full`, same Cholesky map) followed by projection back onto the
 * positive definite matrices of bounded condition number (`projectPositiveDefinite`).
 */
export function makeFullClip(o: ClipOptions): Parameterization {
  return {
    ...full,
    name: 'full-clip',
    summary: `Sigma = P, after each step eigenvalues clipped to >= max(lambda_max / ${o.kappaMax}, ${o.floor}) (mlpack PositiveDefiniteConstraint)`,
    options: {
      schema: CLIP_OPTIONS,
      with: (v) => makeFullClip({ kappaMax: v.clip_kappa_max as number, floor: v.clip_floor as number }),
    },
    update: { retract: (_before, stepped, d) => projectPositiveDefinite(stepped, d, o) },
  };
}

export const fullClip = makeFullClip({
  kappaMax: CLIP_OPTIONS.clip_kappa_max.default as number,
  floor: CLIP_OPTIONS.clip_floor.default as number,
});
