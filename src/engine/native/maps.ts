import { CholeskyKernel } from '../ops/cholesky-kernel.js';

/**
 * A parameterization's map raw -> L on host memory, one unit's block at a time, for the native
 * step: the same numbers as its tfjs `factor` (float32 L and check values) and as the gradient
 * tfjs's autodiff takes through it. Each map is made for one d and owns its scratch. The upper
 * triangles of L and of a gradient block are zero and stay so: a map writes only lower ones
 * (`full` writes all of its own, and its raw gradient is symmetric).
 */
export interface NativeMap {
  /**
   * The factor L of the raw block raw[at..] (d x d, row-major) into l[lo..] (upper triangle
   * zero) and its check values (`Parameterization.checks`) into checks[ct..ct+d]. Returns false
   * when the factor failed (it then holds NaN where it is unknown and has no gradient).
   */
  forward(
    raw: Float32Array,
    at: number,
    l: Float32Array,
    lo: number,
    checks: Float32Array,
    ct: number,
  ): boolean;
  /** d loss / d raw block into draw[at..], from d loss / d L (lower triangle of dl[lo..]) at the L of `forward`. */
  backward(
    raw: Float32Array,
    at: number,
    l: Float32Array,
    dl: Float32Array,
    lo: number,
    draw: Float32Array,
  ): void;
  /**
   * For a map whose raw block is Sigma itself: d loss / d raw block into draw[at..] from the
   * symmetric d loss / d Sigma at dsigma[lo..], which is what `backward` computes from the
   * matching d loss / d L (the step takes this route when the task can give d loss / d Sigma).
   */
  fromSigma?(dsigma: Float32Array, lo: number, draw: Float32Array, at: number): void;
}

const f32 = Math.fround;

/**
 * Sigma = P: L is P's Cholesky factor (pivots as checks), the gradient its symmetric backward, or
 * d loss / d Sigma itself where the task gives it: the same symmetric gradient without the
 * Cholesky backward, the largest cost of a step (5/6 d^3 multiply-adds per unit).
 */
function full(d: number): NativeMap {
  const k = new CholeskyKernel(d);
  return {
    forward: (raw, at, l, lo, checks, ct) => k.forward(raw, at, l, lo, checks, ct),
    backward: (_raw, at, l, dl, lo, draw) => k.backward(l, lo, dl, lo, draw, at),
    fromSigma(dsigma, lo, draw, at) {
      // A typed-array copy beats an element loop from 64 elements on (5x at 256); below, making
      // the view costs more than it saves.
      if (d >= 8) draw.set(dsigma.subarray(lo, lo + d * d), at);
      else for (let k = 0; k < d * d; k++) draw[at + k] = dsigma[lo + k];
    },
  };
}

/** L = tril(P) (factor diagonal as checks); the gradient is dL's lower triangle. */
function tril(d: number): NativeMap {
  return {
    forward(raw, at, l, lo, checks, ct) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j <= i; j++) l[lo + i * d + j] = raw[at + i * d + j];
        checks[ct + i] = raw[at + i * d + i];
      }
      return true;
    },
    backward(_raw, at, _l, dl, lo, draw) {
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) draw[at + i * d + j] = dl[lo + i * d + j];
    },
  };
}

/**
 * L = exp(diagonal) + strict lower triangle (factor diagonal as checks). As tfjs rounds it: the
 * float32 exp of the float32 diagonal, and d raw_jj = dL_jj * L_jj rounded once.
 */
function logCholesky(d: number): NativeMap {
  return {
    forward(raw, at, l, lo, checks, ct) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) l[lo + i * d + j] = raw[at + i * d + j];
        const e = f32(Math.exp(raw[at + i * d + i]));
        l[lo + i * d + i] = e;
        checks[ct + i] = e;
      }
      return true;
    },
    backward(_raw, at, l, dl, lo, draw) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) draw[at + i * d + j] = dl[lo + i * d + j];
        draw[at + i * d + i] = dl[lo + i * d + i] * l[lo + i * d + i];
      }
    },
  };
}

/** precision-cholesky's L is log-cholesky's map of its raw block, as a factor of the precision. */
const MAPS: Record<string, (d: number) => NativeMap> = {
  full,
  tril,
  'log-cholesky': logCholesky,
  'precision-cholesky': logCholesky,
};

/** The native map of parameterization `name` for dimension d (undefined when it has none). */
export function nativeMap(name: string, d: number): NativeMap | undefined {
  return MAPS[name]?.(d);
}
