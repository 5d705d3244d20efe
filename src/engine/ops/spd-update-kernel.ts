import { choleskyInto, symmetrizeLower } from '../../ground/dense64.js';
import { dot } from './dot.js';
import { type WasmKernels, wasmKernelsFor } from './wasm.js';

/**
 * spd-riemannian's update hooks on one float64 block (parameterizations/spd-riemannian.ts):
 * the Riemannian gradient X sym(G) X and the retraction (X + Y X^-1 Y) / 2. From d = 8 on their
 * WebAssembly twins (assembly/spd-riemannian.ts) run, with the same float64 operations in the
 * same order; this JavaScript is their reference and runs below, or everywhere with
 * COVSWEEP_WASM_KERNELS=0. The WebAssembly route returns a view of its block, valid until the
 * kernels' next call (ParameterUpdate): no copy, no garbage.
 */
export class SpdUpdateKernel {
  private readonly wasm?: Blocks;

  /** With `wasm: false` the JavaScript kernel runs at every d (the tests' reference). */
  constructor(
    private readonly d: number,
    { wasm = true }: { wasm?: boolean } = {},
  ) {
    const k = wasm ? wasmKernelsFor(d) : undefined;
    if (k) this.wasm = blocks(k, d);
  }

  /** X sym(G) X of the block raw (X: its lower triangle, mirrored) and the gradient grad. */
  direction(raw: Float64Array, grad: Float64Array): Float64Array {
    const { d } = this;
    if (this.wasm) {
      const { k, a, b, out, scratch } = this.wasm;
      const f64 = k.f64();
      f64.set(raw, a >> 3);
      f64.set(grad, b >> 3);
      k.exports.spdDirection(d, a, b, out, scratch);
      return k.f64().subarray(out >> 3, (out >> 3) + d * d);
    }
    // T = X sym(G), then the lower triangle of T X, mirrored (exactly symmetric); every entry a
    // dot product of rows, as both factors are symmetric.
    const x = symmetrizeLower(raw, d);
    const g = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) g[i * d + j] = g[j * d + i] = (grad[i * d + j] + grad[j * d + i]) / 2;
    const t = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) t[i * d + j] = dot(x, i * d, g, j * d, d);
    const out = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) out[i * d + j] = out[j * d + i] = dot(t, i * d, x, j * d, d);
    return out;
  }

  /**
   * (X + Y X^-1 Y) / 2 of the block before (X: its lower triangle) and the stepped block (Y:
   * its lower triangle, mirrored); `stepped` itself, copied, when X's float64 Cholesky fails.
   */
  retract(before: Float64Array, stepped: Float64Array): Float64Array {
    const { d } = this;
    if (this.wasm) {
      const { k, a, b, out, scratch } = this.wasm;
      const f64 = k.f64();
      f64.set(before, a >> 3);
      f64.set(stepped, b >> 3);
      if (!k.exports.spdRetract(d, a, b, out, scratch)) return Float64Array.from(stepped);
      return k.f64().subarray(out >> 3, (out >> 3) + d * d);
    }
    const l = new Float64Array(d * d);
    if (!choleskyInto(before, 0, d, l)) return Float64Array.from(stepped);
    // Y X^-1 Y = W^T W with W = L^-1 Y (forward substitution, Y the lower triangle of
    // `stepped` mirrored): exactly symmetric, and no inverse formed.
    // Row by row, each entry's subtractions in the order of k (rows of W are contiguous).
    const w = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      const ri = i * d;
      for (let c = 0; c < d; c++) w[ri + c] = c <= i ? stepped[ri + c] : stepped[c * d + i];
      for (let k = 0; k < i; k++) {
        const lik = l[ri + k];
        const rk = k * d;
        for (let c = 0; c < d; c++) w[ri + c] -= lik * w[rk + c];
      }
      const lii = l[ri + i];
      for (let c = 0; c < d; c++) w[ri + c] /= lii;
    }
    // (X + W^T W) / 2, lower triangle, mirrored: (W^T W)_ij is the dot product of columns i
    // and j of W, rows of its transpose.
    const wt = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let c = 0; c < d; c++) wt[c * d + i] = w[i * d + c];
    const r = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++)
        r[i * d + j] = r[j * d + i] = (before[i * d + j] + dot(wt, i * d, wt, j * d, d)) / 2;
    return r;
  }
}

interface Blocks {
  k: WasmKernels;
  /** The first and second operand (raw and grad, or before and stepped), float64 d x d. */
  a: number;
  b: number;
  out: number;
  scratch: number;
}

/** The thread's blocks for d, shared by every kernel of that d (WasmKernels.shared). */
function blocks(k: WasmKernels, d: number): Blocks {
  const dd = 8 * d * d;
  // Scratch: spdDirection's three d x (d + 4) matrices, or spdRetract's two d x d and a row.
  const [a, b, out, scratch] = k.shared(`spd-update ${d}`, [dd, dd, dd, 3 * 8 * d * (d + 4)]);
  return { k, a, b, out, scratch };
}
