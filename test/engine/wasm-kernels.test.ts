import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { CholeskyKernel } from '../../src/engine/ops/cholesky-kernel.js';
import { wasmKernels, wasmKernelsFor } from '../../src/engine/ops/wasm.js';

// The WebAssembly kernels (assembly/) must give their JavaScript twins' numbers bit for bit, so
// that a lane's results do not depend on which ran. Sizes cover each kernel's blocks of rows and
// their tails (forward: columns in pairs, the last alone at odd d, 8 rows, 2, 1; backward's M: 8
// rows, 4, 2, 1; its S: 12 columns, 8, 4, 2, 1).
const SIZES = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 23, 32, 33, 40, 64];

function spd(d: number, rng: () => number, spread: number): Float32Array {
  const b = Array.from({ length: d * d }, () => rng() - 0.5);
  const a = new Float32Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = i === j ? spread : 0;
      for (let k = 0; k < d; k++) s += b[i * d + k] * b[j * d + k];
      a[i * d + j] = s;
    }
  return a;
}

function sameBits(x: Float32Array | Float64Array, y: Float32Array | Float64Array) {
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect([i, y[i]]).toEqual([i, x[i]]);
}

/** Both kernels' factor, pivots and success on a[at..], written into buffers offset by `at`. */
function both(d: number, a: Float32Array, at = 0) {
  const out = (k: CholeskyKernel) => {
    const l = new Float32Array(at + d * d).fill(7);
    const pivots = new Float32Array(at + d).fill(7);
    const ok = k.forward(a, at, l, at, pivots, at);
    return { l, pivots, ok };
  };
  return { js: out(new CholeskyKernel(d, { wasm: false })), wasm: out(new CholeskyKernel(d)) };
}

describe('WebAssembly kernels', () => {
  it('load (the build made dist/kernels.wasm and this Node has SIMD) from d = 8 on', () => {
    expect(wasmKernels()).toBeDefined();
    expect(wasmKernelsFor(8)).toBeDefined();
    expect(wasmKernelsFor(7)).toBeUndefined();
  });

  it('Cholesky forward: the JavaScript kernel bit for bit on positive-definite matrices', () => {
    const rng = seedrandom('wasm-cholesky');
    for (const d of SIZES)
      for (const spread of [d, 1e-3, 1e3]) {
        const a = spd(d, rng, spread);
        const { js, wasm } = both(d, a);
        expect(js.ok).toBe(true);
        expect(wasm.ok).toBe(true);
        sameBits(js.l, wasm.l);
        sameBits(js.pivots, wasm.pivots);
      }
  });

  it('Cholesky forward: fails at the same column with the same NaN pattern (indefinite, NaN, zero pivot)', () => {
    const rng = seedrandom('wasm-cholesky-fail');
    for (const d of SIZES)
      for (const col of [0, 1, Math.floor(d / 2), d - 1]) {
        for (const poison of [-1, Number.NaN, 0]) {
          const a = spd(d, rng, d);
          // Column `col`'s pivot goes below zero (or NaN, or exactly zero) once the columns before
          // it are subtracted: set a_cc to the sum of squares it loses, plus `poison`.
          const { js: before } = both(d, a);
          let lost = 0;
          for (let k = 0; k < col; k++) lost += before.l[col * d + k] ** 2;
          a[col * d + col] = poison === 0 ? lost : Number.isNaN(poison) ? poison : lost + poison;
          const { js, wasm } = both(d, a);
          expect(wasm.ok).toBe(js.ok);
          sameBits(js.l, wasm.l);
          sameBits(js.pivots, wasm.pivots);
        }
      }
  });

  it('Cholesky forward: reads its block at any offset and writes only its own', () => {
    const rng = seedrandom('wasm-cholesky-offset');
    const d = 13;
    const a = new Float32Array(5 + d * d);
    a.set(spd(d, rng, d), 5);
    const { js, wasm } = both(d, a, 5);
    sameBits(js.l, wasm.l);
    sameBits(js.pivots, wasm.pivots);
    expect(Array.from(wasm.l.subarray(0, 5))).toEqual([7, 7, 7, 7, 7]);
  });

  /** Both kernels' abar for the factor of a and lbar (lower triangle read; above it, garbage). */
  function backwards(d: number, a: Float32Array, lbar: Float32Array, at = 0) {
    const { js } = both(d, a);
    const l = new Float32Array(at + d * d);
    l.set(js.l, at);
    const out = (k: CholeskyKernel) => {
      const abar = new Float32Array(at + d * d).fill(7);
      k.backward(l, at, lbar, at, abar, at);
      return abar;
    };
    return { js: out(new CholeskyKernel(d, { wasm: false })), wasm: out(new CholeskyKernel(d)) };
  }

  function cotangent(d: number, rng: () => number, scale: number, at = 0): Float32Array {
    return Float32Array.from({ length: at + d * d }, () => (rng() - 0.5) * scale);
  }

  it('Cholesky backward: the JavaScript kernel bit for bit', () => {
    const rng = seedrandom('wasm-cholesky-backward');
    for (const d of SIZES)
      for (const [spread, scale] of [
        [d, 1],
        [1e-3, 1],
        [1e3, 1e-3],
        [d, 1e6],
      ]) {
        const { js, wasm } = backwards(d, spd(d, rng, spread), cotangent(d, rng, scale));
        sameBits(js, wasm);
        expect(js.every(Number.isFinite)).toBe(true);
      }
  });

  it('Cholesky backward: the same non-finite and zero gradients, at any offset', () => {
    const rng = seedrandom('wasm-cholesky-backward-edge');
    for (const d of [8, 9, 15, 17, 33, 64])
      for (const poison of [Number.NaN, Number.POSITIVE_INFINITY, 0, -0]) {
        const lbar = cotangent(d, rng, 1);
        lbar[(d - 1) * d + 2] = poison;
        lbar[4 * d + 4] = poison;
        const { js, wasm } = backwards(d, spd(d, rng, d), lbar);
        sameBits(js, wasm);
      }
    const d = 13;
    const { js, wasm } = backwards(d, spd(d, rng, d), new Float32Array(d * d));
    sameBits(js, wasm);
    const a = new Float32Array(3 + d * d);
    a.set(spd(d, rng, d), 3);
    const shifted = backwards(d, a.subarray(3), cotangent(d, rng, 1, 3), 3);
    sameBits(shifted.js, shifted.wasm);
    expect(Array.from(shifted.wasm.subarray(0, 3))).toEqual([7, 7, 7]);
  });

  it('Cholesky backward: its float64 L^-T Phi L^-1, before the float32 rounding, bit for bit', () => {
    // The float32 outputs rarely show a float64 sum taken in another order; the float64 matrix
    // the kernels symmetrize does (the JavaScript kernel's g; the WebAssembly kernel's in place of
    // Lbar in its scratch, which starts as NaN: nothing may read what it has not written).
    const rng = seedrandom('wasm-cholesky-backward-f64');
    const k = wasmKernels()!;
    for (const d of SIZES) {
      const l = both(d, spd(d, rng, d)).js.l;
      const lbar = cotangent(d, rng, 1);
      const js = new CholeskyKernel(d, { wasm: false });
      js.backward(l, 0, lbar, 0, new Float32Array(d * d), 0);
      const dd = d * d;
      const [lw, bw, aw, scratch] = [4 * dd, 4 * dd, 4 * dd, 8 * (3 * dd + 6 * d)].map((b) => k.reserve(b));
      k.f32().set(l, lw >> 2);
      k.f32().set(lbar, bw >> 2);
      k.f64().fill(Number.NaN, scratch >> 3, (scratch >> 3) + 3 * dd + 6 * d);
      k.exports.choleskyBackward(d, lw, bw, aw, scratch);
      const s = k.f64().slice((scratch >> 3) + dd, (scratch >> 3) + 2 * dd);
      sameBits((js as unknown as { g: Float64Array }).g, s);
    }
  });

  it('kernels of one d share their blocks: making kernels (one per tfjs op call) does not grow memory', () => {
    const k = wasmKernels()!;
    new CholeskyKernel(24);
    const bytes = k.f64().byteLength;
    const next = k.reserve(0);
    for (let i = 0; i < 100; i++) new CholeskyKernel(24);
    expect(k.reserve(0)).toBe(next);
    expect(k.f64().byteLength).toBe(bytes);
  });
});
