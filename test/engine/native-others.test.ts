import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/engine/backend.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { NativeStep } from '../../src/engine/native/step.js';
import { parameterization } from '../../src/engine/parameterizations/index.js';
import { task } from '../../src/engine/tasks/index.js';
import type { NativeTask } from '../../src/engine/tasks/types.js';
import { LaneTrainer } from '../../src/engine/train/train.js';
import type { RunConfig } from '../../src/types.js';
import { batchOf, classifierConfig, OTHER_NATIVE_MAPS, scoreMatchingConfig } from './configs.js';
import { bits } from './reference64.js';

/**
 * The native maps of configs.ts's OTHER_NATIVE_MAPS, step by step along the tfjs path's own runs:
 * at every step's parameters, the native step's loss and gradients against the tfjs ones, through
 * the classifier's d loss / d Sigma route and through d loss / d L (bit for bit). Whole runs of
 * these parameterizations can part on rounding alone where a run is chaotic (full-clip's clipped
 * runs at large steps, givens's angles, which start at a point where their gradient is zero and
 * take their direction from the first differences): there native-step.test.ts compares whole runs
 * only where they agree, and this test compares every step of every run, failing edges included.
 */
const TASKS: readonly (readonly [string, (c: Partial<RunConfig>, lr: number, seed: number) => RunConfig])[] =
  [
    [
      'mvn-classifier, 3 units in 3-D, batches of 7, 2 epochs',
      (c, lr, seed) => {
        const base = classifierConfig({ lr, seed, epochs: 2 });
        return {
          ...base,
          ...c,
          dim: 3,
          task: { ...base.task, units: 3, n_per_class: 40, batch_size: 7 },
        } as RunConfig;
      },
    ],
    [
      'score-matching in 3-D',
      (c, lr, seed) => ({ ...scoreMatchingConfig({ lr: lr * 10, seed, dim: 3, iterations: 60 }), ...c }),
    ],
  ];

/** The task without its d loss / d Sigma route: the native step then goes through d loss / d L, as tfjs does. */
const throughL = (t: NativeTask): NativeTask =>
  Object.assign(Object.create(Object.getPrototypeOf(t)), t, { sigmaGradient: false });

describe('native maps of the other parameterizations, step by step along tfjs runs on cpu', () => {
  beforeAll(() => useBackend('cpu'));

  describe.each(TASKS)('%s', (_, make) => {
    it.each(OTHER_NATIVE_MAPS)('%s %j', (name, parameterization_options) => {
      const configs = Array.from({ length: 12 }, (_, i) =>
        make({ parameterization: name, parameterization_options }, 10 ** (-5 + (i % 6)), Math.floor(i / 6)),
      );
      const p = parameterization(name, parameterization_options);
      const first = configs[0];
      const d = first.dim;
      const instance = task(first.task.name).create(configs, p);
      const native = instance.native!();
      expect(native).toBeDefined();
      const map = () => nativeMap(name, d, parameterization_options)!;
      const steps = [native!, throughL(native!)].map(
        (t) => new NativeStep(t, map(), instance.params, configs.length, instance.units, d),
      );
      let compared = 0;
      const trainer = new LaneTrainer(
        batchOf(configs),
        (step, { loss, params, grads }) => {
          const alive = Uint8Array.from(loss, (v) => (Number.isFinite(v) ? 1 : 0));
          for (const s of steps) s.evaluate(step, params, alive, true);
          for (let b = 0; b < configs.length; b++) {
            const lanes = grads.map((want, g) => {
              const size = want.length / configs.length;
              // A zero's sign aside (tfjs's masks give -0 where a map leaves +0).
              const lane = (v: ArrayLike<number>) =>
                Array.from(v, (x) => x + 0).slice(b * size, (b + 1) * size);
              return { want: lane(want), got: steps.map((s) => lane(s.grads[g])) };
            });
            // Score matching's float64 moments stay finite where tfjs's float32 sums over the
            // points overflow: no comparison there.
            if (!alive[b] || !lanes.every((g) => g.want.every(Number.isFinite))) continue;
            compared++;
            for (const s of steps)
              expect(Math.abs(s.loss[b] - loss[b])).toBeLessThanOrEqual(
                1e-5 * Math.max(1, Math.abs(loss[b])),
              );
            const exact = first.task.name === 'mvn-classifier';
            // The classifier's route through d loss / d L is tfjs's arithmetic: bit for bit.
            if (exact) expect(bits([steps[1].loss[b]])).toEqual(bits([loss[b]]));
            for (const { want, got } of lanes) {
              // Elsewhere, float32 roundings of sums taken in another order: to 1e-5 of the group's
              // largest entry in the lane.
              const scale = Math.max(1e-3, ...want.map(Math.abs));
              for (const [k, g] of got.entries())
                if (exact && k === 1) expect(bits(g)).toEqual(bits(want));
                else
                  for (const [j, v] of g.entries())
                    expect(Math.abs(v - want[j])).toBeLessThanOrEqual(1e-5 * scale);
            }
          }
        },
        false,
      );
      try {
        while (!trainer.done) trainer.advance();
      } finally {
        trainer.dispose();
        instance.dispose();
      }
      // Most steps of most lanes compared.
      expect(compared).toBeGreaterThan(configs.length * 10);
    });
  });
});
