import { extremeEigenvalues, gram } from '../../ground/dense64.js';
import { triangularGram } from '../../ground/triangular-bounds.js';
import { type WasmKernels, wasmKernelsFor } from './wasm.js';

/**
 * The smallest and largest float64 eigenvalues of one symmetric n x n matrix (dense64's
 * `extremeEigenvalues`: Householder reduction to a tridiagonal matrix, then bisection on its
 * Sturm sequence). From n = 8 on its WebAssembly twin runs (assembly/extreme-eigen.ts: the same
 * float64 operations in the same order, so the same bits), about ten times as fast at n = 64,
 * where the condition check's exact tier calls it whenever a block near the limit is anchored.
 */
export class ExtremeEigenKernel {
  /** The WebAssembly twin's blocks (the matrix, a factor, its transpose, scratch, the two values), where it runs. */
  private readonly wasm?: { k: WasmKernels; a: number; l: number; t: number; scratch: number; out: number };
  /** `ofFactor`'s product where the JavaScript runs. */
  private readonly product: Float64Array;

  /** With `wasm: false` the JavaScript function runs at every n (the tests' reference). */
  constructor(
    private readonly n: number,
    { wasm = true }: { wasm?: boolean } = {},
  ) {
    const k = wasm ? wasmKernelsFor(n) : undefined;
    if (k) {
      const square = 8 * n * n;
      const [a, l, t, scratch, out] = k.shared(`extreme-eigen ${n}`, [square, square, square, 40 * n, 16]);
      this.wasm = { k, a, l, t, scratch, out };
    }
    this.product = new Float64Array(this.wasm ? 0 : n * n);
  }

  /**
   * The extreme eigenvalues of a (row-major; symmetric to the bit, as dense64's `gram`,
   * triangular-bounds' `triangularGram` and `symmetrizeLower` make it: the twin reads rows as
   * columns). a may be overwritten.
   */
  run(a: Float64Array): { lo: number; hi: number } {
    const { n } = this;
    if (!this.wasm) return extremeEigenvalues(a, n);
    const { k, a: at, scratch, out } = this.wasm;
    k.f64().set(a.subarray(0, n * n), at >> 3);
    k.exports.extremeEigen(n, at, scratch, out);
    const f64 = k.f64();
    return { lo: f64[out >> 3], hi: f64[(out >> 3) + 1] };
  }

  /**
   * The extreme eigenvalues of L L^T for the lower-triangular factor l (row-major, float64): of
   * the product triangular-bounds' `triangularGram` forms where L's lower triangle is finite,
   * else of dense64's `gram` (which reads every entry). The twin forms it too (the same bits): at
   * d = 64 near the limit the JavaScript's product took longer than the eigenvalues (a profile of
   * the condition check's exact tier: about 166 us a block against 114).
   */
  ofFactor(l: Float64Array): { lo: number; hi: number } {
    const { n } = this;
    if (!this.wasm) {
      const { product } = this;
      return extremeEigenvalues(triangularGram(l, n, product) ? product : gram(l, n), n);
    }
    const { k, a, l: at, t, scratch, out } = this.wasm;
    k.f64().set(l.subarray(0, n * n), at >> 3);
    k.exports.extremeEigenOfFactor(n, at, a, t, scratch, out);
    const f64 = k.f64();
    return { lo: f64[out >> 3], hi: f64[(out >> 3) + 1] };
  }
}
