import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { inverseTransposeInto } from '../../src/engine/ops/triangular.js';
import { wasmKernelsFor } from '../../src/engine/ops/wasm.js';
import { Minibatches } from '../../src/engine/tasks/minibatches.js';
import { NativeClassifier } from '../../src/engine/tasks/mvn-classifier-native.js';

// The classifier's WebAssembly lane (assembly/classifier.ts through mvn-classifier-wasm.ts) must
// give the JavaScript kernels' numbers bit for bit: the loss, d loss / d L (or d Sigma), d loss /
// d mu, the head's gradient and the dead-unit count of every lane. Odd sizes cover the kernels'
// blocks of rows and columns and their tails; minibatches of 1, 2 and 3 trials (and an epoch's
// shorter last one) pair the back substitutions within a unit, across units, and leave one alone.
const SIZES = [8, 9, 11, 13, 17, 23, 33, 64];
const B = 2;

interface Case {
  d: number;
  units: number;
  size: number;
  n: number;
  activation: 'exp' | 'log_prob';
  /** Factor entries: the diagonal's range, the off-diagonal's scale. */
  diag: readonly [number, number];
  off: number;
  /**
   * The factor is the inverse (rounded to float32) of one drawn that way: huge entries whose
   * inverse, and the substitutions through it, come out of large cancelling sums, where a float64
   * rounding taken in another order shows in the float32 results.
   */
  inverted?: boolean;
  /** How far the points and the means lie from 0. */
  spread: number;
  muSpread: number;
}

function inputs(c: Case, rng: () => number) {
  const { d, units: U, n } = c;
  const uniform = (count: number, lo: number, hi: number) =>
    Float32Array.from({ length: count }, () => lo + (hi - lo) * rng());
  const l = new Float32Array(B * U * d * d);
  for (let e = 0; e < B * U; e++)
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++)
        l[e * d * d + i * d + j] =
          i === j ? c.diag[0] + (c.diag[1] - c.diag[0]) * rng() : c.off * (rng() - 0.5);
  if (c.inverted)
    for (let e = 0; e < B * U; e++) l.set(lowerInverse(l.subarray(e * d * d, (e + 1) * d * d), d), e * d * d);
  return {
    x: uniform(B * n * d, -c.spread, c.spread),
    y: Int32Array.from({ length: B * n }, () => Math.floor(rng() * U)),
    mu: uniform(B * U * d, -c.muSpread, c.muSpread),
    w: uniform(B * U * U, -2, 2),
    l,
  };
}

/** M^-1 of a lower-triangular M, in float64 by forward substitution, rounded to float32. */
function lowerInverse(m: Float32Array, d: number): Float32Array {
  const w = new Float64Array(d * d);
  for (let q = 0; q < d; q++)
    for (let p = q; p < d; p++) {
      let t = p === q ? 1 : 0;
      for (let k = q; k < p; k++) t -= m[p * d + k] * w[k * d + q];
      w[p * d + q] = t / m[p * d + p];
    }
  return Float32Array.from(w);
}

/** Every step of one epoch, every lane, through `lane` of the JS (wasm: false) or wasm kernels. */
function run(c: Case, seed: string, wasm: boolean, sigma: boolean, poison?: (l: Float32Array) => void) {
  const { d, units: U, n, size } = c;
  const data = inputs(c, seedrandom(seed));
  if (poison) poison(data.l);
  const task = new NativeClassifier(
    data.x,
    data.y,
    n,
    d,
    U,
    B,
    size,
    c.activation,
    new Minibatches([1, 2], n, size, true),
    { wasm },
  );
  const out: number[][] = [];
  const steps = Math.ceil(n / size);
  for (let step = 0; step < steps; step++) {
    task.begin(step);
    for (let b = 0; b < B; b++) {
      const l = data.l.slice(b * U * d * d, (b + 1) * U * d * d);
      // Sentinels: what the kernels do not write must stay as it was.
      const dl = new Float32Array(U * d * d).fill(7);
      const grads = [new Float32Array(B * U * d).fill(7), new Float32Array(0), new Float32Array(B * U * U)];
      const counts = [new Float32Array(B)];
      const loss = task.lane(b, [data.mu, new Float32Array(0), data.w], l, dl, grads, counts, sigma);
      const lossOnly = task.lane(b, [data.mu, new Float32Array(0), data.w], l, dl, undefined, counts, sigma);
      out.push([loss, lossOnly, counts[0][b], ...dl, ...grads[0], ...grads[2]]);
    }
  }
  return out;
}

function sameBits(js: number[][], wasm: number[][]) {
  expect(wasm.length).toBe(js.length);
  for (let s = 0; s < js.length; s++)
    for (let i = 0; i < js[s].length; i++)
      if (!Object.is(js[s][i], wasm[s][i])) expect([s, i, wasm[s][i]]).toEqual([s, i, js[s][i]]);
}

function check(c: Case, seed: string, poison?: (l: Float32Array) => void) {
  for (const sigma of [false, true]) {
    const js = run(c, seed, false, sigma, poison);
    const wasm = run(c, seed, true, sigma, poison);
    sameBits(js, wasm);
  }
}

const base = { activation: 'log_prob', diag: [0.5, 1.5], off: 0.4, spread: 1, muSpread: 0.5 } as const;

describe('classifier lane on WebAssembly', () => {
  it('runs there from d = 8 on', () => {
    expect(wasmKernelsFor(8)).toBeDefined();
  });

  it.each(SIZES)(
    'd = %i: the JavaScript kernels bit for bit (1..3 units, 1..3 trials, a short last minibatch)',
    (d) => {
      // One unit has one class, so a zero gradient: it checks the forward and the zeros.
      for (const [units, size, n] of [
        [1, 1, 2],
        [2, 1, 2],
        [3, 1, 2],
        [2, 2, 5],
        [3, 3, 4],
        [1, 3, 7],
      ])
        check({ ...base, d, units, size, n }, `classifier ${d} ${units} ${size}`);
    },
  );

  it('on edge inputs: dead units (exp of a far point), tiny and huge diagonals, a diagonal factor', () => {
    for (const d of [8, 9, 17, 64]) {
      // Far points: every unit's exp(log p) underflows to 0, so d loss / d log p is 0 everywhere.
      check({ ...base, d, units: 2, size: 2, n: 4, activation: 'exp', spread: 50 }, `dead ${d}`);
      // Near points with exp: live units, gradients through the activation.
      check(
        { ...base, d, units: 2, size: 2, n: 3, activation: 'exp', spread: 0.05, diag: [2, 3] },
        `live ${d}`,
      );
      check({ ...base, d, units: 2, size: 1, n: 2, diag: [1e-3, 2e-3], off: 1e-4 }, `tiny ${d}`);
      check({ ...base, d, units: 2, size: 1, n: 2, diag: [1e3, 2e3], off: 50 }, `huge ${d}`);
      check({ ...base, d, units: 3, size: 2, n: 2, off: 0 }, `diagonal ${d}`);
      // Ill-conditioned factors (entries near 1e10, inverses near 1), points near the means so
      // that s s^T does not swamp Sigma^-1. Two units at least: with one class the head's
      // gradient, and so every other, is 0.
      const ill = {
        spread: 1e-3,
        muSpread: 1e-3,
        diag: [1, 2],
        off: 4 * 10 ** (10 / (d - 1)),
        inverted: true,
      } as const;
      check({ ...base, ...ill, d, units: 2, size: 1, n: 2 }, `ill ${d}`);
      check({ ...base, ...ill, d, units: 3, size: 1, n: 2 }, `ill odd ${d}`);
      check({ ...base, ...ill, d, units: 2, size: 3, n: 3 }, `ill trials ${d}`);
    }
  });

  it('a failed factor (NaN from a column on) gives the same NaN pattern', () => {
    for (const d of [8, 13]) {
      const c = { ...base, d, units: 2, size: 2, n: 4 };
      check(c, `nan ${d}`, (l) => {
        for (let i = 3; i < d; i++) for (let j = 3; j <= i; j++) l[d * d + i * d + j] = Number.NaN;
      });
    }
  });

  it('L^-1 (the Sigma path) in float64: ops/triangular.ts inverseTransposeInto bit for bit', () => {
    // Rounded to float32, dSigma hides most float64 differences in L^-1: compare the kernel's
    // float64 W itself, left in its scratch block by a backward with `sigma`.
    const k = wasmKernelsFor(8)!;
    const rng = seedrandom('wasm-inverse');
    for (const d of SIZES)
      for (const off of [0.4, 3]) {
        const l = new Float32Array(d * d);
        for (let i = 0; i < d; i++)
          for (let j = 0; j <= i; j++) l[i * d + j] = i === j ? 0.5 + rng() : off * (rng() - 0.5);
        const at = (bytes: number) => k.reserve(bytes);
        const [vec, vec32, mat, mat32] = [8 * d, 4 * d, 8 * d * d, 4 * d * d];
        const [x, mu, lo, lc, zs, maha, t, g] = [vec32, vec32, mat32, mat, vec, 8, vec, 8].map(at);
        const [s, sp, acc, accMu, w, dl, dmu] = [vec, 2 * vec, mat, vec, mat, mat32, vec32].map(at);
        k.f32().set(l, lo >> 2);
        k.exports.classifierForward(d, 1, 1, x, mu, lo, lc, zs, maha, t);
        k.exports.classifierBackward(d, 1, 1, true, lc, zs, g, s, sp, acc, accMu, w, dl, dmu);
        const wt = new Float64Array(d * d);
        inverseTransposeInto(l, 0, d, wt);
        const f64 = k.f64();
        for (let p = 0; p < d; p++)
          for (let q = 0; q <= p; q++) {
            const got = f64[(w >> 3) + p * d + q];
            if (!Object.is(got, wt[q * d + p])) expect([d, p, q, got]).toEqual([d, p, q, wt[q * d + p]]);
          }
      }
  });
});
