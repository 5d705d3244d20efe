import { ExpmKernel } from '../ops/expm-kernel.js';
import type { NativeMap } from './native-map.js';
import { throughCholesky } from './through-cholesky.js';

const f32 = Math.fround;

/**
 * matrix-exp: Sigma = expm(S), S the raw block's lower triangle mirrored, by the kernel of the
 * fused tfjs op (ops/expm-kernel.ts: S's eigendecomposition, which each factor slot keeps from
 * the forward for the backward, as the fused op keeps every element's); the gradient by S is the
 * kernel's adjoint L(S^T, G), and by the raw block dS_ij + dS_ji below the diagonal (rounded
 * once, as tfjs adds the two branches of S), dS_ii on it.
 */
export function matrixExp(d: number): NativeMap {
  const expm = new ExpmKernel(d);
  const s = new Float32Array(d * d);
  const ds = new Float32Array(d * d);
  const kept = new Map<number, Float64Array>();
  const slot = (lo: number) => {
    let k = kept.get(lo);
    if (!k) {
      k = new Float64Array(ExpmKernel.keepSize(d));
      kept.set(lo, k);
    }
    return k;
  };
  const symmetric = (raw: Float32Array, at: number) => {
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) s[i * d + j] = s[j * d + i] = raw[at + i * d + j];
  };
  return throughCholesky(d, {
    sigma(raw, at, sigma, lo) {
      symmetric(raw, at);
      expm.forward(s, 0, sigma, 0, slot(lo));
    },
    gradient(raw, at, g, go, draw, lo) {
      symmetric(raw, at);
      expm.backward(s, 0, g, go, ds, 0, slot(lo));
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < i; j++) draw[at + i * d + j] = f32(ds[i * d + j] + ds[j * d + i]);
        draw[at + i * d + i] = ds[i * d + i];
      }
    },
  });
}
