import { CholeskyKernel } from '../ops/cholesky-kernel.js';
import type { NativeMap } from './native-map.js';

/** How a parameterization forms Sigma from its raw block, and its gradient back, on host memory. */
export interface SigmaMap {
  /** Length of one raw block; absent: d * d. */
  readonly block?: number;
  /**
   * Sigma (float32, both triangles) of the raw block raw[at..] into sigma[0..d * d], as its tfjs
   * `factor` rounds it before the Cholesky. `lo` names the factor slot (NativeMap), for a map that
   * keeps what its gradient needs.
   */
  sigma(raw: Float32Array, at: number, sigma: Float32Array, lo: number): void;
  /** d loss / d raw block into draw[at..] (upper triangle untouched) from the symmetric d loss / d Sigma at g[go..]. */
  gradient(raw: Float32Array, at: number, g: Float32Array, go: number, draw: Float32Array, lo: number): void;
}

/**
 * The native map of a parameterization that forms Sigma and factors it with the engine's
 * Cholesky (pivots as checks), as its tfjs `factor` composes `cholesky` after its Sigma: the
 * shared Cholesky kernel, and its backward before the map's own gradient; or, where the task
 * gives d loss / d Sigma, the map's gradient alone.
 */
export function throughCholesky(d: number, m: SigmaMap): NativeMap {
  const k = new CholeskyKernel(d);
  const sigma = new Float32Array(d * d);
  const dsigma = new Float32Array(d * d);
  return {
    block: m.block,
    forward(raw, at, l, lo, checks, ct) {
      m.sigma(raw, at, sigma, lo);
      return k.forward(sigma, 0, l, lo, checks, ct);
    },
    backward(raw, at, l, dl, lo, draw) {
      k.backward(l, lo, dl, lo, dsigma, 0);
      m.gradient(raw, at, dsigma, 0, draw, lo);
    },
    fromSigma(g, lo, draw, at, raw) {
      m.gradient(raw, at, g, lo, draw, lo);
    },
  };
}
