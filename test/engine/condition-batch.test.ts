import { afterEach, describe, expect, it, vi } from 'vitest';
import { stream } from '../../src/data/random.js';
import { shiftSums } from '../../src/engine/native/condition-bound.js';
import { ConditionWasm, SHIFTS_BELOW, SHIFTS_FROM } from '../../src/engine/native/condition-wasm.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { wasmKernels } from '../../src/engine/ops/wasm.js';
import { conditionWalk, walkStep } from './conditions.js';

// The step's pass over a whole batch in one WebAssembly call before its blocks (condition-bound.ts
// `prepare`, assembly/condition.ts `conditionShifts`) gives what the pass block by block and its
// JavaScript twin give, bit for bit: the same sums, the same bounds, the same tiers, step by step.
// Sizes cover every row length mod 4 (the pass's quads of columns, a last pair, an odd row's tail).
const SIZES = [3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 18, 19, 31];
const COVARIANCE = ['full', 'spd-riemannian', 'full-clip'];
const NATIVE = [...COVARIANCE, 'tril', 'log-cholesky', 'precision-cholesky'];
/** Each slack's code for `shifts` (condition-bound.ts SLACK_CODE). */
const SLACKS = { exact: 0, rounded: 1, sigma: 2 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the condition check's pass over a whole batch", () => {
  it('runs from d = 3 (d = 2 has its closed form) up to 31', () => {
    expect(SHIFTS_FROM).toBe(3);
    expect(ConditionWasm.for(3, 1, true, SHIFTS_FROM)).toBeDefined();
    expect(ConditionWasm.for(2, 1, true, SHIFTS_FROM)).toBeUndefined();
    expect(ConditionWasm.for(3, 1, false, SHIFTS_FROM)).toBeUndefined();
    // Block by block, only from 16 on.
    expect(ConditionWasm.for(8, 1, true, SHIFTS_FROM)!.blockwise).toBe(false);
    expect(ConditionWasm.for(16, 1, true, SHIFTS_FROM)!.blockwise).toBe(true);
    // For whole batches, below 32.
    expect(SHIFTS_BELOW).toBe(32);
    expect(ConditionWasm.for(31, 1, true, SHIFTS_FROM)!.batched).toBe(true);
    expect(ConditionWasm.for(32, 1, true, SHIFTS_FROM)!.batched).toBe(false);
  });

  it.each(SIZES)("d = %i: each block's sums are shiftSums's, copied in or read in place", (d) => {
    const rng = stream(d, 'condition-batch sums');
    const dd = d * d;
    const blocks = 5;
    const k = ConditionWasm.for(d, blocks, true, SHIFTS_FROM)!;
    const anchors = Array.from({ length: blocks }, () => {
      const a = new Float64Array(dd);
      for (let i = 0; i < d; i++)
        for (let j = 0; j <= i; j++) a[i * d + j] = j < i ? Math.fround(rng.normal()) : rng.normal();
      return a;
    });
    for (const [b, a] of anchors.entries()) k.anchor(b, a);
    // Blocks at an offset, upper triangles not zero (not read), a few entries equal to the anchor's.
    const at = 3;
    const m = new Float32Array(at + blocks * dd + 1);
    for (let i = 0; i < m.length; i++) m[i] = rng.normal();
    for (let b = 0; b < blocks; b++)
      for (let i = 0; i < d; i += 3) m[at + b * dd + i * d] = anchors[b][i * d];
    const kernels = wasmKernels()!;
    const place = kernels.reserve(4 * (blocks * dd + at)) >> 2;
    kernels.f32().set(m.subarray(at, at + blocks * dd), place + at);
    const js = new Float64Array(3);
    const wasm = new Float64Array(3);
    // Each slack's pass makes the sums its bound reads: a rounded diagonal's all three, the
    // others' the squares on and below the diagonal (sums[2], D's, is a rounded diagonal's alone).
    for (const [slack, read] of [
      [SLACKS.rounded, 3],
      [SLACKS.exact, 2],
      [SLACKS.sigma, 2],
    ] as const)
      for (const [view, from] of [
        [m, at],
        [kernels.f32(), place + at],
      ] as const) {
        // Blocks 1 to 3 only: the others keep what they had.
        k.shifts(view, from, 1, 3, slack);
        for (let b = 1; b < 4; b++) {
          shiftSums(m, at + b * dd, anchors[b], d, js);
          expect(k.shifted(b, wasm)).toBe(true);
          for (let s = 0; s < read; s++) expect(Object.is(wasm[s], js[s]), `block ${b} sum ${s}`).toBe(true);
        }
      }
    // An anchor that float32 cannot hold below its diagonal: its sums are the twin's to make.
    const b = anchors[2].slice();
    b[(d - 1) * d] += 2 ** -40;
    k.anchor(2, b);
    expect(k.narrowed(2)).toBe(false);
    expect(k.shifted(2, wasm)).toBe(false);
  });

  // A batch as the native step runs it: lanes of `units` blocks, `prepare` on the raw blocks (or,
  // as the classifier's lanes, on their copy in linear memory with L's diagonal), then each live
  // block's `block` at its factor; against the JavaScript twins block by block.
  it.each(NATIVE)(
    '%s: a batch drifting near the limit gets the same bounds and tiers as the twins, step by step',
    (name) => {
      const shifts = vi.spyOn(ConditionWasm.prototype, 'shifts');
      // Where `prepare` clears what the pass's bound clears, the pass and the clearing run in one call.
      const shiftsClear = vi.spyOn(ConditionWasm.prototype, 'shiftsClear');
      const bound = vi.spyOn(ConditionWasm.prototype, 'shiftBound');
      const offs = vi.spyOn(ConditionWasm.prototype, 'offsAt');
      let drifts = 0;
      for (const [d, inMemory] of [
        [4, false],
        [5, true],
        [8, false],
        [8, true],
        [11, false],
        [16, true],
        [17, false],
      ] as const) {
        const map = nativeMap(name, d)!;
        const { lanes, units, dd, blocks, checks, twins, raw } = conditionWalk(name, d, 10 * d);
        const rng = stream(d, `condition-batch walk ${name} ${inMemory}`);
        const pivots = new Float32Array(d);
        map.forward(raw, 0, new Float32Array(dd), 0, pivots, 0);
        const kernels = wasmKernels()!;
        const copy = kernels.reserve(4 * blocks * dd) >> 2;
        const factors = new Float32Array(blocks * dd);
        const alive = new Uint8Array(lanes).fill(1);
        for (let step = 0; step < 50; step++) {
          // Lane 1 dead a while (its blocks neither prepared nor judged), and now and then a
          // step without `prepare` (no stale sums read).
          alive[1] = step >= 20 && step < 30 ? 0 : 1;
          for (let k = 0; k < blocks; k++) map.forward(raw, k * dd, factors, k * dd, pivots, 0);
          const rounded = name === 'log-cholesky' || name === 'precision-cholesky';
          if (inMemory) {
            // The classifier's lanes: raw copied in, a rounded diagonal's made L's by its forward.
            const f32 = kernels.f32();
            f32.set(raw, copy);
            if (rounded)
              for (let k = 0; k < blocks; k++)
                for (let i = 0; i < d; i++) f32[copy + k * dd + i * (d + 1)] = factors[k * dd + i * (d + 1)];
            if (step % 7 !== 6) {
              checks.prepare(f32, copy, alive, true);
              twins.prepare(f32, copy, alive, true);
            }
          } else if (step % 7 !== 6) {
            // The twins are told how the step hands its blocks over, as the step tells them (no
            // kernels to run: a rounded diagonal's raw blocks get its raw diagonal's bound first).
            checks.prepare(raw, 0, alive);
            twins.prepare(raw, 0, alive);
          }
          for (let b = 0; b < lanes; b++) {
            if (!alive[b]) continue;
            for (let u = 0; u < units; u++) {
              const k = b * units + u;
              // The factor: in linear memory where prepared there (tril's is raw's copy itself),
              // else the map's on the host (tril's: raw itself, as in place).
              const [l, lo] =
                inMemory && !COVARIANCE.includes(name)
                  ? [kernels.f32(), copy + k * dd]
                  : name === 'tril'
                    ? [raw, k * dd]
                    : [factors, k * dd];
              checks.block(b, u, l, lo, raw, k * dd);
              twins.block(b, u, l, lo, raw, k * dd);
              expect(Object.is(checks.bounds[k], twins.bounds[k]), `d=${d} step ${step} block ${k}`).toBe(
                true,
              );
            }
          }
          walkStep(name, raw, d, units, rng);
        }
        expect(checks.tiers).toEqual(twins.tiers);
        drifts += checks.tiers.drift;
      }
      expect(drifts).toBeGreaterThan(0);
      expect(shifts.mock.calls.length + shiftsClear.mock.calls.length).toBeGreaterThan(0);
      // The kernel's own bound cleared blocks (not only the twins' arithmetic on its sums).
      expect(bound).toHaveBeenCalled();
      // A factor's relative bound ran on the batch's sums (a covariance block's tier 2 is additive only).
      if (!COVARIANCE.includes(name)) expect(offs.mock.results.some((r) => r.value >= 0)).toBe(true);
    },
  );
});
