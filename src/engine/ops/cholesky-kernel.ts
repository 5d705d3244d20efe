import { rowDots } from './triangular.js';
import { OffsetViews } from './views.js';
import { type WasmKernels, wasmKernelsFor } from './wasm.js';

/**
 * One element's Cholesky factor and its backward, in float64 with float32 input and output: what
 * linalg.ts's fused `cholesky` op runs for each element, and what the native step runs for `full`
 * (so both give a lane the same numbers). Scratch is allocated once per kernel, and laid out so
 * every inner loop runs over contiguous memory.
 */
export class CholeskyKernel {
  /** The factor in float64, before rounding to float32: what later columns are computed from. */
  private readonly w: Float64Array;
  /** L^T (row j holds column j of L), so column reads of L are contiguous. */
  private readonly lt: Float64Array;
  /** Lbar^T, for the same reason. */
  private readonly bt: Float64Array;
  private readonly g: Float64Array;
  /** The WebAssembly twins of `forward` and `backward` and their blocks, where they run. */
  private readonly wasm?: Blocks;
  /**
   * Views of the blocks that results are copied out of, kept while linear memory keeps its
   * buffer: a view made per call costs about 40 ns, several per lane and step.
   */
  private out?: { f32: Float32Array; l: Float32Array; pivots: Float32Array; abar: Float32Array };
  /** Views of the operands copied in (a, l, lbar), by offset into the buffers handed in. */
  private readonly in: OffsetViews[];

  /** With `wasm: false` the JavaScript kernel runs at every d (the tests' reference). */
  constructor(
    private readonly d: number,
    { wasm = true }: { wasm?: boolean } = {},
  ) {
    this.w = new Float64Array(d * d);
    this.lt = new Float64Array(d * d);
    this.bt = new Float64Array(d * d);
    this.g = new Float64Array(d * d);
    this.in = [0, 1, 2].map(() => new OffsetViews(d * d));
    const k = wasm ? wasmKernelsFor(d) : undefined;
    if (k) this.wasm = blocks(k, d);
  }

  /**
   * L of the symmetric matrix whose lower triangle is a[at..] into l[lt..] (float32, upper
   * triangle zero) and its pivots into pivots[pt..]. When the pivot of column j is <= 0 or NaN
   * (judged as float32), it stops: that pivot, NaN pivots after it, NaN factor columns from j on.
   * Returns whether it succeeded.
   */
  forward(
    a: Float32Array,
    at: number,
    l: Float32Array,
    lo: number,
    pivots: Float32Array,
    pt: number,
  ): boolean {
    if (this.wasm) return this.forwardWasm(a, at, l, lo, pivots, pt);
    const { d, w } = this;
    let failedAt = d;
    for (let j = 0; j < d; j++) {
      const rj = j * d;
      let s = a[at + rj + j];
      for (let k = 0; k < j; k++) s -= w[rj + k] * w[rj + k];
      // Judge the float32 value that is reported, so that a pivot underflowing to 0 fails here
      // exactly as the health check will classify it.
      const pivot = Math.fround(s);
      pivots[pt + j] = pivot;
      if (!(pivot > 0)) {
        failedAt = j;
        break;
      }
      const ljj = Math.sqrt(s);
      w[rj + j] = ljj;
      // Four rows at a time, then two, then one: their sums are independent chains of dependent
      // subtractions, which overlap; each row's own sequence of float ops is the one-row loop's.
      let i = j + 1;
      for (; i + 3 < d; i += 4) {
        const r0 = i * d;
        const r1 = r0 + d;
        const r2 = r1 + d;
        const r3 = r2 + d;
        let t0 = a[at + r0 + j];
        let t1 = a[at + r1 + j];
        let t2 = a[at + r2 + j];
        let t3 = a[at + r3 + j];
        for (let k = 0; k < j; k++) {
          const wjk = w[rj + k];
          t0 -= w[r0 + k] * wjk;
          t1 -= w[r1 + k] * wjk;
          t2 -= w[r2 + k] * wjk;
          t3 -= w[r3 + k] * wjk;
        }
        w[r0 + j] = t0 / ljj;
        w[r1 + j] = t1 / ljj;
        w[r2 + j] = t2 / ljj;
        w[r3 + j] = t3 / ljj;
      }
      for (; i + 1 < d; i += 2) {
        const ri = i * d;
        const rn = ri + d;
        let t = a[at + ri + j];
        let u = a[at + rn + j];
        for (let k = 0; k < j; k++) {
          const wjk = w[rj + k];
          t -= w[ri + k] * wjk;
          u -= w[rn + k] * wjk;
        }
        w[ri + j] = t / ljj;
        w[rn + j] = u / ljj;
      }
      if (i < d) {
        const ri = i * d;
        let t = a[at + ri + j];
        for (let k = 0; k < j; k++) t -= w[ri + k] * w[rj + k];
        w[ri + j] = t / ljj;
      }
    }
    // w's upper triangle is never written, so it is zero: a whole factor is one typed-array copy
    // (float32 rounding, as an element store rounds), several times faster than a loop from 64
    // elements on (below, the call costs more than it saves).
    if (failedAt === d && d >= 8) {
      l.set(w, lo);
      return true;
    }
    for (let j = failedAt + 1; j < d; j++) pivots[pt + j] = Number.NaN;
    for (let i = 0; i < d; i++) {
      const ri = i * d;
      const known = Math.min(i + 1, failedAt);
      let c = 0;
      for (; c < known; c++) l[lo + ri + c] = w[ri + c];
      for (; c <= i; c++) l[lo + ri + c] = Number.NaN;
      for (; c < d; c++) l[lo + ri + c] = 0;
    }
    return failedAt === d;
  }

  /**
   * `forward` on the WebAssembly kernel (assembly/cholesky.ts): the same operations in the same
   * order, two rows of a column per f64x2, with the factor kept column by column (w^T).
   */
  private forwardWasm(
    a: Float32Array,
    at: number,
    l: Float32Array,
    lo: number,
    pivots: Float32Array,
    pt: number,
  ): boolean {
    const { d } = this;
    const { k, a: ao, l: lw, pivots: po, wt } = this.wasm!;
    let f32 = k.f32();
    f32.set(this.in[0].view(a, at), ao >> 2);
    const failedAt = k.exports.choleskyForward(d, ao, lw, po, wt);
    f32 = k.f32();
    if (failedAt === d) {
      const out = this.outViews(f32);
      l.set(out.l, lo);
      pivots.set(out.pivots, pt);
      return true;
    }
    // As `forward` fails: the pivots up to the failing one, NaN after it; the factor's columns
    // before it, NaN from it on (lower triangle), zero above.
    const f64 = k.f64();
    const w0 = wt >> 3;
    for (let j = 0; j < d; j++) pivots[pt + j] = j <= failedAt ? f32[(po >> 2) + j] : Number.NaN;
    for (let i = 0; i < d; i++) {
      const ri = i * d;
      const known = Math.min(i + 1, failedAt);
      let c = 0;
      for (; c < known; c++) l[lo + ri + c] = f64[w0 + c * d + i];
      for (; c <= i; c++) l[lo + ri + c] = Number.NaN;
      for (; c < d; c++) l[lo + ri + c] = 0;
    }
    return false;
  }

  /**
   * abar = sym(L^-T Phi L^-1), Phi = tril(L^T Lbar) with its diagonal halved (Murray 2016, torch's
   * cholesky_backward; the symmetric gradient), of the float32 factor at l[lo..] and the lower
   * triangle of lbar[bo..], into abar[ao..]. Phi, then Phi L^-1, then L^-T Phi L^-1 overwrite one
   * scratch matrix in place.
   */
  backward(
    l: Float32Array,
    lo: number,
    lbar: Float32Array,
    bo: number,
    abar: Float32Array,
    ao: number,
  ): void {
    if (this.wasm) {
      this.backwardWasm(l, lo, lbar, bo, abar, ao);
      return;
    }
    const { d, lt, bt, g } = this;
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) {
        lt[j * d + i] = l[lo + i * d + j];
        bt[j * d + i] = lbar[bo + i * d + j];
      }
    // Phi_ij = sum_{k >= i} L_ki Lbar_kj for j <= i (only Lbar's lower triangle affects L): row i
    // of L^T against row j of Lbar^T, k ascending.
    for (let i = 0; i < d; i++) {
      rowDots(lt, i * d, bt, 0, d, i + 1, i, d, g, i * d, 1);
      g[i * d + i] /= 2;
      for (let j = i + 1; j < d; j++) g[i * d + j] = 0;
    }
    // M = Phi L^-1, row by row: M_i L = Phi_i by back substitution; M stays lower. Rows i and i +
    // 1 go together (row i + 1's column i + 1 first): two independent chains, each row's
    // sequence of float ops the one-row loop's.
    let i = 0;
    for (; i + 1 < d; i += 2) {
      const ri = i * d;
      const rn = ri + d;
      {
        const cj = (i + 1) * d;
        g[rn + i + 1] = g[rn + i + 1] / lt[cj + i + 1];
      }
      for (let j = i; j >= 0; j--) {
        const cj = j * d;
        let s = g[ri + j];
        let t = g[rn + j];
        for (let k = j + 1; k <= i; k++) {
          const ljk = lt[cj + k];
          s -= g[ri + k] * ljk;
          t -= g[rn + k] * ljk;
        }
        t -= g[rn + i + 1] * lt[cj + i + 1];
        g[ri + j] = s / lt[cj + j];
        g[rn + j] = t / lt[cj + j];
      }
    }
    if (i < d) {
      const ri = i * d;
      for (let j = i; j >= 0; j--) {
        const cj = j * d;
        let s = g[ri + j];
        for (let k = j + 1; k <= i; k++) s -= g[ri + k] * lt[cj + k];
        g[ri + j] = s / lt[cj + j];
      }
    }
    // S = L^-T M, last row first, whole rows at a time, two rows of M into each at once (each
    // entry still takes its subtractions in ascending k).
    for (let i = d - 1; i >= 0; i--) {
      const ri = i * d;
      let k = i + 1;
      for (; k + 1 < d; k += 2) {
        const a = lt[ri + k];
        const c = lt[ri + k + 1];
        const rk = k * d;
        const rn = rk + d;
        for (let j = 0; j < d; j++) g[ri + j] = g[ri + j] - a * g[rk + j] - c * g[rn + j];
      }
      if (k < d) {
        const a = lt[ri + k];
        const rk = k * d;
        for (let j = 0; j < d; j++) g[ri + j] -= a * g[rk + j];
      }
      const lii = lt[ri + i];
      for (let j = 0; j < d; j++) g[ri + j] /= lii;
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) abar[ao + i * d + j] = (g[i * d + j] + g[j * d + i]) / 2;
  }

  /**
   * `backward` on the WebAssembly kernel (assembly/cholesky.ts): the same operations in the same
   * order, two rows of M or two columns of S per f64x2.
   */
  private backwardWasm(
    l: Float32Array,
    lo: number,
    lbar: Float32Array,
    bo: number,
    abar: Float32Array,
    ao: number,
  ): void {
    const { d } = this;
    const { k, l: lw, lbar: bw, abar: aw, scratch } = this.wasm!;
    let f32 = k.f32();
    f32.set(this.in[1].view(l, lo), lw >> 2);
    f32.set(this.in[2].view(lbar, bo), bw >> 2);
    k.exports.choleskyBackward(d, lw, bw, aw, scratch);
    f32 = k.f32();
    abar.set(this.outViews(f32).abar, ao);
  }

  /** `out` for linear memory's current buffer (`f32`). */
  private outViews(f32: Float32Array) {
    if (this.out?.f32 !== f32) {
      const { d } = this;
      const { l, pivots, abar } = this.wasm!;
      const view = (at: number, n: number) => f32.subarray(at >> 2, (at >> 2) + n);
      this.out = { f32, l: view(l, d * d), pivots: view(pivots, d), abar: view(abar, d * d) };
    }
    return this.out;
  }
}

/** assembly/cholesky.ts's blocks for one d: forward's a, l, pivots, w^T; backward's lbar, abar, scratch. */
interface Blocks {
  k: WasmKernels;
  a: number;
  l: number;
  pivots: number;
  wt: number;
  lbar: number;
  abar: number;
  scratch: number;
}

/** The thread's blocks for d, shared by every kernel of that d (WasmKernels.shared). */
function blocks(k: WasmKernels, d: number): Blocks {
  const dd = d * d;
  const sizes = [4 * dd, 4 * dd, 4 * d, 8 * dd, 4 * dd, 4 * dd, 8 * (3 * dd + 6 * d)];
  const [a, l, pivots, wt, lbar, abar, scratch] = k.shared(`cholesky ${d}`, sizes);
  return { k, a, l, pivots, wt, lbar, abar, scratch };
}
