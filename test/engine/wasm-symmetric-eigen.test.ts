import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { SymmetricEigenKernel } from '../../src/engine/ops/symmetric-eigen-kernel.js';

// The eigendecomposition in WebAssembly (assembly/symmetric-eigen.ts) must give the JavaScript
// kernel's eigenvalues and eigenvectors bit for bit. Sizes cover the two-entry passes and their
// tails; matrices cover distinct, repeated and zero eigenvalues and zero columns.
const SIZES = [8, 9, 10, 11, 13, 16, 17, 23, 32, 40, 64];

function sameBits(x: Float64Array, y: Float64Array) {
  expect(y.length).toBe(x.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect([i, y[i]]).toEqual([i, x[i]]);
}

/** Both kernels on the matrix a (both triangles set): whether they converged, values and vectors. */
function expectSame(n: number, a: Float64Array) {
  const run = (k: SymmetricEigenKernel) => {
    k.vectors.set(a);
    const ok = k.run();
    return { ok, values: Float64Array.from(k.values), vectors: Float64Array.from(k.vectors) };
  };
  const js = run(new SymmetricEigenKernel(n, { wasm: false }));
  const wasm = run(new SymmetricEigenKernel(n));
  expect(wasm.ok).toBe(js.ok);
  sameBits(js.values, wasm.values);
  sameBits(js.vectors, wasm.vectors);
  return js;
}

function symmetric(n: number, rng: () => number, scale: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Math.fround((rng() - 0.5) * scale);
  return a;
}

describe('the symmetric eigendecomposition in WebAssembly', () => {
  it('the JavaScript kernel bit for bit, and A V = V diag(lambda)', () => {
    const rng = seedrandom('wasm-eigen');
    for (const n of SIZES)
      for (const scale of [1e-3, 1, 1e4]) {
        const a = symmetric(n, rng, scale);
        const { ok, values, vectors } = expectSame(n, a);
        expect(ok).toBe(true);
        // Independent check: column j of V is an eigenvector for lambda_j.
        const j = n >> 1;
        for (let i = 0; i < n; i++) {
          let av = 0;
          for (let k = 0; k < n; k++) av += a[i * n + k] * vectors[k * n + j];
          expect(Math.abs(av - values[j] * vectors[i * n + j])).toBeLessThan(1e-11 * scale * n);
        }
      }
  });

  it('repeated and zero eigenvalues, zero columns, signed zeros: the same bits', () => {
    const rng = seedrandom('wasm-eigen-special');
    for (const n of SIZES) {
      const c = new Float64Array(n * n);
      for (let i = 0; i < n; i++) c[i * n + i] = Math.log(3);
      expectSame(n, c);
      expectSame(n, new Float64Array(n * n));
      const holes = symmetric(n, rng, 1);
      for (const z of [0, n >> 1, n - 1])
        for (let k = 0; k < n; k++) holes[z * n + k] = holes[k * n + z] = z === 0 ? -0 : 0;
      expectSame(n, holes);
      // Rank one: every eigenvalue but one is zero.
      const v = Array.from({ length: n }, () => rng() - 0.5);
      expectSame(
        n,
        Float64Array.from({ length: n * n }, (_, k) => v[Math.floor(k / n)] * v[k % n]),
      );
    }
  });

  it('a NaN entry: the same outcome (the WebAssembly kernel hands such a matrix to the JavaScript one)', () => {
    for (const n of [8, 13]) {
      const a = symmetric(n, seedrandom('wasm-eigen-nan'), 1);
      a[n + 2] = a[2 * n + 1] = Number.NaN;
      const js = new SymmetricEigenKernel(n, { wasm: false });
      const wasm = new SymmetricEigenKernel(n);
      js.vectors.set(a);
      wasm.vectors.set(a);
      expect(wasm.run()).toBe(js.run());
      sameBits(js.values, wasm.values);
      sameBits(js.vectors, wasm.vectors);
    }
  });
});
