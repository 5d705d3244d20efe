import { inverseTransposeInto, products, rowDots } from '../ops/triangular.js';
import { OffsetViews } from '../ops/views.js';
import { type WasmKernels, wasmKernelsFor } from '../ops/wasm.js';
import type { Parameterization } from '../parameterizations/types.js';
import { DiagonalScoreMatching } from './score-matching-diagonal.js';
import type { NativeTask } from './types.js';

/**
 * Score matching for the native step, through each lane's data moments: with r_i = x_i - mu and
 * P the precision, sum_i |P r_i|^2 = tr(P R P) where R = sum_i r_i r_i^T = C + n e e^T, C the
 * scatter of the points about their mean xbar and e = xbar - mu. So the loss
 * tr(P R P) / (2n) - tr(P) costs O(d^3) a step instead of O(n d^2) (score-matching-fused.ts, the
 * tfjs op's kernel, walks the points); the moments are computed once, in float64, centred so
 * that nothing cancels. Gradients: d / d mu = -P^2 e; d / dP = G = (P R + R P) / (2n) - I, then
 * through P = W^T W with W = L^-1 (a covariance factor: dW = 2 W G, dL = -W^T dW W^T) or P = L L^T
 * (a precision factor: dL = 2 G L), lower triangles only. A map that forms Sigma and factors it
 * (`full` and the like) then takes the Cholesky backward of dL, as the tfjs op does: from d = 8
 * (SIGMA_FROM) this task takes it itself (`sigmaGradient`), through the W = L^-1 it has, by
 * products only, of dL rounded to float32 as the tfjs path rounds it. (d loss / d Sigma = -P G P
 * in closed form, tried, skips that rounding: its differences, amplified, end some runs of the
 * native-step test more than 1e-5 off the tfjs path's numbers.)
 *
 * Every product is a set of row-by-row dot products over contiguous memory (ops/triangular.ts's
 * products), so matrices a product reads by column are kept transposed too. Where the WebAssembly
 * kernels run (wasmKernelsFor), a lane is one call of assembly/score-matching.ts: the same
 * float64 operations in the same order, so the same numbers.
 */
/**
 * Below this d, `laneByLoops`: the same quantities by plain loops, one chain at a time. There a
 * product is a few terms, and the calls and set-up of the row-by-row kernels cost more than the
 * arithmetic (measured: 0.6x to 0.8x of the plain loops' lane-steps/s at d = 2 and 4; 1.2x at d =
 * 8, 1.6x to 2x from d = 16).
 */
const PRODUCTS_FROM = 8;

/**
 * From this d, d loss / d Sigma for a map that forms Sigma (`sigmaGradient`): the Cholesky backward
 * by products through W, in the lane's call (at d = 64, 26 us where the Cholesky kernel's backward
 * took 36 to 40 of a 130 us lane-step; 8 to 12% more lane-steps per second at d = 8 to 64). Below,
 * the lane's plain loops and the Cholesky kernel's backward: the numbers every run there had.
 */
const SIGMA_FROM = PRODUCTS_FROM;

export class NativeScoreMatching implements NativeTask {
  readonly counters = [];
  /** A covariance factor from d = 8: `lane` gives d loss / d Sigma when asked (sigmaGradient). */
  readonly sigmaGradient: boolean;
  private readonly xbar: Float64Array;
  private readonly scatter: Float64Array;
  /**
   * Row-major d x d scratch: W = L^-1 and W^T (covariance factor) or L and L^T (precision
   * factor), in float64 with zeros outside their triangles; P (both halves); P R; G;
   * dW^T; and T = W^T dW.
   */
  private readonly w: Float64Array;
  private readonly wt: Float64Array;
  private readonly p: Float64Array;
  private readonly pr: Float64Array;
  private readonly g: Float64Array;
  private readonly dwt: Float64Array;
  private readonly t: Float64Array;
  /** e, P e and P^2 e. */
  private readonly e: Float64Array;
  private readonly pe: Float64Array;
  private readonly ppe: Float64Array;
  /** The WebAssembly lane and its blocks, where it runs. */
  private readonly wasm?: LaneBlocks;
  /** This task among the thread's (ResidentScatters.owner). */
  private readonly id = ++tasks;
  /** The lane for a diagonal covariance factor, where the map makes one (NativeMap.diagonal). */
  private readonly diagonal?: DiagonalScoreMatching;

  /**
   * With `wasm: false` the JavaScript kernels run at every d (the tests' reference); with
   * `diagonal`, L is diagonal (score-matching-diagonal.ts).
   */
  constructor(
    x: Float32Array,
    private readonly n: number,
    private readonly d: number,
    lanes: number,
    private readonly of: Parameterization['factorOf'],
    { wasm = true, diagonal = false }: { wasm?: boolean; diagonal?: boolean } = {},
  ) {
    this.xbar = new Float64Array(lanes * d);
    this.scatter = new Float64Array(lanes * d * d);
    for (let b = 0; b < lanes; b++) {
      const mean = this.xbar.subarray(b * d, (b + 1) * d);
      for (let i = 0; i < n; i++) for (let p = 0; p < d; p++) mean[p] += x[(b * n + i) * d + p];
      for (let p = 0; p < d; p++) mean[p] /= n;
      const c = this.scatter.subarray(b * d * d, (b + 1) * d * d);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < d; p++) {
          const rp = x[(b * n + i) * d + p] - mean[p];
          for (let q = 0; q < d; q++) c[p * d + q] += rp * (x[(b * n + i) * d + q] - mean[q]);
        }
    }
    const dd = d * d;
    [this.w, this.wt, this.p, this.pr, this.g, this.dwt, this.t] = [0, 1, 2, 3, 4, 5, 6].map(
      () => new Float64Array(dd),
    );
    [this.e, this.pe, this.ppe] = [0, 1, 2].map(() => new Float64Array(d));
    const k = wasm ? wasmKernelsFor(d) : undefined;
    if (k) this.wasm = laneBlocks(k, d);
    this.sigmaGradient = of === 'covariance' && d >= SIGMA_FROM;
    if (diagonal && of === 'covariance')
      this.diagonal = new DiagonalScoreMatching(this.xbar, this.scatter, n, d, lanes);
  }

  begin(): void {}

  lane(
    b: number,
    params: Float32Array[],
    l: Float32Array,
    dl: Float32Array,
    grads: Float32Array[] | undefined,
    _counts?: Float32Array[],
    sigma = false,
  ) {
    const { n, d, p, pr, e, pe, ppe } = this;
    const mu = params[0];
    if (sigma && !this.sigmaGradient)
      throw new Error(
        `score matching: d loss / d Sigma is given from d = ${SIGMA_FROM} for a covariance factor`,
      );
    this.wasmLane = false;
    const byDiagonal = this.diagonal?.lane(b, mu, l, dl, grads);
    if (byDiagonal !== undefined) return byDiagonal;
    if (this.wasm) return this.laneWasm(b, mu, l, dl, grads, sigma);
    if (d < PRODUCTS_FROM) return this.laneByLoops(b, mu, l, dl, grads);
    this.precision(l);
    for (let k = 0; k < d; k++) e[k] = this.xbar[b * d + k] - mu[b * d + k];
    rowDots(e, 0, p, 0, d, d, 0, d, pe, 0, 1);
    // P R = P C + n (P e) e^T; C is symmetric, so (P C)_ij is row i of P against row j of C.
    products(p, 0, this.scatter, b * d * d, d, 'all', 'all', pr, false);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) pr[i * d + j] += n * pe[i] * e[j];
    const loss = this.lossAndG(grads !== undefined);
    if (!grads) return loss;
    rowDots(pe, 0, p, 0, d, d, 0, d, ppe, 0, 1);
    for (let i = 0; i < d; i++) grads[0][b * d + i] = -ppe[i];
    if (this.of === 'precision') this.precisionFactorGradient(dl);
    else this.covarianceFactorGradient(dl);
    if (sigma) this.sigmaGradientOf(l, dl);
    return loss;
  }

  /** Whether the last `lane` ran on WebAssembly, so left its factor in linear memory (`laneFactors`). */
  private wasmLane = false;

  /**
   * The factor the last `lane` copied into linear memory (the kernel only reads it), where it
   * ran there: the condition check then reads it in place rather than copying it in again.
   */
  laneFactors(): Float32Array | undefined {
    return this.wasmLane ? this.wasm!.factor(this.wasm!.k.f32()) : undefined;
  }

  /**
   * `lane` as one call of the WebAssembly kernel: the factor and e copied in, the lane's scatter
   * read where it stays (residentScatters), the loss returned, d loss / d mu and dL copied out (its
   * lower triangle new, its upper triangle the bits it came in with: two block copies cost less
   * than an element loop over the triangle), or with `sigma` d loss / d Sigma, all of it new.
   */
  private laneWasm(
    b: number,
    mu: Float32Array,
    l: Float32Array,
    dl: Float32Array,
    grads: Float32Array[] | undefined,
    sigma: boolean,
  ): number {
    const { d, n } = this;
    const wasm = this.wasm!;
    const { k, l: lw, e, gmu, dl: dlw, scratch } = wasm;
    const dd = d * d;
    // First: it may grow linear memory, which detaches the views taken below.
    const c = this.residentScatters(k) + b * dd * 8;
    const f32 = k.f32();
    const f64 = k.f64();
    // Views made once (a subarray per lane and step costs more than the lookup): L and dL are
    // whole blocks where the step hands over one unit's memory (as in place, tril).
    f32.set(l.length === dd ? l : wasm.factors.view(l, 0), lw >> 2);
    // dL goes in too, so that it comes back by one copy with its upper triangle as it was (the
    // step may hand over memory whose upper triangle is not ours; the kernel leaves it alone).
    // d loss / d Sigma is written whole.
    if (grads && !sigma) f32.set(dl.length === dd ? dl : wasm.factors.view(dl, 0), dlw >> 2);
    for (let i = 0; i < d; i++) f64[(e >> 3) + i] = this.xbar[b * d + i] - mu[b * d + i];
    this.wasmLane = true;
    const loss = k.exports.scoreMatchingLane(
      d,
      n,
      this.of === 'precision',
      !!grads,
      sigma,
      lw,
      c,
      e,
      gmu,
      dlw,
      scratch,
    );
    if (!grads) return loss;
    const out = wasm.out(f32);
    grads[0].set(out.gmu, b * d);
    dl.set(out.dl);
    return loss;
  }

  /**
   * Where lane 0's scatter lies in linear memory (lane b's b d^2 float64 on): the thread's block of
   * this d, into which every lane's scatter is copied when another task's are there (or none
   * yet). While one task trains they stay, where a copy per lane and step (32 KiB at d = 64) cost
   * 1 to 3% of the step; tasks that take turns step by step copy what they did before.
   */
  private residentScatters(k: WasmKernels): number {
    const { d } = this;
    let r = residents.get(d);
    if (r?.owner === this.id) return r.at;
    const lanes = this.xbar.length / d;
    if (!r || r.lanes < lanes) {
      // Whole powers of two of lanes, so that a thread's blocks of this d stay within twice the
      // largest one asked for.
      const capacity = 2 ** Math.ceil(Math.log2(lanes));
      r = { at: k.reserve(capacity * d * d * 8), lanes: capacity, owner: 0 };
      residents.set(d, r);
    }
    k.f64().set(this.scatter, r.at >> 3);
    r.owner = this.id;
    return r.at;
  }

  /** P (both halves) of the factor l; W and W^T, or L and L^T, in float64 on the way. */
  private precision(l: Float32Array) {
    const { d, w, wt, p } = this;
    if (this.of === 'precision') {
      for (let i = 0; i < d; i++) for (let k = 0; k <= i; k++) w[i * d + k] = wt[k * d + i] = l[i * d + k];
      // P = L L^T: P_ij = sum_{k <= j} L_ik L_jk, column j from row j down.
      products(w, 0, w, 0, d, 'from', 'head', p, true);
    } else {
      inverseTransposeInto(l, 0, d, wt);
      for (let i = 0; i < d; i++) for (let k = 0; k <= i; k++) w[i * d + k] = wt[k * d + i];
      // P = W^T W: P_ij = sum_{k >= i} W_ki W_kj, row i up to the diagonal.
      products(wt, 0, wt, 0, d, 'upTo', 'tail', p, false);
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) p[j * d + i] = p[i * d + j];
  }

  /** dL = 2 G L, lower triangle: (G L)_ij = sum_{k >= j} G_ik L_kj, column j from row j down. */
  private precisionFactorGradient(dl: Float32Array) {
    const { d, wt: lt, g, t } = this;
    products(lt, 0, g, 0, d, 'from', 'tail', t, true);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) dl[i * d + j] = 2 * t[i * d + j];
  }

  /** dL = -W^T dW W^T, lower triangle, with dW = 2 W G (lower triangle). */
  private covarianceFactorGradient(dl: Float32Array) {
    const { d, w, wt, g, dwt, t, pr: out } = this;
    // dW_ij = 2 sum_{k <= i} W_ik G_kj for j <= i: row i of W against row j of G, into dW^T.
    products(w, 0, g, 0, d, 'upTo', 'head', dwt, true);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) dwt[j * d + i] *= 2;
    // T = W^T dW, lower triangle (the rest is not read): T_ij = sum_{k >= i} W_ki dW_kj.
    products(wt, 0, dwt, 0, d, 'upTo', 'tail', t, false);
    // dL_ij = -sum_{k <= j} T_ik W_jk for j <= i: column j from row j down.
    products(w, 0, t, 0, d, 'from', 'head', out, true);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) dl[i * d + j] = -out[i * d + j];
  }

  /**
   * d loss / d Sigma into dl (d x d, both triangles) from dL, the float32 lower triangle of dl, at
   * the float32 factor l: the Cholesky backward's sym(S), S = L^-T Phi L^-1, Phi = tril(L^T dL)
   * with its diagonal halved (CholeskyKernel.backward), through W = L^-1: M = Phi W, and for j <=
   * i S_ij = sum_{k >= i} W_ki M_kj, S_ji = sum_{k >= i} W_kj M_ki (assembly/score-matching.ts's
   * sigmaBackward, bit for bit). Scratch: dW^T's block takes L^T, T's dL^T, P's Phi, P R's M.
   */
  private sigmaGradientOf(l: Float32Array, dl: Float32Array) {
    const { d, w, wt, dwt: lt, t: dlt, p: phi, pr: m } = this;
    for (let i = 0; i < d; i++)
      for (let k = 0; k <= i; k++) {
        lt[k * d + i] = l[i * d + k];
        dlt[k * d + i] = dl[i * d + k];
      }
    // Phi_ic = sum_{k >= i} L_ki dL_kc for c <= i: row i of L^T against row c of dL^T from k = i.
    products(lt, 0, dlt, 0, d, 'upTo', 'tail', phi, false);
    for (let i = 0; i < d; i++) phi[i * d + i] *= 0.5;
    // M_ic = sum_{k = c & ~7}^{i} Phi_ik W_kc: from the first column of c's block of eight, as the
    // WebAssembly's blocks of outputs start their sums (the terms before c are Phi_ik * 0).
    for (let i = 0; i < d; i++)
      for (let c = 0; c <= i; c++) {
        let sum = 0;
        for (let k = c & ~7; k <= i; k++) sum += phi[i * d + k] * w[k * d + c];
        m[i * d + c] = sum;
      }
    // (S_ic + S_ci) / 2 for c <= i, each sum from k = i: W_ki M_kc and W_kc M_ki.
    for (let i = 0; i < d; i++)
      for (let c = 0; c <= i; c++) {
        let a = 0;
        let b = 0;
        for (let k = i; k < d; k++) a += wt[i * d + k] * m[k * d + c];
        for (let k = i; k < d; k++) b += m[k * d + i] * wt[c * d + k];
        dl[i * d + c] = dl[c * d + i] = (a + b) * 0.5;
      }
  }

  /** The loss tr(P R P) / (2n) - tr(P) from P and P R; with `withG`, G = (P R + R P) / (2n) - I too. */
  private lossAndG(withG: boolean): number {
    const { n, d, p, pr, g } = this;
    let fit = 0;
    let trace = 0;
    for (let k = 0; k < d * d; k++) fit += pr[k] * p[k];
    for (let k = 0; k < d; k++) trace += p[k * d + k];
    if (withG)
      for (let i = 0; i < d; i++)
        for (let j = 0; j < d; j++)
          g[i * d + j] = (pr[i * d + j] + pr[j * d + i]) / (2 * n) - (i === j ? 1 : 0);
    return fit / (2 * n) - trace;
  }

  /**
   * The lane at small d: the same loss and gradients as `lane`'s products, by plain loops (P R and
   * the gradient's products in full rows; dW and T = W^T dW in the lower triangle only).
   */
  private laneByLoops(
    b: number,
    mu: Float32Array,
    l: Float32Array,
    dl: Float32Array,
    grads: Float32Array[] | undefined,
  ): number {
    const { n, d, w, p, pr, g, e, pe, t: dw } = this;
    if (this.of === 'precision') {
      // P = L L^T: P_ij = sum_{k <= j} L_ik L_jk.
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k <= j; k++) s += l[i * d + k] * l[j * d + k];
          p[i * d + j] = p[j * d + i] = s;
        }
    } else {
      // Row i of W: W_ij = (delta_ij - sum_{j <= k < i} L_ik W_kj) / L_ii; P = W^T W.
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let s = i === j ? 1 : 0;
          for (let k = j; k < i; k++) s -= l[i * d + k] * w[k * d + j];
          w[i * d + j] = s / l[i * d + i];
        }
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = i; k < d; k++) s += w[k * d + i] * w[k * d + j];
          p[i * d + j] = p[j * d + i] = s;
        }
    }
    for (let k = 0; k < d; k++) e[k] = this.xbar[b * d + k] - mu[b * d + k];
    const c = b * d * d;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += p[i * d + k] * e[k];
      pe[i] = s;
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = n * pe[i] * e[j];
        for (let k = 0; k < d; k++) s += p[i * d + k] * this.scatter[c + k * d + j];
        pr[i * d + j] = s;
      }
    const loss = this.lossAndG(grads !== undefined);
    if (!grads) return loss;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += p[i * d + k] * pe[k];
      grads[0][b * d + i] = -s;
    }
    if (this.of === 'precision') {
      // dL = 2 G L: (G L)_ij = sum_{k >= j} G_ik L_kj.
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = j; k < d; k++) s += g[i * d + k] * l[k * d + j];
          dl[i * d + j] = 2 * s;
        }
      return loss;
    }
    // dW = 2 W G: (W G)_ij = sum_{k <= i} W_ik G_kj; T = W^T dW (into pr): T_ij = sum_{k >= i}
    // W_ki dW_kj; dL_ij = -sum_{k <= j} T_ik W_jk, all for j <= i.
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += w[i * d + k] * g[k * d + j];
        dw[i * d + j] = 2 * s;
      }
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = i; k < d; k++) s += w[k * d + i] * dw[k * d + j];
        pr[i * d + j] = s;
      }
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += pr[i * d + k] * w[j * d + k];
        dl[i * d + j] = -s;
      }
    return loss;
  }
}

/** Tasks made on this thread so far (each task's `id`). */
let tasks = 0;

/** A thread's block of every lane's scatter for one d (lanes of them), and the task whose they hold. */
interface ResidentScatters {
  at: number;
  lanes: number;
  owner: number;
}

/** The thread's blocks of resident scatters, by d. */
const residents = new Map<number, ResidentScatters>();

/**
 * assembly/score-matching.ts's blocks for one d: factor, e, d loss / d mu, dL, scratch; views of
 * the step's factor blocks by offset, and of the results in linear memory.
 */
interface LaneBlocks {
  k: WasmKernels;
  l: number;
  e: number;
  gmu: number;
  dl: number;
  scratch: number;
  factors: OffsetViews;
  /** d loss / d mu and dL in linear memory's current buffer `f32`. */
  out(f32: Float32Array): { gmu: Float32Array; dl: Float32Array };
  /** The factor's block in linear memory's current buffer `f32`. */
  factor(f32: Float32Array): Float32Array;
}

/** The thread's blocks for d, shared by every task of that d (WasmKernels.shared). */
function laneBlocks(k: WasmKernels, d: number): LaneBlocks {
  const dd = d * d;
  const sizes = [4 * dd, 8 * d, 4 * d, 4 * dd, 8 * (5 * dd + 6 * d)];
  const [l, e, gmu, dl, scratch] = k.shared(`score matching ${d}`, sizes);
  let views: { f32: Float32Array; gmu: Float32Array; dl: Float32Array; l: Float32Array } | undefined;
  const out = (f32: Float32Array) => {
    if (views?.f32 !== f32) {
      const view = (at: number, n: number) => f32.subarray(at >> 2, (at >> 2) + n);
      views = { f32, gmu: view(gmu, d), dl: view(dl, dd), l: view(l, dd) };
    }
    return views;
  };
  return { k, l, e, gmu, dl, scratch, factors: new OffsetViews(dd), out, factor: (f32) => out(f32).l };
}
