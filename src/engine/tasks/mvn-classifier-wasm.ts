import type { WasmKernels } from '../ops/wasm.js';

/** log(2 pi) / 2: a density's constant is -d times it. */
export const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Offsets of one lane's operands and scratch in linear memory. */
interface Blocks {
  x: number;
  mu: number;
  l: number;
  lc: number;
  zs: number;
  maha: number;
  t: number;
  g: number;
  s: number;
  sp: number;
  acc: number;
  accMu: number;
  w: number;
  dl: number;
  dmu: number;
}

/**
 * Blocks by shape (d, units, minibatch size), one set per thread (WasmKernels.shared): a lane's
 * blocks hold nothing between its `lane` calls, so every classifier of a shape shares them, and a
 * worker that trains batch after batch reserves them once.
 */
function blocksFor(k: WasmKernels, d: number, units: number, size: number): Blocks {
  const dd = d * d;
  const chains = units * size;
  // In the order of Blocks' fields.
  const [x, mu, l, lc, zs, maha, t, g, s, sp, acc, accMu, w, dl, dmu] = k.shared(
    `classifier ${d} ${units} ${size}`,
    [
      4 * size * d,
      4 * units * d,
      4 * units * dd,
      8 * units * dd,
      8 * chains * d,
      8 * chains,
      8 * d,
      8 * chains,
      8 * chains * d,
      16 * d,
      8 * dd,
      8 * d,
      8 * dd,
      4 * units * dd,
      4 * units * d,
    ],
  );
  return { x, mu, l, lc, zs, maha, t, g, s, sp, acc, accMu, w, dl, dmu };
}

/**
 * One lane's densities and their backward on the WebAssembly kernels (assembly/classifier.ts),
 * the twin of NativeClassifier's `density` and `densityBackward` (the same float64 operations in
 * the same order, so the same numbers): each is one call for all of the lane's units, its inputs
 * copied in once and its outputs out once; z and the factors in float64 stay in linear memory
 * from the forward to the backward of the same lane.
 */
export class ClassifierWasm {
  private readonly b: Blocks;
  /** The views of the dL block and of the factors, kept while linear memory keeps its buffer. */
  private dlView?: Float32Array;
  private lView?: Float32Array;

  constructor(
    private readonly k: WasmKernels,
    private readonly d: number,
    private readonly units: number,
    size: number,
  ) {
    this.b = blocksFor(k, d, units, size);
  }

  /**
   * log N(x_i | mu_u, L_u L_u^T) of lane b's m trials (its points at points[b m d..]) into
   * logp[(b U + u) m + i], for its units' means mu[b U d..] and factors l[u d^2..].
   */
  forward(
    b: number,
    m: number,
    points: Float32Array,
    mu: Float32Array,
    l: Float32Array,
    logp: Float64Array,
  ): void {
    const { k, d, units: U, b: o } = this;
    const dd = d * d;
    const f32 = k.f32();
    // No subarray per lane: making one costs more than copying a few dozen numbers, and each is
    // garbage (64 lanes, 64 of them a step). Loops for the short operands; the factors are the
    // step's whole block (or a view of exactly the lane's blocks), copied as they are.
    const x0 = o.x >> 2;
    const xn = m * d;
    for (let j = 0; j < xn; j++) f32[x0 + j] = points[b * xn + j];
    const mu0 = o.mu >> 2;
    const mun = U * d;
    for (let j = 0; j < mun; j++) f32[mu0 + j] = mu[b * mun + j];
    f32.set(l.length === U * dd ? l : l.subarray(0, U * dd), o.l >> 2);
    k.exports.classifierForward(d, U, m, o.x, o.mu, o.l, o.lc, o.zs, o.maha, o.t);
    const maha = k.f64();
    for (let u = 0; u < U; u++) {
      // Math.log here, not in the kernel: the log-determinant is JavaScript's, bit for bit.
      let half = 0;
      for (let j = 0; j < d; j++) half += Math.log(l[u * dd + j * d + j]);
      for (let i = 0; i < m; i++)
        logp[(b * U + u) * m + i] = -0.5 * maha[(o.maha >> 3) + u * m + i] - half - d * HALF_LOG_2PI;
    }
  }

  /**
   * From dlogp[(b U + u) m + i], the lane's d loss / d mu into dmu[b U d..] and, per unit, d loss /
   * d L into the lower triangle of dl[u d^2..] (zeros above it) or, with `sigma`, d loss / d Sigma.
   */
  backward(
    b: number,
    m: number,
    dlogp: Float64Array,
    dl: Float32Array,
    dmu: Float32Array,
    sigma: boolean,
  ): void {
    const { k, d, units: U, b: o } = this;
    const f64 = k.f64();
    for (let c = 0; c < U * m; c++) f64[(o.g >> 3) + c] = dlogp[b * U * m + c];
    k.exports.classifierBackward(
      d,
      U,
      m,
      sigma,
      o.lc,
      o.zs,
      o.g,
      o.s,
      o.sp,
      o.acc,
      o.accMu,
      o.w,
      o.dl,
      o.dmu,
    );
    const f32 = k.f32();
    dl.set(this.dlOut(f32));
    for (let j = 0; j < U * d; j++) dmu[b * U * d + j] = f32[(o.dmu >> 2) + j];
  }

  /** The factors the last `forward` copied in, as a view of linear memory (made again only when memory grew). */
  factors(): Float32Array {
    if (!this.lView || this.lView.length === 0) {
      const at = this.b.l >> 2;
      this.lView = this.k.f32().subarray(at, at + this.units * this.d * this.d);
    }
    return this.lView;
  }

  /** The dL block as a view of `f32`, made again only when memory grew (the old view is empty then). */
  private dlOut(f32: Float32Array): Float32Array {
    if (!this.dlView || this.dlView.length === 0) {
      const at = this.b.dl >> 2;
      this.dlView = f32.subarray(at, at + this.units * this.d * this.d);
    }
    return this.dlView;
  }
}
