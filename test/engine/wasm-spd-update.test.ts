import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { SpdUpdateKernel } from '../../src/engine/ops/spd-update-kernel.js';
import { wasmKernels } from '../../src/engine/ops/wasm.js';

// spd-riemannian's WebAssembly update hooks (assembly/spd-riemannian.ts) must give their
// JavaScript twins' numbers bit for bit. Sizes cover the kernels' passes and their tails (four
// outputs, two, one; four chains of a dot product and the terms left over).
const SIZES = [8, 9, 10, 11, 13, 14, 16, 17, 23, 32, 40, 64];

/** A float32-valued symmetric positive-definite block (both triangles), as the trainer hands it. */
function spd(d: number, rng: () => number, spread: number): Float64Array {
  const b = Array.from({ length: d * d }, () => rng() - 0.5);
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let s = i === j ? spread : 0;
      for (let k = 0; k < d; k++) s += b[i * d + k] * b[j * d + k];
      a[i * d + j] = Math.fround(s);
    }
  return a;
}

const noise = (d: number, rng: () => number, scale = 1) =>
  Float64Array.from({ length: d * d }, () => Math.fround((rng() - 0.5) * scale));

function sameBits(x: Float64Array, y: Float64Array) {
  expect(y.length).toBe(x.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect([i, y[i]]).toEqual([i, x[i]]);
}

function kernels(d: number) {
  return { js: new SpdUpdateKernel(d, { wasm: false }), wasm: new SpdUpdateKernel(d) };
}

describe('spd-riemannian update kernels in WebAssembly', () => {
  it('load from d = 8 on', () => {
    expect(wasmKernels()).toBeDefined();
  });

  it('direction X sym(G) X: the JavaScript kernel bit for bit', () => {
    const rng = seedrandom('wasm-spd-direction');
    for (const d of SIZES)
      for (const scale of [1, 1e-6, 1e6]) {
        const { js, wasm } = kernels(d);
        const raw = spd(d, rng, d);
        // An upper triangle that is not the lower one's mirror: only the lower one counts.
        for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) raw[i * d + j] = rng();
        const grad = noise(d, rng, scale);
        const want = js.direction(raw, grad);
        sameBits(want, wasm.direction(raw, grad));
        // Independent check: X sym(G) X, summed plainly, agrees to rounding.
        const x = (i: number, j: number) => raw[Math.max(i, j) * d + Math.min(i, j)];
        const g = (i: number, j: number) => (grad[i * d + j] + grad[j * d + i]) / 2;
        const [i, j] = [d - 1, Math.floor(d / 2)];
        let s = 0;
        for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) s += x(i, p) * g(p, q) * x(q, j);
        expect(want[i * d + j]).toBeCloseTo(s, 6 - Math.log10(scale) - 2);
        expect(want[j * d + i]).toBe(want[i * d + j]);
      }
  });

  it('retract (X + Y X^-1 Y) / 2: the JavaScript kernel bit for bit', () => {
    const rng = seedrandom('wasm-spd-retract');
    for (const d of SIZES)
      for (const spread of [d, 1e-2, 1e3]) {
        const { js, wasm } = kernels(d);
        const before = spd(d, rng, spread);
        const stepped = Float64Array.from(before, (v) => Math.fround(v + (rng() - 0.5) * 0.1));
        const want = js.retract(before, stepped);
        sameBits(want, wasm.retract(before, stepped));
        // At a zero step the retraction is X itself, to rounding.
        const still = js.retract(before, before);
        for (let i = 0; i < d * d; i++) expect(still[i]).toBeCloseTo(before[i], 3);
      }
  });

  it('NaN, infinities and signed zeros: the same bits, and the same failure of the Cholesky', () => {
    const rng = seedrandom('wasm-spd-special');
    for (const d of SIZES)
      for (const special of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]) {
        const { js, wasm } = kernels(d);
        const before = spd(d, rng, d);
        const at = Math.floor(rng() * d) * d + Math.floor(rng() * d);
        const grad = noise(d, rng);
        grad[at] = special;
        sameBits(js.direction(before, grad), wasm.direction(before, grad));
        const stepped = noise(d, rng);
        stepped[at] = special;
        sameBits(js.retract(before, stepped), wasm.retract(before, stepped));
        // A poisoned X: NaN or infinite entries, or a non-positive pivot, fail the Cholesky at
        // the same column (both then return the plain step).
        const poisoned = Float64Array.from(before);
        poisoned[(d - 1) * d + (d >> 1)] = special;
        poisoned[(d >> 1) * d + (d >> 1)] = Object.is(special, -0) ? -0 : poisoned[(d >> 1) * d + (d >> 1)];
        sameBits(js.direction(poisoned, grad), wasm.direction(poisoned, grad));
        const r = wasm.retract(poisoned, stepped);
        sameBits(js.retract(poisoned, stepped), r);
      }
  });

  it('an indefinite X returns the plain step, copied', () => {
    for (const d of [8, 13]) {
      const { js, wasm } = kernels(d);
      const before = new Float64Array(d * d);
      for (let i = 0; i < d; i++) before[i * d + i] = i === d - 1 ? -1 : 1;
      const stepped = Float64Array.from({ length: d * d }, (_, i) => i);
      for (const k of [js, wasm]) {
        const r = k.retract(before, stepped);
        expect(r).not.toBe(stepped);
        sameBits(stepped, r);
      }
    }
  });
});
