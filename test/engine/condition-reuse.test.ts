import { describe, expect, it } from 'vitest';
import { stream } from '../../src/data/random.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { conditionWalk, dirtyNextBlocks, walkStep } from './conditions.js';

// A batch's condition kernels take their block of linear memory from an instance collected before
// (condition-wasm.ts `free`) or from memory past the last one: either way it holds what was there.
// In a frontier's worker a block whose flag `wants` was left set by another instance was skipped by
// the pass with its gate open, and cleared by the bound left beside it: runs above the limit ended
// ok. Its own file: the first instance of the process is the one placed on the dirtied memory.
describe("the condition check's kernels on memory another instance left", () => {
  it("d = 8, tril: a batch on dirtied memory gets the twins' bounds, step by step", () => {
    dirtyNextBlocks(1 << 20);
    const d = 8;
    const name = 'tril';
    const map = nativeMap(name, d)!;
    const { lanes, units, dd, checks, twins, raw } = conditionWalk(name, d, 80);
    const rng = stream(d, 'condition-reuse walk');
    const alive = new Uint8Array(lanes).fill(1);
    const pivots = new Float32Array(d);
    map.forward(raw, 0, new Float32Array(dd), 0, pivots, 0);
    for (let step = 0; step < 40; step++) {
      checks.prepare(raw, 0, alive);
      twins.prepare(raw, 0, alive);
      for (let b = 0; b < lanes; b++)
        for (let u = 0; u < units; u++) {
          const k = b * units + u;
          // tril's factor is raw's lower triangle itself (in place).
          checks.block(b, u, raw, k * dd, raw, k * dd);
          twins.block(b, u, raw, k * dd, raw, k * dd);
          expect(Object.is(checks.bounds[k], twins.bounds[k]), `step ${step} block ${k}`).toBe(true);
        }
      walkStep(name, raw, d, units, rng);
    }
    expect(checks.tiers).toEqual(twins.tiers);
    expect(checks.tiers.drift).toBeGreaterThan(0);
  });
});
