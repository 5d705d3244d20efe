import { choleskyInto } from '../../ground/dense64.js';
import { cholesky } from '../ops/linalg.js';
import { eye } from '../ops/masks.js';
import { wasmKernelsFor } from '../ops/wasm.js';
import { tf } from '../tf.js';
import { LOWRANK_OPTIONS } from './specs.js';
import { choleskyOf } from './tril.js';
import type { Parameterization } from './types.js';

/**
 * Sigma = W W^T + diag(exp(v)), W d x r (torch LowRankMultivariateNormal:
 * cov_factor W, cov_diag exp(v)). Row i of the raw block [d, r + 1] is
 * (W_i1 .. W_ir, v_i). The rank is min(r, d): a column of W beyond d adds
 * nothing a d x d factor cannot hold.
 *
 * torch avoids forming Sigma (Woodbury and the capacitance matrix); here
 * Sigma is formed and factored by the engine's Cholesky, whose pivots are the
 * check values: Sigma is positive definite in exact arithmetic, but a tiny
 * exp(v) under a large W W^T is singular in float32, and that is reported.
 */
export function makeLowRank(r: number): Parameterization {
  if (!(Number.isInteger(r) && r >= 1))
    throw new RangeError(`lowrank: rank must be an integer >= 1, got ${r}`);
  const rankOf = (d: number) => Math.min(r, d);
  /** factor64's Sigma for each d, made on first use. */
  const scratch = new Map<number, Float64Array>();
  return {
    name: 'lowrank',
    summary: `Sigma = W W^T + diag(exp(v)), W of rank ${r} (torch LowRankMultivariateNormal)`,
    factorOf: 'covariance',
    checks: 'cholesky-pivots',
    rawShape: (d) => [d, rankOf(d) + 1],
    options: { schema: LOWRANK_OPTIONS, with: (v) => makeLowRank(v.rank as number) },
    /**
     * W's columns are the first r columns of chol(sigma0) / sqrt(2) and exp(v)
     * the rest of the diagonal. Exact when sigma0 is diagonal (both tasks start
     * from c I); otherwise the variances are kept and some correlation is lost.
     * W = 0 would also be exact for c I, but it is a stationary point: the
     * gradient by W is 2 G W, so W would never move.
     */
    fromCovariance(sigma0, d) {
      const k = rankOf(d);
      const l = choleskyOf(sigma0, d);
      const raw = new Float64Array(d * (k + 1));
      for (let i = 0; i < d; i++) {
        let ww = 0;
        for (let c = 0; c < k; c++) {
          const w = l[i * d + c] / Math.SQRT2;
          raw[i * (k + 1) + c] = w;
          ww += w * w;
        }
        raw[i * (k + 1) + k] = Math.log(sigma0[i * d + i] - ww);
      }
      return raw;
    },
    covariance(raw, d) {
      const k = rankOf(d);
      const sigma = new Float64Array(d * d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let c = 0; c < k; c++) s += raw[i * (k + 1) + c] * raw[j * (k + 1) + c];
          sigma[i * d + j] = s;
        }
        sigma[i * d + i] += Math.exp(raw[i * (k + 1) + k]);
      }
      return sigma;
    },
    // The condition check's factor: `covariance`'s lower triangle by the same float64 operations,
    // into scratch, and the same Cholesky as cholesky64's (from d = 8 its WebAssembly twin): its
    // numbers, without copying the block or allocating per call.
    factor64(raw, at, d, l) {
      const k = rankOf(d);
      const wasm = wasmKernelsFor(d);
      let sigma: Float64Array;
      let blocks: number[] = [];
      if (wasm) {
        blocks = wasm.shared(`cholesky64 ${d}`, [8 * d * d, 8 * d * d, 8 * d * (d + 4)]);
        sigma = wasm.f64().subarray(blocks[0] >> 3, (blocks[0] >> 3) + d * d);
      } else {
        let own = scratch.get(d);
        if (!own) {
          own = new Float64Array(d * d);
          scratch.set(d, own);
        }
        sigma = own;
      }
      for (let i = 0; i < d; i++) {
        const ri = at + i * (k + 1);
        for (let j = 0; j <= i; j++) {
          const rj = at + j * (k + 1);
          let s = 0;
          for (let c = 0; c < k; c++) s += raw[ri + c] * raw[rj + c];
          sigma[i * d + j] = s;
        }
        sigma[i * d + i] += Math.exp(raw[ri + k]);
      }
      if (!wasm) return choleskyInto(sigma, 0, d, l);
      if (!wasm.exports.choleskyInto64(d, blocks[0], blocks[1], blocks[2])) return false;
      const f64 = wasm.f64();
      const o = blocks[1] >> 3;
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) l[i * d + j] = f64[o + i * d + j];
      return true;
    },
    factor(raw, d) {
      const k = rankOf(d);
      const p = tf.reshape(raw, [-1, d, k + 1]);
      const w = tf.slice(p, [0, 0, 0], [-1, d, k]);
      // exp(v) [N, d, 1] times I puts exp(v_i) at (i, i).
      const noise = tf.mul(tf.exp(tf.slice(p, [0, 0, k], [-1, d, 1])), eye(d));
      const { factor, pivots } = cholesky(tf.add(tf.matMul(w, w, false, true), noise) as tf.Tensor3D);
      return { factor, checks: pivots };
    },
  };
}

export const lowrank = makeLowRank(LOWRANK_OPTIONS.rank.default as number);
