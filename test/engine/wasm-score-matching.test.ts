import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { wasmKernelsFor } from '../../src/engine/ops/wasm.js';
import { NativeScoreMatching } from '../../src/engine/tasks/score-matching-native.js';

// The score-matching lane on WebAssembly (assembly/score-matching.ts) must give the JavaScript
// lane's numbers bit for bit: loss, d loss / d mu and dL, for both kinds of factor. Sizes cover
// dotRows's blocks of outputs (8, 2, 1) and the inverse's column pairs and odd last column.
const SIZES = [8, 9, 10, 11, 13, 16, 17, 23, 32, 33, 40, 64];
const LANES = 3;
/** Each factor's diagonal offset and off-diagonal size (`factor`). */
const SCALES = [
  [0.5, 1],
  [1e-3, 1],
  [10, 1e-3],
  [0.1, 30],
] as const;

function sameBits(x: ArrayLike<number>, y: ArrayLike<number>) {
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect([i, y[i]]).toEqual([i, x[i]]);
}

/** A lower factor with diagonal in [lo, lo + 1) and off-diagonal entries of size `off`. */
function factor(d: number, rng: () => number, lo: number, off: number): Float32Array {
  const l = new Float32Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) l[i * d + j] = (rng() - 0.5) * off;
    l[i * d + i] = lo + rng();
  }
  return l;
}

type Of = 'precision' | 'covariance';

/**
 * Each lane's loss, d loss / d mu and dL (upper triangle pre-filled with 7) from both kernels; with
 * `sigma`, d loss / d Sigma (all of it) in place of dL.
 */
function both(d: number, of: Of, l: Float32Array, seed: string, withGrads = true, sigma = false) {
  const rng = seedrandom(seed);
  const n = 5 + Math.floor(rng() * 20);
  const x = Float32Array.from({ length: LANES * n * d }, () => (rng() - 0.5) * 4);
  const mu = Float32Array.from({ length: LANES * d }, () => rng() - 0.5);
  const run = (wasm: boolean) => {
    const task = new NativeScoreMatching(x, n, d, LANES, of, { wasm });
    return Array.from({ length: LANES }, (_, b) => {
      const dl = new Float32Array(d * d).fill(7);
      const grads = withGrads ? [new Float32Array(LANES * d), new Float32Array(0)] : undefined;
      const loss = task.lane(b, [mu], l, dl, grads, [], sigma);
      return { loss, dl, gmu: grads?.[0] };
    });
  };
  return { js: run(false), wasm: run(true) };
}

function expectSame(d: number, of: Of, l: Float32Array, seed: string, withGrads = true, sigma = false) {
  const { js, wasm } = both(d, of, l, seed, withGrads, sigma);
  for (let b = 0; b < LANES; b++) {
    expect(Object.is(wasm[b].loss, js[b].loss) ? js[b].loss : [wasm[b].loss]).toBe(js[b].loss);
    sameBits(js[b].dl, wasm[b].dl);
    if (withGrads) sameBits(js[b].gmu!, wasm[b].gmu!);
  }
  return js;
}

describe('WebAssembly score-matching lane', () => {
  it('runs from d = 8 on', () => {
    expect(wasmKernelsFor(8)).toBeDefined();
  });

  for (const of of ['precision', 'covariance'] as const)
    it(`${of} factor: the JavaScript lane bit for bit (loss, d mu, dL; upper triangle untouched)`, () => {
      const rng = seedrandom(`wasm-sm-${of}`);
      for (const d of SIZES)
        for (const [lo, off] of SCALES) {
          const js = expectSame(d, of, factor(d, rng, lo, off), `${of}-${d}-${lo}`);
          for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) expect(js[0].dl[i * d + j]).toBe(7);
          expect(Number.isFinite(js[0].loss)).toBe(true);
        }
    });

  it('covariance factor, d loss / d Sigma: the JavaScript lane bit for bit, both triangles written', () => {
    const rng = seedrandom('wasm-sm-sigma');
    for (const d of SIZES)
      for (const [lo, off] of SCALES) {
        const js = expectSame(d, 'covariance', factor(d, rng, lo, off), `sigma-${d}-${lo}`, true, true);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < i; j++) expect(js[0].dl[j * d + i]).toBe(js[0].dl[i * d + j]);
      }
  });

  it('gives d loss / d Sigma for a covariance factor from d = 8 only, and says so when asked otherwise', () => {
    const rng = seedrandom('wasm-sm-sigma-where');
    for (const [d, of, offered] of [
      [7, 'covariance', false],
      [8, 'precision', false],
      [8, 'covariance', true],
    ] as const) {
      const x = Float32Array.from({ length: 6 * d }, () => rng() - 0.5);
      const task = new NativeScoreMatching(x, 6, d, 1, of);
      expect(task.sigmaGradient).toBe(offered);
      const ask = () =>
        task.lane(
          0,
          [new Float32Array(d)],
          factor(d, rng, 0.5, 1),
          new Float32Array(d * d),
          [new Float32Array(d)],
          [],
          true,
        );
      if (offered) expect(Number.isFinite(ask())).toBe(true);
      else expect(ask).toThrow(/d loss \/ d Sigma is given from d = 8 for a covariance factor/);
    }
  });

  it('covariance factor, d loss / d Sigma: the same non-finite numbers', () => {
    const rng = seedrandom('wasm-sm-sigma-edge');
    for (const d of [8, 11, 17])
      for (const poison of [Number.NaN, Number.POSITIVE_INFINITY, 0, -0]) {
        const l = factor(d, rng, 0.5, 1);
        l[(d - 2) * d + 1] = poison;
        expectSame(d, 'covariance', l, `sigma-edge-${d}-${poison}`, true, true);
        const m = factor(d, rng, 0.5, 1);
        m[3 * d + 3] = poison;
        expectSame(d, 'covariance', m, `sigma-edge-diag-${d}-${poison}`, true, true);
      }
  });

  for (const of of ['precision', 'covariance'] as const)
    it(`${of} factor: the same non-finite numbers, and the loss alone without gradients`, () => {
      const rng = seedrandom(`wasm-sm-edge-${of}`);
      for (const d of [8, 11, 17]) {
        expectSame(d, of, factor(d, rng, 0.5, 1), `loss-only-${d}`, false);
        for (const poison of [Number.NaN, Number.POSITIVE_INFINITY, 0, -0]) {
          // One off-diagonal entry (then one diagonal entry) of the factor made non-finite or zero.
          const l = factor(d, rng, 0.5, 1);
          l[(d - 2) * d + 1] = poison;
          expectSame(d, of, l, `edge-${d}-${poison}`);
          const m = factor(d, rng, 0.5, 1);
          m[3 * d + 3] = poison;
          expectSame(d, of, m, `edge-diag-${d}-${poison}`);
        }
      }
    });

  it('writes nothing past its blocks (its scratch is the size the kernel uses)', () => {
    // d = 21 is new to this file's thread, so the block reserved next lies right after the lane's.
    const d = 21;
    const k = wasmKernelsFor(d)!;
    const rng = seedrandom('wasm-sm-bounds');
    const x = Float32Array.from({ length: LANES * 5 * d }, () => rng() - 0.5);
    const mu = new Float32Array(LANES * d);
    const tasks = (['covariance', 'precision'] as const).map(
      (of) => new NativeScoreMatching(x, 5, d, LANES, of),
    );
    const guard = k.reserve(8 * 64) >> 3;
    k.f64().fill(7, guard, guard + 64);
    for (const task of tasks)
      for (const sigma of task.sigmaGradient ? [false, true] : [false]) {
        const grads = [new Float32Array(LANES * d), new Float32Array(0)];
        task.lane(0, [mu], factor(d, rng, 0.5, 1), new Float32Array(d * d), grads, [], sigma);
        expect(Array.from(k.f64().subarray(guard, guard + 64))).toEqual(new Array(64).fill(7));
      }
  });

  it('tasks of one d take turns at the resident scatters: each lane its own numbers, memory bounded', () => {
    // Three lanes (a block of four), then five (a new block of eight), then three again (the
    // block of eight, copied into afresh): lane by lane in turns, every lane as the JavaScript's.
    const d = 12;
    const k = wasmKernelsFor(d)!;
    const rng = seedrandom('wasm-sm-turns');
    const batches = [3, 5, 3].map((lanes) => {
      const n = 6 + Math.floor(rng() * 10);
      const x = Float32Array.from({ length: lanes * n * d }, () => (rng() - 0.5) * 4);
      const mu = Float32Array.from({ length: lanes * d }, () => rng() - 0.5);
      const l = factor(d, rng, 0.5, 1);
      const task = (wasm: boolean) => new NativeScoreMatching(x, n, d, lanes, 'covariance', { wasm });
      return { lanes, mu, l, wasm: task(true), js: task(false) };
    });
    const lane = (t: NativeScoreMatching, lanes: number, b: number, mu: Float32Array, l: Float32Array) => {
      const dl = new Float32Array(d * d);
      const grads = [new Float32Array(lanes * d), new Float32Array(0)];
      const loss = t.lane(b, [mu], l, dl, grads);
      return { loss, dl, gmu: grads[0] };
    };
    let reserved = 0;
    for (let round = 0; round < 3; round++) {
      for (let b = 0; b < 5; b++)
        for (const { lanes, mu, l, wasm, js } of batches) {
          if (b >= lanes) continue;
          const [w, j] = [lane(wasm, lanes, b, mu, l), lane(js, lanes, b, mu, l)];
          expect(w.loss).toBe(j.loss);
          sameBits(j.dl, w.dl);
          sameBits(j.gmu, w.gmu);
        }
      if (round === 0) reserved = k.reserve(0);
      else expect(k.reserve(0)).toBe(reserved);
    }
  });

  it("leaves the lane's factor in linear memory for the condition check (laneFactors), bit for bit", () => {
    const d = 16;
    const rng = seedrandom('wasm-sm-lane-factors');
    const x = Float32Array.from({ length: LANES * 5 * d }, () => rng() - 0.5);
    const mu = new Float32Array(LANES * d);
    const task = new NativeScoreMatching(x, 5, d, LANES, 'covariance');
    for (let b = 0; b < LANES; b++) {
      const l = factor(d, rng, 0.5, 1);
      l[1] = 3; // above the diagonal: the block as handed in, whole
      task.lane(b, [mu], l, new Float32Array(d * d), [new Float32Array(LANES * d), new Float32Array(0)]);
      const placed = task.laneFactors();
      expect(placed).toBeDefined();
      expect(placed!.buffer).toBe(wasmKernelsFor(d)!.f32().buffer);
      sameBits(l, placed!);
    }
    const js = new NativeScoreMatching(x, 5, d, LANES, 'covariance', { wasm: false });
    js.lane(0, [mu], factor(d, rng, 0.5, 1), new Float32Array(d * d), undefined);
    expect(js.laneFactors()).toBeUndefined();
  });

  it('tasks of one d share their blocks: making batches does not grow memory', () => {
    const k = wasmKernelsFor(24)!;
    const x = new Float32Array(LANES * 5 * 24);
    new NativeScoreMatching(x, 5, 24, LANES, 'covariance');
    const next = k.reserve(0);
    for (let i = 0; i < 100; i++) new NativeScoreMatching(x, 5, 24, LANES, 'precision');
    expect(k.reserve(0)).toBe(next);
  });
});
