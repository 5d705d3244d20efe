import { type WasmKernels, wasmKernelsFor } from './wasm.js';

/**
 * The eigendecomposition A = V diag(lambda) V^T of one symmetric n x n float64 matrix:
 * Householder reduction to tridiagonal form, then the implicit QL algorithm with Wilkinson-style
 * shifts, the rotations accumulated into V (Golub & Van Loan 8.3; EISPACK tred2 and tql2, as JAMA
 * writes them). Both steps are backward stable: V is orthogonal and V diag(lambda) V^T equals A
 * to a small multiple of n eps |A|. About 9 n^3 flops; scratch allocated once. From n = 8 on
 * its WebAssembly twin runs (assembly/symmetric-eigen.ts: V kept transposed, the same float64
 * operations in the same order).
 */
export class SymmetricEigenKernel {
  /** Eigenvalues, unsorted (the order V's columns have). */
  readonly values: Float64Array;
  /** Eigenvectors as the columns of the row-major n x n V. */
  readonly vectors: Float64Array;
  private readonly off: Float64Array;
  /** The WebAssembly twin's blocks (V^T, values, off-diagonal), where it runs. */
  private readonly wasm?: { k: WasmKernels; vt: number; d: number; e: number };

  /** With `wasm: false` the JavaScript kernel runs at every n (the tests' reference). */
  constructor(
    private readonly n: number,
    { wasm = true }: { wasm?: boolean } = {},
  ) {
    this.values = new Float64Array(n);
    this.vectors = new Float64Array(n * n);
    this.off = new Float64Array(n);
    const k = wasm ? wasmKernelsFor(n) : undefined;
    if (k) {
      const [vt, d, e] = k.shared(`symmetric-eigen ${n}`, [8 * n * n, 8 * n, 8 * n]);
      this.wasm = { k, vt, d, e };
    }
  }

  /**
   * Decompose the symmetric matrix in `vectors` (both triangles set; it is overwritten by V).
   * False when the QL iteration does not converge (30 n sweeps: only for non-finite input).
   */
  run(): boolean {
    if (this.wasm) {
      const { n, values, vectors } = this;
      const { k, vt, d, e } = this.wasm;
      // Transposed as it goes in (a symmetric matrix is its own transpose, but the kernel reads
      // each entry where the JavaScript one does, symmetric or not).
      const t = vt >> 3;
      let f64 = k.f64();
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) f64[t + c * n + r] = vectors[r * n + c];
      const result = k.exports.symmetricEigen(n, vt, d, e);
      if (result !== 2) {
        f64 = k.f64();
        values.set(f64.subarray(d >> 3, (d >> 3) + n));
        for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) vectors[r * n + c] = f64[t + c * n + r];
        return result === 1;
      }
    }
    this.tridiagonalize();
    return this.diagonalize();
  }

  /** tred2: V becomes the accumulated Householder transformations, values/off the tridiagonal matrix. */
  private tridiagonalize(): void {
    const { n, values: d, off: e, vectors: v } = this;
    for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
    for (let i = n - 1; i > 0; i--) {
      let scale = 0;
      let h = 0;
      for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
      if (scale === 0) {
        e[i] = d[i - 1];
        for (let j = 0; j < i; j++) {
          d[j] = v[(i - 1) * n + j];
          v[i * n + j] = 0;
          v[j * n + i] = 0;
        }
      } else {
        for (let k = 0; k < i; k++) {
          d[k] /= scale;
          h += d[k] * d[k];
        }
        let f = d[i - 1];
        let g = Math.sqrt(h);
        if (f > 0) g = -g;
        e[i] = scale * g;
        h -= f * g;
        d[i - 1] = f - g;
        for (let j = 0; j < i; j++) e[j] = 0;
        for (let j = 0; j < i; j++) {
          f = d[j];
          v[j * n + i] = f;
          g = e[j] + v[j * n + j] * f;
          for (let k = j + 1; k <= i - 1; k++) {
            g += v[k * n + j] * d[k];
            e[k] += v[k * n + j] * f;
          }
          e[j] = g;
        }
        f = 0;
        for (let j = 0; j < i; j++) {
          e[j] /= h;
          f += e[j] * d[j];
        }
        const hh = f / (h + h);
        for (let j = 0; j < i; j++) e[j] -= hh * d[j];
        for (let j = 0; j < i; j++) {
          f = d[j];
          g = e[j];
          for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
          d[j] = v[(i - 1) * n + j];
          v[i * n + j] = 0;
        }
      }
      d[i] = h;
    }
    for (let i = 0; i < n - 1; i++) {
      v[(n - 1) * n + i] = v[i * n + i];
      v[i * n + i] = 1;
      const h = d[i + 1];
      if (h !== 0) {
        for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
        for (let j = 0; j <= i; j++) {
          let g = 0;
          for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
          for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
        }
      }
      for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
    }
    for (let j = 0; j < n; j++) {
      d[j] = v[(n - 1) * n + j];
      v[(n - 1) * n + j] = 0;
    }
    v[(n - 1) * n + n - 1] = 1;
    e[0] = 0;
  }

  /** tql2: the tridiagonal matrix's eigenvalues into `values`, its rotations into V's columns. */
  private diagonalize(): boolean {
    const { n, values: d, off: e, vectors: v } = this;
    for (let i = 1; i < n; i++) e[i - 1] = e[i];
    e[n - 1] = 0;
    let f = 0;
    let tst1 = 0;
    let sweeps = 30 * n;
    const eps = 2 ** -52;
    for (let l = 0; l < n; l++) {
      tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
      let m = l;
      while (m < n) {
        if (Math.abs(e[m]) <= eps * tst1) break;
        m++;
      }
      if (m > l) {
        do {
          if (--sweeps < 0) return false;
          let g = d[l];
          let p = (d[l + 1] - g) / (2 * e[l]);
          let r = Math.sqrt(p * p + 1);
          if (p < 0) r = -r;
          d[l] = e[l] / (p + r);
          d[l + 1] = e[l] * (p + r);
          const dl1 = d[l + 1];
          let h = g - d[l];
          for (let i = l + 2; i < n; i++) d[i] -= h;
          f += h;
          p = d[m];
          let c = 1;
          let c2 = c;
          let c3 = c;
          const el1 = e[l + 1];
          let s = 0;
          let s2 = 0;
          for (let i = m - 1; i >= l; i--) {
            c3 = c2;
            c2 = c;
            s2 = s;
            g = c * e[i];
            h = c * p;
            r = Math.sqrt(p * p + e[i] * e[i]);
            e[i + 1] = s * r;
            s = e[i] / r;
            c = p / r;
            p = c * d[i] - s * g;
            d[i + 1] = h + s * (c * g + s * d[i]);
            for (let k = 0; k < n; k++) {
              const at = k * n + i;
              const vh = v[at + 1];
              v[at + 1] = s * v[at] + c * vh;
              v[at] = c * v[at] - s * vh;
            }
          }
          p = (-s * s2 * c3 * el1 * e[l]) / dl1;
          e[l] = s * p;
          d[l] = c * p;
        } while (Math.abs(e[l]) > eps * tst1);
      }
      d[l] += f;
      e[l] = 0;
    }
    return true;
  }
}
