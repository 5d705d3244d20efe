import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { ExpmKernel } from '../../src/engine/ops/expm-kernel.js';

// The expm kernel's symmetric path in WebAssembly (assembly/expm-eigen.ts: e^A and the
// Daleckii-Krein adjoint from the eigendecomposition) must give the JavaScript kernel's numbers
// bit for bit. Sizes cover the passes over a row's entries and their tails.
const SIZES = [8, 9, 10, 11, 13, 14, 16, 17, 23, 32, 40, 64];

/** A float32 symmetric matrix with entries of size `scale`, both triangles set. */
function symmetric(d: number, rng: () => number, scale: number): Float32Array {
  const a = new Float32Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) a[i * d + j] = a[j * d + i] = (rng() - 0.5) * scale;
  return a;
}

function sameBits(x: Float32Array, y: Float32Array) {
  expect(y.length).toBe(x.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect([i, y[i]]).toEqual([i, x[i]]);
}

/** Both kernels' e^A, and their gradients for G from the kept decomposition and from a new one. */
function both(d: number, a: Float32Array, g: Float32Array) {
  const run = (k: ExpmKernel) => {
    const keep = new Float64Array(ExpmKernel.keepSize(d) + 5);
    const value = new Float32Array(d * d).fill(7);
    k.forward(a, 0, value, 0, keep, 5);
    const [kept, fresh] = [new Float32Array(d * d).fill(7), new Float32Array(d * d).fill(7)];
    k.backward(a, 0, g, 0, kept, 0, keep, 5);
    k.backward(a, 0, g, 0, fresh, 0);
    return { value, kept, fresh };
  };
  return { js: run(new ExpmKernel(d, { wasm: false })), wasm: run(new ExpmKernel(d)) };
}

function expectSame(d: number, a: Float32Array, g: Float32Array) {
  const { js, wasm } = both(d, a, g);
  sameBits(js.value, wasm.value);
  sameBits(js.kept, wasm.kept);
  sameBits(js.fresh, wasm.fresh);
  return js;
}

describe('the expm kernel in WebAssembly', () => {
  it('e^A and its adjoint: the JavaScript kernel bit for bit', () => {
    const rng = seedrandom('wasm-expm');
    for (const d of SIZES)
      for (const scale of [0.1, 2, 20]) {
        const a = symmetric(d, rng, scale);
        const g = Float32Array.from({ length: d * d }, () => rng() - 0.5);
        const js = expectSame(d, a, g);
        // e^A of a symmetric A is symmetric and positive definite: its diagonal is positive.
        for (let i = 0; i < d; i++) expect(js.value[i * d + i]).toBeGreaterThan(0);
      }
  });

  it('at a repeated eigenvalue (every run starts at log(c) I): e^A = c I and the adjoint is c G', () => {
    for (const d of [8, 11, 16]) {
      const a = new Float32Array(d * d);
      for (let i = 0; i < d; i++) a[i * d + i] = Math.fround(Math.log(3));
      const g = Float32Array.from({ length: d * d }, (_, k) => (k % 5) - 2);
      const js = expectSame(d, a, g);
      for (let k = 0; k < d * d; k++) expect(js.fresh[k]).toBeCloseTo(3 * g[k], 4);
    }
  });

  it('NaN, infinities and signed zeros in G, and a non-finite A (the Pade path): the same bits', () => {
    const rng = seedrandom('wasm-expm-special');
    for (const d of SIZES)
      for (const special of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]) {
        const a = symmetric(d, rng, 1);
        const g = Float32Array.from({ length: d * d }, () => rng() - 0.5);
        g[Math.floor(rng() * d * d)] = special;
        expectSame(d, a, g);
        if (Object.is(special, -0)) continue;
        const poisoned = Float32Array.from(a);
        poisoned[(d - 1) * d] = poisoned[d - 1] = special;
        expectSame(d, poisoned, g);
      }
  });
});
