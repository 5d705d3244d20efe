import { extremeEigenvalues } from '../../ground/dense64.js';
import { type WasmKernels, wasmKernelsFor } from './wasm.js';

/**
 * The smallest and largest float64 eigenvalues of one symmetric n x n matrix (dense64's
 * `extremeEigenvalues`: Householder reduction to a tridiagonal matrix, then bisection on its
 * Sturm sequence). From n = 8 on its WebAssembly twin runs (assembly/extreme-eigen.ts: the same
 * float64 operations in the same order, so the same bits), about ten times as fast at n = 64,
 * where the condition check's exact tier calls it whenever a block near the limit is anchored.
 */
export class ExtremeEigenKernel {
  /** The WebAssembly twin's blocks (the matrix, scratch, the two values), where it runs. */
  private readonly wasm?: { k: WasmKernels; a: number; scratch: number; out: number };

  /** With `wasm: false` the JavaScript function runs at every n (the tests' reference). */
  constructor(
    private readonly n: number,
    { wasm = true }: { wasm?: boolean } = {},
  ) {
    const k = wasm ? wasmKernelsFor(n) : undefined;
    if (k) {
      const [a, scratch, out] = k.shared(`extreme-eigen ${n}`, [8 * n * n, 40 * n, 16]);
      this.wasm = { k, a, scratch, out };
    }
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
}
