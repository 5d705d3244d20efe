import { GivensKernel } from '../ops/givens-kernel.js';
import type { NativeMap } from './native-map.js';
import { throughCholesky } from './through-cholesky.js';

/**
 * givens: Sigma = U diag(exp(l)) U^T by the rotation kernel of the fused tfjs op
 * (ops/givens-kernel.ts), forward and backward. Each factor slot keeps its V = U^T from the
 * forward for the backward, as the fused op keeps every element's.
 */
export function givens(d: number): NativeMap {
  const kernel = new GivensKernel(d);
  const v = new Map<number, Float64Array>();
  const slot = (lo: number) => {
    let s = v.get(lo);
    if (!s) {
      s = new Float64Array(d * d);
      v.set(lo, s);
    }
    return s;
  };
  return throughCholesky(d, {
    sigma: (raw, at, sigma, lo) => kernel.forward(raw, at, slot(lo), 0, sigma, 0),
    gradient: (raw, at, g, go, draw, lo) => kernel.backward(raw, at, slot(lo), 0, g, go, draw, at),
  });
}
