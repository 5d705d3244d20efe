import type { NativeMap } from './native-map.js';
import { throughCholesky } from './through-cholesky.js';

const f32 = Math.fround;

/**
 * lowrank: Sigma = W W^T + diag(exp(v)) from the raw block [d, r + 1] (rows (W_i, v_i)), rounded
 * as its tfjs ops round it: W W^T in float32 (each entry's sum in float64, as tfjs's cpu matMul
 * sums a block of up to 48 terms), exp(v) in float32, then their float32 sum. Gradient from the
 * symmetric G = d loss / d Sigma: dW = G W + G^T W = 2 G W (rounded once before doubling, as
 * matMul's two branches are), dv_i = G_ii exp(v_i).
 */
export function lowrank(d: number, options: Record<string, unknown>): NativeMap {
  const k = Math.min(options.rank as number, d);
  const row = k + 1;
  return throughCholesky(d, {
    block: d * row,
    sigma(raw, at, sigma) {
      for (let i = 0; i < d; i++) {
        const ri = at + i * row;
        for (let j = 0; j <= i; j++) {
          const rj = at + j * row;
          let s = 0;
          for (let c = 0; c < k; c++) s += raw[ri + c] * raw[rj + c];
          sigma[i * d + j] = sigma[j * d + i] = f32(s);
        }
        sigma[i * d + i] = f32(sigma[i * d + i] + f32(Math.exp(raw[ri + k])));
      }
    },
    gradient(raw, at, g, go, draw) {
      for (let i = 0; i < d; i++) {
        const ri = at + i * row;
        for (let c = 0; c < k; c++) {
          let s = 0;
          for (let j = 0; j < d; j++) s += g[go + i * d + j] * raw[at + j * row + c];
          draw[ri + c] = 2 * f32(s);
        }
        draw[ri + k] = f32(g[go + i * d + i] * f32(Math.exp(raw[ri + k])));
      }
    },
  });
}
