import { RowKernel } from '../ops/spherical-kernel.js';
import type { NativeMap } from './native-map.js';

/**
 * spherical: L row by row by the row kernel of the fused tfjs op (ops/spherical-kernel.ts),
 * forward and backward; its diagonal as checks. Every raw block has a factor. Each factor slot
 * keeps its rows' sines, cosines and scales from the forward for the backward of the same block
 * (the same numbers the backward would recompute: it would redo the transcendental half of its cost).
 */
export function spherical(d: number): NativeMap {
  const kept = new Map<number, RowKernel>();
  const slot = (lo: number) => {
    let k = kept.get(lo);
    if (!k) {
      k = new RowKernel(d, d);
      kept.set(lo, k);
    }
    return k;
  };
  return {
    forward(raw, at, l, lo, checks, ct) {
      const rows = slot(lo);
      for (let i = 0; i < d; i++) {
        rows.forward(raw, at + i * d, l, lo + i * d, i, i);
        checks[ct + i] = l[lo + i * d + i];
      }
      return true;
    },
    backward(raw, at, _l, dl, lo, draw) {
      const rows = slot(lo);
      for (let i = 0; i < d; i++) rows.backward(raw, at + i * d, dl, lo + i * d, draw, at + i * d, i, i);
    },
  };
}
