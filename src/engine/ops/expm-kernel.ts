import { dot } from './dot.js';
import { SymmetricEigenKernel } from './symmetric-eigen-kernel.js';
import { type WasmKernels, wasmKernelsFor } from './wasm.js';

/**
 * The matrix exponential of one d x d element and its adjoint derivative, in float64 with
 * float32 input and output: what expm.ts's fused op runs for each element, and what the native
 * step's matrix-exp map runs (so both give a lane the same numbers). Scratch is allocated once
 * per kernel.
 *
 * Two paths, by the input. A symmetric A (matrix-exp's S, exactly symmetric in float32) goes
 * through its eigendecomposition A = V diag(lambda) V^T (symmetric-eigen-kernel.ts, backward
 * stable): e^A = V diag(e^lambda) V^T, and the derivative by the Daleckii-Krein formula
 * L(A, G) = V (Phi o (V^T G V)) V^T, Phi_ij = (e^lambda_i - e^lambda_j) / (lambda_i - lambda_j),
 * a divided difference taken as e^min expm1(|delta|) / |delta|, which is e^lambda at a repeated
 * eigenvalue (every run starts at one, S = log(c) I) and accurate near one (Higham, Functions of
 * Matrices, 3.2). The forward can keep V and lambda for the backward (`keep`), which then costs
 * four matrix products: about a third of the Pade path's forward and backward together. Any
 * other A takes scaling and squaring with the [13/13] Pade approximant, and its derivative in
 * forward mode (Pade13). From d = 8 on, the symmetric path's products from V and lambda run in
 * WebAssembly (assembly/expm-eigen.ts, the same float64 operations in the same order).
 */
export class ExpmKernel {
  private readonly pade: Pade13;
  private readonly eigen: SymmetricEigenKernel;
  private readonly t: Float64Array;
  private readonly m: Float64Array;
  /** The WebAssembly twins of the symmetric path's products and their blocks, where they run. */
  private readonly wasm?: Blocks;

  /** With `wasm: false` the JavaScript kernel runs at every d (the tests' reference). */
  constructor(
    private readonly d: number,
    { wasm = true }: { wasm?: boolean } = {},
  ) {
    this.pade = new Pade13(d);
    this.eigen = new SymmetricEigenKernel(d);
    this.t = new Float64Array(d * d);
    this.m = new Float64Array(d * d);
    const k = wasm ? wasmKernelsFor(d) : undefined;
    if (k) this.wasm = blocks(k, d);
  }

  /** Floats `expm` keeps per element for the backward: V and lambda. */
  static keepSize(d: number): number {
    return d * d + d;
  }

  /**
   * e^A of A at a[at..] (row-major) into out[oo..]; NaN when A is not finite. With `keep`, a
   * symmetric A's V and lambda are kept at keep[ko..] for `backward` of the same A.
   */
  forward(a: Float32Array, at: number, out: Float32Array, oo: number, keep?: Float64Array, ko = 0): void {
    const { d, pade } = this;
    if (symmetricInput(a, at, d) && this.decompose(a, at)) {
      const { values, vectors } = this.eigen;
      if (keep) {
        keep.set(vectors, ko);
        keep.set(values, ko + d * d);
      }
      if (this.wasm) {
        this.fromEigenWasm(out, oo);
        return;
      }
      // e^A = sum_k e^lambda_k v_k v_k^T: rows of W = V diag(e^lambda) against rows of V, lower
      // triangle mirrored (exactly symmetric).
      const w = this.t;
      for (let i = 0; i < d; i++)
        for (let k = 0; k < d; k++) w[i * d + k] = vectors[i * d + k] * Math.exp(values[k]);
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++)
          out[oo + i * d + j] = out[oo + j * d + i] = dot(w, i * d, vectors, j * d, d);
      return;
    }
    // Not symmetric, not finite, or (never seen) a QL iteration that did not converge: the
    // backward then takes the Pade path too.
    if (keep) keep[ko + d * d] = Number.NaN;
    for (let k = 0; k < d * d; k++) pade.x[k] = a[at + k];
    pade.run(false);
    for (let k = 0; k < d * d; k++) out[oo + k] = pade.r[k];
  }

  /**
   * L(A^T, G), the gradient by A of <G, e^A>, for A at a[at..] and G at g[go..], into out[oo..].
   * `keep`: what `forward` kept for this A (a symmetric A's decomposition is then not redone).
   */
  backward(
    a: Float32Array,
    at: number,
    g: Float32Array,
    go: number,
    out: Float32Array,
    oo: number,
    keep?: Float64Array,
    ko = 0,
  ): void {
    const { d, pade } = this;
    if (keep && !Number.isNaN(keep[ko + d * d])) {
      this.frechet(keep, ko, keep, ko + d * d, g, go, out, oo);
      return;
    }
    if (!keep && symmetricInput(a, at, d) && this.decompose(a, at)) {
      this.frechet(this.eigen.vectors, 0, this.eigen.values, 0, g, go, out, oo);
      return;
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        pade.x[i * d + j] = a[at + j * d + i];
        pade.dx[i * d + j] = g[go + i * d + j];
      }
    pade.run(true);
    for (let k = 0; k < d * d; k++) out[oo + k] = pade.dr[k];
  }

  /** The eigendecomposition of the symmetric A at a[at..] into `eigen`; false when A is not finite (or QL failed). */
  private decompose(a: Float32Array, at: number): boolean {
    const { d, eigen } = this;
    for (let k = 0; k < d * d; k++) {
      if (!Number.isFinite(a[at + k])) return false;
      eigen.vectors[k] = a[at + k];
    }
    return eigen.run();
  }

  /** V (Phi o (V^T G V)) V^T for V at v[vo..] and lambda at l[lo..] into out[oo..]. */
  private frechet(
    v: Float64Array,
    vo: number,
    l: Float64Array,
    lo: number,
    g: Float32Array,
    go: number,
    out: Float32Array,
    oo: number,
  ): void {
    if (this.wasm) {
      this.frechetWasm(v, vo, l, lo, g, go, out, oo);
      return;
    }
    const { d, t, m } = this;
    // t = G V, then m = V^T t (rows of t, scaled by column entries of V).
    t.fill(0);
    for (let i = 0; i < d; i++)
      for (let k = 0; k < d; k++) {
        const gik = g[go + i * d + k];
        for (let j = 0; j < d; j++) t[i * d + j] += gik * v[vo + k * d + j];
      }
    m.fill(0);
    for (let k = 0; k < d; k++)
      for (let i = 0; i < d; i++) {
        const vki = v[vo + k * d + i];
        for (let j = 0; j < d; j++) m[i * d + j] += vki * t[k * d + j];
      }
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m[i * d + j] *= divided(l[lo + i], l[lo + j]);
    // t = V m, then out = t V^T (rows of t against rows of V).
    t.fill(0);
    for (let i = 0; i < d; i++)
      for (let k = 0; k < d; k++) {
        const vik = v[vo + i * d + k];
        for (let j = 0; j < d; j++) t[i * d + j] += vik * m[k * d + j];
      }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) out[oo + i * d + j] = dot(t, i * d, v, vo + j * d, d);
  }

  /** `forward`'s e^A from `eigen` in WebAssembly, into out[oo..]. */
  private fromEigenWasm(out: Float32Array, oo: number): void {
    const { d } = this;
    const { k, v, e, out: o, scratch } = this.wasm!;
    const { values, vectors } = this.eigen;
    const f64 = k.f64();
    f64.set(vectors, v >> 3);
    for (let j = 0; j < d; j++) f64[(e >> 3) + j] = Math.exp(values[j]);
    k.exports.expmFromEigen(d, v, e, o, scratch);
    out.set(k.f32().subarray(o >> 2, (o >> 2) + d * d), oo);
  }

  /** `frechet` in WebAssembly, its divided differences taken here (Phi is symmetric: half of them). */
  private frechetWasm(
    vs: Float64Array,
    vo: number,
    l: Float64Array,
    lo: number,
    g: Float32Array,
    go: number,
    out: Float32Array,
    oo: number,
  ): void {
    const { d } = this;
    const { k, v, phi, g: gw, out: o, scratch } = this.wasm!;
    const f64 = k.f64();
    f64.set(vs.subarray(vo, vo + d * d), v >> 3);
    const p = phi >> 3;
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) f64[p + i * d + j] = f64[p + j * d + i] = divided(l[lo + i], l[lo + j]);
    k.f32().set(g.subarray(go, go + d * d), gw >> 2);
    k.exports.expmFrechet(d, v, phi, gw, o, scratch);
    out.set(k.f32().subarray(o >> 2, (o >> 2) + d * d), oo);
  }
}

interface Blocks {
  k: WasmKernels;
  /** V (float64), e^lambda (float64), Phi (float64), G and the output (float32). */
  v: number;
  e: number;
  phi: number;
  g: number;
  out: number;
  scratch: number;
}

/** The thread's blocks for d, shared by every kernel of that d (WasmKernels.shared). */
function blocks(k: WasmKernels, d: number): Blocks {
  const dd = d * d;
  const sizes = [8 * dd, 8 * d, 8 * dd, 4 * dd, 4 * dd, 8 * 4 * dd];
  const [v, e, phi, g, out, scratch] = k.shared(`expm ${d}`, sizes);
  return { k, v, e, phi, g, out, scratch };
}

/** (e^x - e^y) / (x - y), and e^x at x = y: from the smaller, so that it is symmetric in x and y. */
function divided(x: number, y: number): number {
  const [lo, hi] = x < y ? [x, y] : [y, x];
  const delta = hi - lo;
  return delta === 0 ? Math.exp(lo) : (Math.exp(lo) * Math.expm1(delta)) / delta;
}

/** Whether the float32 n x n matrix at a[at..] equals its transpose exactly. */
function symmetricInput(a: Float32Array, at: number, n: number): boolean {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) if (a[at + i * n + j] !== a[at + j * n + i]) return false;
  return true;
}

/** Pade [13/13] coefficients b_0 .. b_13 (Higham 2005). */
const B = [
  64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
  670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
];
/** Largest 1-norm for which r_13 is accurate to float64 unit roundoff without scaling (Higham 2005). */
const THETA_13 = 5.371920351148152;

/**
 * Scaling and squaring with r_13 for n x n float64 matrices, scratch kept across elements.
 * Always degree 13 (Higham's algorithm also picks 3, 5, 7 or 9 below smaller norms to save
 * multiplications): one path to test. Each quantity Y has a companion dY, its derivative in
 * the direction dx, computed only when asked: the product rule for every product, and for
 * the solve P R = Q, P dR = dQ - dP R.
 */
class Pade13 {
  /** Input X (overwritten), its direction dX; output r = e^X and dr = L(X, dX). */
  readonly x: Float64Array;
  readonly dx: Float64Array;
  r: Float64Array;
  dr: Float64Array;
  private readonly s: Record<'a2' | 'a4' | 'a6' | 't' | 'u' | 'v' | 'w' | 'spare', Float64Array>;
  private readonly ds: Record<'a2' | 'a4' | 'a6' | 't' | 'u' | 'v' | 'w' | 'spare', Float64Array>;
  private readonly pivots: Int32Array;

  constructor(private readonly n: number) {
    const make = () => new Float64Array(n * n);
    const set = () => ({
      a2: make(),
      a4: make(),
      a6: make(),
      t: make(),
      u: make(),
      v: make(),
      w: make(),
      spare: make(),
    });
    [this.x, this.dx, this.r, this.dr] = [make(), make(), make(), make()];
    this.s = set();
    this.ds = set();
    this.pivots = new Int32Array(n);
  }

  run(derivative: boolean): void {
    const { n, x, dx, s, ds } = this;
    const nn = n * n;
    const norm = norm1(x, n);
    if (!Number.isFinite(norm)) {
      this.r.fill(Number.NaN);
      this.dr.fill(Number.NaN);
      return;
    }
    const squarings = norm > THETA_13 ? Math.ceil(Math.log2(norm / THETA_13)) : 0;
    const scale = 2 ** -squarings;
    for (let k = 0; k < nn; k++) {
      x[k] *= scale;
      dx[k] *= scale;
    }
    // Y = P Q and dY = dP Q + P dQ. For a symmetric X and dX (matrix-exp's S, and its gradient
    // in the backward), every P and Q here is a polynomial in X, so they commute and Y is
    // symmetric, and so is dY (differentiate P Q = Q P): their lower triangles, mirrored, at
    // half the multiply-adds.
    const symmetric = isSymmetric(x, n) && (!derivative || isSymmetric(dx, n));
    const product = (
      p: Float64Array,
      dp: Float64Array,
      q: Float64Array,
      dq: Float64Array,
      y: Float64Array,
      dy: Float64Array,
    ) => {
      if (symmetric) {
        mulLower(p, q, y, n);
        if (derivative) mulLowerSum(dp, q, p, dq, dy, n);
        return;
      }
      mul(p, q, y, n, false);
      if (derivative) {
        mul(dp, q, dy, n, false);
        mul(p, dq, dy, n, true);
      }
    };
    product(x, dx, x, dx, s.a2, ds.a2);
    product(s.a2, ds.a2, s.a2, ds.a2, s.a4, ds.a4);
    product(s.a4, ds.a4, s.a2, ds.a2, s.a6, ds.a6);
    // Sums of the powers, the same for values and derivatives (b_0 I's derivative is 0).
    const combine = (y: Float64Array, c6: number, c4: number, c2: number, c0: number, from: typeof s) => {
      for (let k = 0; k < nn; k++) y[k] += c6 * from.a6[k] + c4 * from.a4[k] + c2 * from.a2[k];
      if (from === s) for (let i = 0; i < n; i++) y[i * n + i] += c0;
    };
    const sums = (y: Float64Array, from: typeof s, c: number[], identity: number) => {
      y.fill(0);
      combine(y, c[0], c[1], c[2], identity, from);
    };
    // u = X [A6 (b13 A6 + b11 A4 + b9 A2) + b7 A6 + b5 A4 + b3 A2 + b1 I]
    sums(s.t, s, [B[13], B[11], B[9]], 0);
    if (derivative) sums(ds.t, ds, [B[13], B[11], B[9]], 0);
    product(s.a6, ds.a6, s.t, ds.t, s.w, ds.w);
    combine(s.w, B[7], B[5], B[3], B[1], s);
    if (derivative) combine(ds.w, B[7], B[5], B[3], 0, ds);
    product(x, dx, s.w, ds.w, s.u, ds.u);
    // v = A6 (b12 A6 + b10 A4 + b8 A2) + b6 A6 + b4 A4 + b2 A2 + b0 I
    sums(s.t, s, [B[12], B[10], B[8]], 0);
    if (derivative) sums(ds.t, ds, [B[12], B[10], B[8]], 0);
    product(s.a6, ds.a6, s.t, ds.t, s.v, ds.v);
    combine(s.v, B[6], B[4], B[2], B[0], s);
    if (derivative) combine(ds.v, B[6], B[4], B[2], 0, ds);
    // r = (v - u)^-1 (v + u): P = v - u in s.t, Q = v + u in s.u; likewise dP, dQ.
    for (let k = 0; k < nn; k++) {
      s.t[k] = s.v[k] - s.u[k];
      s.u[k] = s.v[k] + s.u[k];
      if (derivative) {
        ds.t[k] = ds.v[k] - ds.u[k];
        ds.u[k] = ds.v[k] + ds.u[k];
      }
    }
    luFactor(s.t, this.pivots, n);
    let r = this.r;
    let dr = this.dr;
    luSolve(s.t, this.pivots, s.u, r, n);
    if (derivative) {
      // P dR = dQ - dP R.
      mul(ds.t, r, s.w, n, false);
      for (let k = 0; k < nn; k++) ds.u[k] -= s.w[k];
      luSolve(s.t, this.pivots, ds.u, dr, n);
    }
    // Squaring: (R, dR) -> (R R, dR R + R dR), ping-ponging with spare buffers.
    let spare = s.spare;
    let dspare = ds.spare;
    for (let k = 0; k < squarings; k++) {
      product(r, dr, r, dr, spare, dspare);
      [r, spare] = [spare, r];
      [dr, dspare] = [dspare, dr];
    }
    this.r.set(r);
    if (derivative) this.dr.set(dr);
  }
}

/** Max absolute column sum; NaN when any entry is NaN. */
function norm1(a: Float64Array, n: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i * n + j]);
    if (!(s <= best)) best = s;
  }
  return best;
}

/** Whether the n x n matrix equals its transpose exactly. */
function isSymmetric(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (a[i * n + j] !== a[j * n + i]) return false;
  return true;
}

/**
 * c = a b for symmetric factors whose product is symmetric: its lower triangle, mirrored, with b
 * read by rows (b_kj = b_jk, so every inner loop runs over contiguous memory; the solve's R is
 * symmetric to rounding only, which its squares then share); c must not alias a or b.
 */
function mulLower(a: Float64Array, b: Float64Array, c: Float64Array, n: number): void {
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) c[i * n + j] = c[j * n + i] = dot(a, i * n, b, j * n, n);
}

/** c = a b + e f for symmetric factors and a symmetric sum, as `mulLower`. */
function mulLowerSum(
  a: Float64Array,
  b: Float64Array,
  e: Float64Array,
  f: Float64Array,
  c: Float64Array,
  n: number,
): void {
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++)
      c[i * n + j] = c[j * n + i] = dot(a, i * n, b, j * n, n) + dot(e, i * n, f, j * n, n);
}

/** c = a b (or c += a b) for n x n row-major matrices; c must not alias a or b. */
function mul(a: Float64Array, b: Float64Array, c: Float64Array, n: number, accumulate: boolean): void {
  if (!accumulate) c.fill(0);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
}

/**
 * In-place LU with partial pivoting (row swaps in `pivots`). The matrix q_13(X) at the scaled
 * norm is well conditioned (Higham 2005 bounds its condition number), so this is enough.
 */
function luFactor(m: Float64Array, pivots: Int32Array, n: number): void {
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(m[i * n + c]) > Math.abs(m[p * n + c])) p = i;
    pivots[c] = p;
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        const t = m[p * n + k];
        m[p * n + k] = m[c * n + k];
        m[c * n + k] = t;
      }
    }
    const piv = m[c * n + c];
    for (let i = c + 1; i < n; i++) {
      const f = m[i * n + c] / piv;
      m[i * n + c] = f;
      for (let k = c + 1; k < n; k++) m[i * n + k] -= f * m[c * n + k];
    }
  }
}

/** x with M x = rhs for the factored M, column by column of the n x n right-hand side; rhs is overwritten. */
function luSolve(lu: Float64Array, pivots: Int32Array, rhs: Float64Array, x: Float64Array, n: number): void {
  for (let c = 0; c < n; c++) {
    const p = pivots[c];
    if (p !== c) {
      for (let k = 0; k < n; k++) {
        const t = rhs[p * n + k];
        rhs[p * n + k] = rhs[c * n + k];
        rhs[c * n + k] = t;
      }
    }
  }
  // Forward substitution with the unit lower factor, then back substitution with the upper.
  for (let i = 0; i < n; i++)
    for (let k = 0; k < i; k++) {
      const f = lu[i * n + k];
      for (let j = 0; j < n; j++) rhs[i * n + j] -= f * rhs[k * n + j];
    }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const f = lu[i * n + k];
      for (let j = 0; j < n; j++) rhs[i * n + j] -= f * x[k * n + j];
    }
    const piv = lu[i * n + i];
    for (let j = 0; j < n; j++) x[i * n + j] = rhs[i * n + j] / piv;
  }
}
