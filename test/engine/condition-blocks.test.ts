import { afterEach, describe, expect, it, vi } from 'vitest';
import { stream } from '../../src/data/random.js';
import { StepConditionBound, stepConditionBound } from '../../src/engine/native/condition-bound.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import type { NativeStep } from '../../src/engine/native/step.js';
import { wasmKernels, wasmKernelsFor } from '../../src/engine/ops/wasm.js';
import { LaneTrainer } from '../../src/engine/train/train.js';
import { conditionWalk, walkStep } from './conditions.js';
import { batchOf, scoreMatchingConfig } from './configs.js';

// A whole step's blocks at once (condition-bound.ts `blocks`: the classifier's lanes, every factor
// in linear memory) clears most blocks straight from the batch's pass, without a `block` call;
// the rest go through `block`. Its bounds and tiers are the JavaScript twins', block by block,
// step by step, on a walk that keeps some blocks near the limit, some well within it, a lane
// with an infinite limit and a lane that is dead for a while.
const COVARIANCE = ['full'];

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the condition check over a whole step's blocks", () => {
  it.each(['full', 'tril', 'log-cholesky'].flatMap((name) => [8, 9, 16].map((d) => [name, d] as const)))(
    "%s, d = %i: the twins' bounds and tiers, most blocks cleared without `block`",
    (name, d) => {
      const { lanes, units, dd, blocks, checks, twins, raw } = conditionWalk(name, d, 20 * d);
      const rng = stream(d, `condition-blocks walk ${name}`);
      const kernels = wasmKernelsFor(d)!;
      const { copy, placed, factors, load } = lanesLayout(name, d, blocks);
      const alive = new Uint8Array(lanes).fill(1);
      const block = vi.spyOn(StepConditionBound.prototype, 'block');
      // `block` calls of `checks` (the twins' own are counted apart), and blocks alive, per step.
      let calls = 0;
      let live = 0;
      for (let step = 0; step < 40; step++) {
        alive[1] = step >= 15 && step < 22 ? 0 : 1;
        load(raw);
        const before = block.mock.contexts.length;
        checks.blocks(() => kernels.f32(), copy, placed, raw, alive);
        calls += block.mock.contexts.slice(before).filter((c) => c === checks).length;
        live += units * alive.reduce((n, a) => n + a, 0);
        for (let b = 0; b < lanes; b++) {
          if (!alive[b]) continue;
          for (let u = 0; u < units; u++) {
            const k = b * units + u;
            twins.block(b, u, factors, k * dd, raw, k * dd);
            expect(Object.is(checks.bounds[k], twins.bounds[k]), `step ${step} block ${k}`).toBe(true);
          }
        }
        walkStep(name, raw, d, units, rng);
      }
      expect(checks.tiers).toEqual(twins.tiers);
      // Some blocks went through `block` (the infinite limit's, those near the limit), and the lane
      // well within its limit (two blocks, 33 steps alive) was cleared from the pass most steps.
      expect(calls).toBeGreaterThan(0);
      expect(calls).toBeLessThan(live - 40);
    },
  );

  it.each(['full', 'tril', 'log-cholesky', 'precision-cholesky'])(
    "%s, d = 2: every block's closed form in one loop, the twins' bounds and tiers, no `block` call",
    (name) => {
      const d = 2;
      const { lanes, units, dd, blocks, raw } = conditionWalk(name, d, 20 * d);
      // Lane 2's blocks (condition number about 3e4) past a limit of 2e4: the host's to judge.
      const limits = [2 ** 23, 2 ** 23, 2e4, Number.POSITIVE_INFINITY];
      const checks = stepConditionBound(name, d, units, limits, { rawDiagonals: false })!;
      const twins = stepConditionBound(name, d, units, limits, { wasm: false })!;
      const rng = stream(d, `condition-blocks walk ${name}`);
      const kernels = wasmKernels()!;
      const { copy, placed, factors, load } = lanesLayout(name, d, blocks);
      const alive = new Uint8Array(lanes).fill(1);
      const block = vi.spyOn(StepConditionBound.prototype, 'block');
      let cleared = 0;
      let uncleared = 0;
      for (let step = 0; step < 40; step++) {
        alive[1] = step >= 15 && step < 22 ? 0 : 1;
        load(raw);
        const before = block.mock.contexts.length;
        checks.blocks(() => kernels.f32(), copy, placed, raw, alive);
        expect(block.mock.contexts.slice(before).filter((c) => c === checks)).toHaveLength(0);
        for (let b = 0; b < lanes; b++) {
          if (!alive[b]) continue;
          for (let u = 0; u < units; u++) {
            const k = b * units + u;
            twins.block(b, u, factors, k * dd, raw, k * dd);
            expect(Object.is(checks.bounds[k], twins.bounds[k]), `step ${step} block ${k}`).toBe(true);
            if (limits[b] !== Number.POSITIVE_INFINITY) {
              if (Number.isFinite(checks.bounds[k])) cleared++;
              else uncleared++;
            }
          }
        }
        walkStep(name, raw, d, units, rng);
      }
      expect(checks.tiers).toEqual(twins.tiers);
      // Lane 2's blocks are left to the host; the others are cleared here.
      expect(cleared).toBeGreaterThan(40);
      expect(uncleared).toBeGreaterThan(0);
    },
  );
});

describe("score matching's step at d = 2", () => {
  it.each(['full', 'tril', 'log-cholesky', 'precision-cholesky'])(
    "%s: every block bounded after the lanes, as a `block` call on each lane's factor bounds it",
    (name) => {
      const d = 2;
      // Lanes far apart in learning rate, the last one with an infinite limit (its bound is not set).
      const configs = [1e-3, 3e-2, 1e-1, 1e-2].map((lr, seed) =>
        scoreMatchingConfig({ parameterization: name, lr, seed, dim: d, iterations: 60 }),
      );
      configs[3] = {
        ...configs[3],
        thresholds: { ...configs[3].thresholds, max_condition: Number.POSITIVE_INFINITY },
      };
      const limits = configs.map((c) => c.thresholds.max_condition);
      const twins = stepConditionBound(name, d, 1, limits, { wasm: false })!;
      const map = nativeMap(name, d)!;
      const l = new Float32Array(4);
      const checks = new Float32Array(d);
      const block = vi.spyOn(StepConditionBound.prototype, 'block');
      let trainer: LaneTrainer | undefined;
      // What the test reads of the trainer: its native step's bounds and which lanes it judged alive.
      const inside = () => trainer as unknown as { native: NativeStep; health: { alive: Uint8Array } };
      let compared = 0;
      trainer = new LaneTrainer(
        batchOf(configs),
        (step, s) => {
          const raw = s.params[s.groups.findIndex((g) => g.group === 'cov')];
          const bounds = inside().native.conditionBounds!;
          for (let b = 0; b < configs.length; b++) {
            if (!inside().health.alive[b]) continue;
            map.forward(raw, 4 * b, l, 0, checks, 0);
            twins.block(b, 0, l, 0, raw, 4 * b);
            expect(Object.is(bounds[b], twins.bounds[b]), `step ${step} lane ${b}`).toBe(true);
            if (limits[b] !== Number.POSITIVE_INFINITY) {
              expect(bounds[b], `step ${step} lane ${b}`).toBeLessThan(2 ** 23);
              compared++;
            }
          }
        },
        true,
      );
      try {
        expect(trainer.engine).toBe('native');
        while (!trainer.done) trainer.advance();
      } finally {
        trainer.dispose();
      }
      // Every bound was the loop's: the step called `block` on none of them.
      expect(block.mock.contexts.filter((c) => c !== twins)).toHaveLength(0);
      expect(compared).toBeGreaterThan(100);
    },
  );
});

/**
 * The classifier lanes' layout in linear memory (mvn-classifier-lanes.ts): each raw block copied in
 * (a rounded diagonal's with L's diagonal, the rounded exps) and the factors beside them, where
 * `placed` is where the check reads the factors (full's Cholesky factors; the others' copies).
 * `load` makes the factors of raw (also into `factors`, for the twins) and copies both in.
 */
function lanesLayout(name: string, d: number, blocks: number) {
  const dd = d * d;
  const map = nativeMap(name, d)!;
  const kernels = wasmKernels()!;
  const copy = kernels.reserve(4 * blocks * dd) >> 2;
  const chol = kernels.reserve(4 * blocks * dd) >> 2;
  const factors = new Float32Array(blocks * dd);
  const pivots = new Float32Array(d);
  const rounded = name === 'log-cholesky' || name === 'precision-cholesky';
  return {
    copy,
    placed: COVARIANCE.includes(name) ? chol : copy,
    factors,
    load(raw: Float32Array) {
      for (let k = 0; k < blocks; k++) map.forward(raw, k * dd, factors, k * dd, pivots, 0);
      const f32 = kernels.f32();
      f32.set(raw, copy);
      if (rounded)
        for (let k = 0; k < blocks; k++)
          for (let i = 0; i < d; i++) f32[copy + k * dd + i * (d + 1)] = factors[k * dd + i * (d + 1)];
      f32.set(factors, chol);
    },
  };
}
