import { CholeskyKernel } from '../ops/cholesky-kernel.js';
import { OffsetViews } from '../ops/views.js';
import { optionValues } from '../parameterizations/index.js';
import { diag, softplusCholesky } from './map-diagonal.js';
import { fullJitter } from './map-full-jitter.js';
import { givens } from './map-givens.js';
import { lowrank } from './map-lowrank.js';
import { matrixExp } from './map-matrix-exp.js';
import { spherical } from './map-spherical.js';
import type { NativeMap } from './native-map.js';

export type { NativeMap } from './native-map.js';

const f32 = Math.fround;

/**
 * Sigma = P: L is P's Cholesky factor (pivots as checks), the gradient its symmetric backward, or
 * d loss / d Sigma itself where the task gives it: the same symmetric gradient without the
 * Cholesky backward, the largest cost of a step (5/6 d^3 multiply-adds per unit).
 */
function full(d: number): NativeMap {
  const k = new CholeskyKernel(d);
  const blocks = new OffsetViews(d * d);
  return {
    forward: (raw, at, l, lo, checks, ct) => k.forward(raw, at, l, lo, checks, ct),
    backward: (_raw, at, l, dl, lo, draw) => k.backward(l, lo, dl, lo, draw, at),
    fromSigma(dsigma, lo, draw, at) {
      // A typed-array copy beats an element loop from 64 elements on (5x at 256).
      if (d >= 8) draw.set(blocks.view(dsigma, lo), at);
      else for (let k = 0; k < d * d; k++) draw[at + k] = dsigma[lo + k];
    },
  };
}

/**
 * L = tril(P) (factor diagonal as checks); the gradient is dL's lower triangle. In place in the
 * step (NativeMap.inPlace): L is P's lower triangle where it lies, dL is written into the gradient.
 */
function tril(d: number): NativeMap {
  return {
    inPlace: true,
    forward(raw, at, l, lo, checks, ct) {
      const copy = l !== raw || lo !== at;
      for (let i = 0; i < d; i++) {
        if (copy) for (let j = 0; j <= i; j++) l[lo + i * d + j] = raw[at + i * d + j];
        checks[ct + i] = raw[at + i * d + i];
      }
      return true;
    },
    backward(_raw, at, _l, dl, lo, draw) {
      if (dl === draw && lo === at) return;
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) draw[at + i * d + j] = dl[lo + i * d + j];
    },
  };
}

/**
 * L = exp(diagonal) + strict lower triangle (factor diagonal as checks). As tfjs rounds it: the
 * float32 exp of the float32 diagonal, and d raw_jj = dL_jj * L_jj rounded once. Both ways write
 * the whole block, zeros above the diagonal (raw's upper triangle has no effect, so its gradient
 * is 0, as tfjs has it). From d = 8 on each way is one block copy, then the upper triangle zeroed
 * and the diagonal taken row by row: 1.9x faster than the element loop at d = 64 (measured).
 */
function logCholesky(d: number): NativeMap {
  const raws = new OffsetViews(d * d);
  const dls = new OffsetViews(d * d);
  return {
    forward(raw, at, l, lo, checks, ct) {
      if (d >= 8) l.set(raws.view(raw, at), lo);
      for (let i = 0; i < d; i++) {
        if (d >= 8) l.fill(0, lo + i * d + i + 1, lo + (i + 1) * d);
        else for (let j = 0; j < d; j++) l[lo + i * d + j] = j < i ? raw[at + i * d + j] : 0;
        const e = f32(Math.exp(raw[at + i * d + i]));
        l[lo + i * d + i] = e;
        checks[ct + i] = e;
      }
      return true;
    },
    backward(_raw, at, l, dl, lo, draw) {
      if (d >= 8) draw.set(dls.view(dl, lo), at);
      for (let i = 0; i < d; i++) {
        if (d >= 8) draw.fill(0, at + i * d + i + 1, at + (i + 1) * d);
        else for (let j = 0; j < d; j++) draw[at + i * d + j] = j < i ? dl[lo + i * d + j] : 0;
        draw[at + i * d + i] = dl[lo + i * d + i] * l[lo + i * d + i];
      }
    },
  };
}

/**
 * Each map by parameterization name, made from d and the parameterization's option values.
 * precision-cholesky's L is log-cholesky's map of its raw block, as a factor of the precision;
 * spd-riemannian and full-clip are `full`'s map with their own update (train/update.ts).
 */
const MAPS: Record<string, (d: number, options: Record<string, unknown>) => NativeMap> = {
  full,
  tril,
  'log-cholesky': logCholesky,
  'precision-cholesky': logCholesky,
  'spd-riemannian': full,
  'full-clip': full,
  'matrix-exp': matrixExp,
  givens,
  lowrank,
  spherical,
  'full-jitter': fullJitter,
  'softplus-cholesky': softplusCholesky,
  diag,
};

/**
 * The native map of parameterization `name` for dimension d, with its options taken from
 * `options` (a run's `parameterization_options`) or their defaults; undefined when it has none.
 */
export function nativeMap(
  name: string,
  d: number,
  options: Record<string, unknown> = {},
): NativeMap | undefined {
  const make = MAPS[name];
  return make?.(d, optionValues(name, options));
}
