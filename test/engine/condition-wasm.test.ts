import { afterEach, describe, expect, it, vi } from 'vitest';
import { stream } from '../../src/data/random.js';
import {
  driftMoves,
  dwSquares,
  shiftSums,
  sinceMoves,
  stepConditionBound,
} from '../../src/engine/native/condition-bound.js';
import { ConditionWasm } from '../../src/engine/native/condition-wasm.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { wasmKernelsFor } from '../../src/engine/ops/wasm.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { ConditionCheck } from '../../src/engine/train/condition.js';
import { relativeDrift } from '../../src/ground/triangular-bounds.js';
import { randomCovariance } from './conditions.js';

// The condition check's WebAssembly passes (assembly/condition.ts) give their JavaScript twins'
// numbers bit for bit, so the check's bounds, and so its verdicts, do not depend on which ran
// (COVSWEEP_WASM_KERNELS=0 runs the twins). Sizes cover every row length mod 4 (the pass's
// quads of columns, a last pair, an odd row's tail).
const SIZES = [16, 17, 18, 19, 23, 32, 33, 34, 35, 64];
const COVARIANCE = ['full', 'spd-riemannian', 'full-clip'];
const NATIVE = [...COVARIANCE, 'tril', 'log-cholesky', 'precision-cholesky'];

function lowerRandom(d: number, rng: ReturnType<typeof stream>, into: Float64Array | Float32Array, at = 0) {
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) into[at + i * d + j] = rng.normal();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the condition check on WebAssembly', () => {
  it('runs from d = 16 (this build has the kernels), not below', () => {
    expect(ConditionWasm.for(16, 1)).toBeDefined();
    expect(ConditionWasm.for(8, 1)).toBeUndefined();
    expect(ConditionWasm.for(32, 1, false)).toBeUndefined();
  });

  it('reads a block in place only through a live view of linear memory', () => {
    const d = 16;
    const k = ConditionWasm.for(d, 1)!;
    const kernels = wasmKernelsFor(d)!;
    const a = new Float64Array(d * d).fill(0.5);
    k.anchor(0, a);
    const stale = kernels.f32();
    const at = kernels.reserve(4 * d * d) >> 2;
    const sums = new Float64Array(3);
    expect(k.shift(0, stale, at, sums)).toBe(true);
    // Memory grows (another kernel's reserve): the view it had is detached, not read as resident.
    kernels.reserve(2 * stale.byteLength);
    expect(stale.length).toBe(0);
    expect(() => k.shift(0, stale, at, sums)).toThrow();
    expect(k.shift(0, kernels.f32(), at, sums)).toBe(true);
  });

  it.each(SIZES)('d = %i: its pass and relative drift are their twins bit for bit', (d) => {
    const rng = stream(d, 'condition-wasm kernels');
    const dd = d * d;
    const k = ConditionWasm.for(d, 3)!;
    const a = new Float64Array(dd);
    const w = new Float64Array(dd);
    // Float32 values below the diagonal (every anchor's: condition-wasm.ts), a float64 diagonal
    // (a rounded diagonal's float64 factor).
    lowerRandom(d, rng, a);
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) a[i * d + j] = Math.fround(a[i * d + j]);
    lowerRandom(d, rng, w);
    k.anchor(2, a, w);
    // The block at an offset, its upper triangle not zero (not read), a few entries equal to the
    // anchor's (the drift skips their rows of W).
    const at = 5;
    const m = new Float32Array(at + dd + 1);
    for (let i = 0; i < dd; i++) m[at + i] = rng.normal();
    for (let i = 0; i < d; i += 3) m[at + i * d] = a[i * d];
    const wasmSums = new Float64Array(3);
    const jsSums = new Float64Array(3);
    shiftSums(m, at, a, d, jsSums);
    // The block read where it is, in linear memory (the classifier's factors), not copied in.
    const kernels = wasmKernelsFor(d)!;
    const inMemory = kernels.reserve(4 * (dd + 3));
    kernels.f32().set(m.subarray(at, at + dd), (inMemory >> 2) + 3);
    const set = vi.spyOn(Float32Array.prototype, 'set');
    expect(k.shift(2, kernels.f32(), (inMemory >> 2) + 3, wasmSums)).toBe(true);
    expect(set).not.toHaveBeenCalled();
    set.mockRestore();
    for (let s = 0; s < 3; s++) expect(Object.is(wasmSums[s], jsSums[s]), `in memory: sum ${s}`).toBe(true);
    // Copied in: the same block through another view of its buffer, then moved, then a block of
    // the buffer that shares its slot among the kernel's views (it keeps one per dd-long slot).
    const lane = m.subarray(1);
    for (const [view, from] of [
      [m, at],
      [lane, at - 1],
      [m, at],
      [m, at + 1],
    ] as const) {
      if (view === lane) lane[at] += 0.5;
      expect(k.shift(2, view, from, wasmSums)).toBe(true);
      shiftSums(view, from, a, d, jsSums);
      for (let s = 0; s < 3; s++)
        expect(Object.is(wasmSums[s], jsSums[s]), `from ${from}: sum ${s}`).toBe(true);
    }
    // Tier 2's relative bounds: its O(d^2) sums (a rounded diagonal's and not), the move since
    // the last exact drift, and that exact drift, of the block staged in linear memory or copied in.
    const rows = Float64Array.from({ length: d }, () => Math.abs(rng.normal()));
    const last = new Float64Array(dd);
    for (let i = 0; i < dd; i++) last[i] = Math.fround(m[at + i] * (1 + 1e-3 * rng.normal()));
    k.anchor(2, a, w, rows);
    k.settle(2, last);
    const jsMoves = new Float64Array(4);
    const wasmMoves = new Float64Array(4);
    for (const rounded of [false, true])
      for (const [view, from] of [
        [kernels.f32(), (inMemory >> 2) + 3],
        [m, at],
      ] as const) {
        driftMoves(m, at, a, rows, d, rounded, jsMoves);
        wasmMoves.fill(-1);
        // Copied in below d = 32: the twins' turn.
        const copied = view === m;
        expect(k.moves(2, view, from, rounded, wasmMoves, false)).toBe(!copied || d >= 32);
        if (copied && d < 32) continue;
        for (let s = 0; s < 4; s++)
          expect(Object.is(wasmMoves[s], jsMoves[s]), `rounded ${rounded} moves ${s}`).toBe(true);
        // From the block the pass staged.
        k.shift(2, view, from, wasmSums);
        wasmMoves.fill(-1);
        k.moves(2, kernels.f32(), 0, rounded, wasmMoves, true);
        for (let s = 0; s < 4; s++)
          expect(Object.is(wasmMoves[s], jsMoves[s]), `rounded ${rounded} moves ${s}`).toBe(true);
        expect(k.since(2)).toBe(sinceMoves(m, at, last, rows, d));
        // A rounded diagonal's ||D W||_F^2 alone (the bound from the last exact drift, tried
        // first): moves' out[3], bit for bit.
        if (rounded) expect(Object.is(dwSquares(m, at, rows, d), jsMoves[3])).toBe(true);
        // Staged alone for `since` (the bound from the last exact drift, before `moves`), as
        // `moves` stages: below d = 32 only a block in linear memory.
        expect(k.stageBlock(view, from)).toBe(!copied || d >= 32);
        if (!copied || d >= 32) expect(k.since(2)).toBe(sinceMoves(m, at, last, rows, d));
        const exact = relativeDrift(m, at, a, w, d, new Float64Array(d));
        expect(k.drift(2, m, at, true)).toBe(exact);
        // Staging the block itself (the twins ran the sums).
        expect(k.drift(2, m, at, false)).toBe(exact);
      }
    // An anchor with an entry below the diagonal that float32 cannot hold: the kernel would read
    // another anchor, so it leaves the block to the twin (and leaves the sums alone).
    const b = a.slice();
    b[(d - 1) * d] += 2 ** -40;
    k.anchor(1, b);
    wasmSums.fill(-1);
    expect(k.shift(1, kernels.f32(), (inMemory >> 2) + 3, wasmSums)).toBe(false);
    expect([...wasmSums]).toEqual([-1, -1, -1]);
    const row = new Float64Array(d);
    const m64 = Float64Array.from(m, (v) => v * (1 + 1e-9));
    // The host check's, from its anchors' slots: each anchor and inverse copied in once (and
    // again when renewed), the block at every call.
    const host = ConditionWasm.for(d, 0)!;
    const block = m64.slice(at, at + dd);
    const other = a.map((v) => v * 1.5);
    host.anchorAt(0, a, w);
    host.anchorAt(1, other, w);
    expect(host.relativeAt(0, block)).toBe(relativeDrift(block, 0, a, w, d, row));
    expect(host.relativeAt(1, block)).toBe(relativeDrift(block, 0, other, w, d, row));
    host.anchorAt(0, other, w);
    expect(host.relativeAt(0, block)).toBe(relativeDrift(block, 0, other, w, d, row));
  });

  it.each(NATIVE)(
    '%s: blocks drifting near the limit get the same bounds, step by step, with and without the kernels',
    (name) => {
      const p = parameterization(name);
      const narrowed = vi.spyOn(ConditionWasm.prototype, 'narrowed');
      const bound = vi.spyOn(ConditionWasm.prototype, 'bound');
      const drift = vi.spyOn(ConditionWasm.prototype, 'drift');
      let drifts = 0;
      for (const d of [16, 17, 32]) {
        const map = nativeMap(name, d)!;
        const lanes = 3;
        const dd = d * d;
        const limits = [2 ** 23, 2 ** 23, 1e5];
        const checks = stepConditionBound(name, d, 1, limits)!;
        const twins = stepConditionBound(name, d, 1, limits, { wasm: false })!;
        const raw = new Float32Array(lanes * dd);
        // Lane 0 near the limit, lane 1 well within it, lane 2 near a lower limit.
        for (const [b, cond] of [4e6, 1e3, 3e4].entries())
          raw.set(p.fromCovariance(randomCovariance(10 * d + b, d, cond), d), b * dd);
        const rng = stream(d, `condition-wasm walk ${name}`);
        const pivots = new Float32Array(d);
        // At d = 17 the factor in linear memory, as the classifier's (the passes read it there),
        // after a first call of the map (its kernel's blocks reserved: growth detaches views).
        map.forward(raw, 0, new Float32Array(dd), 0, pivots, 0);
        const kernels = wasmKernelsFor(d)!;
        const inMemory = d === 17;
        const lo = inMemory ? kernels.reserve(4 * dd) >> 2 : 0;
        const host = new Float32Array(dd);
        for (let step = 0; step < 60; step++) {
          for (let b = 0; b < lanes; b++) {
            const l = inMemory ? kernels.f32() : host;
            map.forward(raw, b * dd, l, lo, pivots, 0);
            checks.block(b, 0, l, lo, raw, b * dd);
            twins.block(b, 0, l, lo, raw, b * dd);
            expect(Object.is(checks.bounds[b], twins.bounds[b]), `d=${d} step ${step} lane ${b}`).toBe(true);
          }
          // A step of every lower entry (both halves alike for a covariance block), small in lane
          // 1 (tier 2 clears it from tier 1's anchor).
          for (let b = 0; b < lanes; b++)
            for (let i = 0; i < d; i++)
              for (let j = 0; j <= i; j++) {
                const at = b * dd + i * d + j;
                raw[at] *= 1 + (b === 1 ? 1e-4 : 2e-3) * rng.normal();
                if (COVARIANCE.includes(name)) raw[b * dd + j * d + i] = raw[at];
              }
        }
        expect(checks.tiers).toEqual(twins.tiers);
        drifts += checks.tiers.drift;
      }
      expect(drifts).toBeGreaterThan(0);
      // The pass and its bound ran on the kernel, and every anchor the step made was one the
      // pass's kernel reads (float32 below the diagonal).
      expect(bound).toHaveBeenCalled();
      expect(narrowed.mock.results.every((r) => r.value === true)).toBe(true);
      // A covariance block's tier 2 is additive only (condition-bound.ts `drift`).
      if (!COVARIANCE.includes(name)) expect(drift).toHaveBeenCalled();
    },
  );

  it.each(['tril', 'log-cholesky', 'precision-cholesky'])(
    '%s: the host check gives the same verdicts and tiers with and without the kernels',
    (name) => {
      const p = parameterization(name);
      const relative = vi.spyOn(ConditionWasm.prototype, 'relativeAt');
      const d = 16;
      const dd = d * d;
      const checks = new ConditionCheck(p, d);
      const twins = new ConditionCheck(p, d, { wasm: false });
      // Two blocks near the limit: the host's tiers 2 to 4 all run as they drift.
      const raw = new Float32Array(2 * dd);
      for (const b of [0, 1]) raw.set(p.fromCovariance(randomCovariance(40 + b, d, 4e6), d), b * dd);
      const rng = stream(d, `condition-wasm host walk ${name}`);
      const limit = 2 ** 23;
      for (let step = 0; step < 40; step++) {
        for (const b of [0, 1]) {
          const cond = checks.above(raw, b * dd, limit);
          expect(cond, `step ${step} block ${b}`).toBe(twins.above(raw, b * dd, limit));
        }
        for (let k = 0; k < raw.length; k++) raw[k] *= 1 + 1e-3 * rng.normal();
      }
      expect(checks.tiers).toEqual(twins.tiers);
      expect(checks.tiers.drift).toBeGreaterThan(0);
      expect(relative).toHaveBeenCalled();
    },
  );
});
