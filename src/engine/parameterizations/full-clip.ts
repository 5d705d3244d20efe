import { choleskyInto, symmetricEigen, symmetricPart } from '../../ground/dense64.js';
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
  if (!allFinite(s) || clearlyWithin(s, d, o)) return s;
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

/** Whether no entry is NaN or infinite (a loop: `every` with a callback costs as much as the projection). */
function allFinite(s: Float64Array): boolean {
  for (let k = 0; k < s.length; k++) if (!Number.isFinite(s[k])) return false;
  return true;
}

/**
 * Whether every eigenvalue of the symmetric s is above its clipping bound by more than the
 * eigensolver's rounding, shown without the eigensolver (a Jacobi sweep costs as much as the rest
 * of a step, every step): lambda_max <= h = min(largest absolute row sum, Frobenius norm), so
 * the bound is at most t = max(h / kappaMax, floor), and s - (t + margin) I has a Cholesky factor
 * only when lambda_min > t + margin less its own rounding (d eps |s| at most). The margin,
 * 1e-12 |s|_F, is far above both roundings, so whenever this says yes, the eigenvalues Jacobi
 * computes are all at least the bound it computes from them, and `projectPositiveDefinite`
 * returns s either way: the same result, without the eigendecomposition.
 */
function clearlyWithin(s: Float64Array, d: number, o: ClipOptions): boolean {
  let frobenius = 0;
  let rows = 0;
  for (let i = 0; i < d; i++) {
    let row = 0;
    for (let j = 0; j < d; j++) {
      row += Math.abs(s[i * d + j]);
      frobenius += s[i * d + j] ** 2;
    }
    rows = Math.max(rows, row);
  }
  frobenius = Math.sqrt(frobenius);
  const shift = Math.max(Math.min(rows, frobenius) / o.kappaMax, o.floor) + 1e-12 * frobenius;
  const shifted = Float64Array.from(s);
  for (let i = 0; i < d; i++) shifted[i * d + i] -= shift;
  return choleskyInto(shifted, 0, d, shifted);
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
