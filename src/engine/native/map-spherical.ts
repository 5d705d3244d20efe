import { RowKernel } from '../ops/spherical-kernel.js';
import type { NativeMap } from './native-map.js';

/**
 * spherical: L row by row by the row kernel of the fused tfjs op (ops/spherical-kernel.ts),
 * forward and backward; its diagonal as checks. Every raw block has a factor.
 */
export function spherical(d: number): NativeMap {
  const rows = new RowKernel(d);
  return {
    forward(raw, at, l, lo, checks, ct) {
      for (let i = 0; i < d; i++) {
        rows.forward(raw, at + i * d, l, lo + i * d, i);
        checks[ct + i] = l[lo + i * d + i];
      }
      return true;
    },
    backward(raw, at, _l, dl, lo, draw) {
      for (let i = 0; i < d; i++) rows.backward(raw, at + i * d, dl, lo + i * d, draw, at + i * d, i);
    },
  };
}
