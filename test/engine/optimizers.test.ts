import { readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { ParamGroup } from '../../src/engine/tasks/types.js';
import { optimizer, optimizers } from '../../src/engine/train/optim.js';
import type { OptimizerConfig, RunConfig } from '../../src/types.js';
import { scoreMatchingConfig } from './configs.js';
import { bits, mismatches } from './reference64.js';

/** torch.optim on fixed float32 numbers (test/fixtures/optimizers/torch-steps.py wrote it). */
interface TorchCase {
  optimizer: OptimizerConfig;
  lr: number;
  start: number[];
  /** The gradient torch was given at each step, and the parameters after that step. */
  grads: number[][];
  params: number[][];
}
const TORCH: { torch: string; cases: TorchCase[] } = JSON.parse(
  readFileSync(new URL('../fixtures/optimizers/torch-steps.json', import.meta.url), 'utf8'),
);

const configOf = (o: OptimizerConfig, lr: number, weights = lr): RunConfig => ({
  ...scoreMatchingConfig(),
  optimizer: o,
  lr: { cov: lr, mean: lr / 2, weights },
});

/** Two parameter groups of n elements per lane: 'cov' and 'weights'. */
const groupsOf = (lanes: number, n: number): ParamGroup[] =>
  (['cov', 'weights'] as const).map((group) => ({
    name: group,
    group,
    shape: [n],
    init: new Float32Array(lanes * n),
  }));

/** The stiff quadratic the fixture uses: g = scale (p - shift), with one element whose gradient is always 0. */
const SCALE = [1, 10, 1e-3, 0.5, 3, 0];
const SHIFT = [0.1, -2, 1e-4, 0, -0.7, 0];

/**
 * Independent float64 statements of each rule, in their textbook form (Adam as Kingma & Ba's
 * bias-corrected moments m / (1 - beta1^t) and v / (1 - beta2^t)), over `steps` steps of the quadratic.
 */
function reference64(o: OptimizerConfig, lr: number, start: number[], steps: number): number[][] {
  const p = [...start];
  const [m, v] = [p.map(() => 0), p.map(() => 0)];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let k = 0; k < p.length; k++) {
      const g = SCALE[k] * (p[k] - SHIFT[k]);
      if (o.name === 'sgd') {
        m[k] = o.momentum * m[k] + g;
        p[k] -= lr * (o.nesterov ? g + o.momentum * m[k] : m[k]);
      } else if (o.name === 'adam') {
        m[k] = o.beta1 * m[k] + (1 - o.beta1) * g;
        v[k] = o.beta2 * v[k] + (1 - o.beta2) * g * g;
        const mHat = m[k] / (1 - o.beta1 ** t);
        const vHat = v[k] / (1 - o.beta2 ** t);
        p[k] -= (lr * mHat) / (Math.sqrt(vHat) + o.eps);
      } else {
        v[k] = o.alpha * v[k] + (1 - o.alpha) * g * g;
        p[k] -= (lr * g) / (Math.sqrt(v[k]) + o.eps);
      }
    }
    out.push([...p]);
  }
  return out;
}

/** The engine's rule on the same quadratic, its gradient in float32 as torch computes it. */
function engine(o: OptimizerConfig, lr: number, start: number[], steps: number): number[][] {
  const n = start.length;
  const opt = optimizer([configOf(o, lr)], groupsOf(1, n));
  const params = [Float32Array.from(start), new Float32Array(n)];
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const g = Float32Array.from(params[0], (p, k) => Math.fround(SCALE[k] * Math.fround(p - SHIFT[k])));
    opt.step(params, [g, new Float32Array(n)], Uint8Array.of(1));
    out.push(Array.from(params[0]));
  }
  return out;
}

const RULES: OptimizerConfig[] = [
  { name: 'sgd', momentum: 0.3, nesterov: false },
  { name: 'sgd', momentum: 0.9, nesterov: true },
  { name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  { name: 'adam', beta1: 0.5, beta2: 0.8, eps: 1e-3 },
  { name: 'rmsprop', alpha: 0.99, eps: 1e-8 },
  { name: 'rmsprop', alpha: 0.5, eps: 1e-2 },
];

describe('optimizer rules', () => {
  it('registers sgd (the default), adam and rmsprop', () => {
    expect([...optimizers.keys()]).toEqual(['sgd', 'adam', 'rmsprop']);
  });

  it.each(RULES.map((o) => [JSON.stringify(o), o] as const))(
    '%s follows its float64 reference over 30 steps',
    (_label, o) => {
      const start = [0.5, -1.25, 3, 1e-3, -0.2, 7].map(Math.fround);
      const lr = o.name === 'sgd' ? 0.01 : 0.05;
      const got = engine(o, lr, start, 30);
      const want = reference64(o, lr, start, 30);
      // float32 rounding of about 1e-7 per operation, over 30 steps that feed back.
      for (const [t, p] of got.entries()) expect(mismatches(p, want[t], 1e-4), `step ${t + 1}`).toEqual([]);
      // It moved: a rule that did nothing would not match after the first step.
      expect(mismatches(got[29], start, 1e-2)).not.toEqual([]);
    },
  );

  it.each(TORCH.cases.map((c) => [JSON.stringify(c.optimizer), c.lr, c] as const))(
    '%s, lr %s, gives torch 1.13 float32 numbers step by step',
    (_label, _lr, c) => {
      const n = c.start.length;
      const opt = optimizer([configOf(c.optimizer, c.lr)], groupsOf(1, n));
      const params = [Float32Array.from(c.start), new Float32Array(n)];
      c.grads.forEach((g, t) => {
        opt.step(params, [Float32Array.from(g), new Float32Array(n)], Uint8Array.of(1));
        // torch's CPU kernels may fuse a multiply-add (one rounding where the engine has two):
        // a few float32 ulps apart at most.
        expect(mismatches(params[0], c.params[t], 4e-7), `step ${t + 1}`).toEqual([]);
      });
    },
  );

  it.each(['sgd', 'adam', 'rmsprop'] as const)(
    '%s: a lane gets the same bits alone and in a batch, with its own rates and options; a stopped lane keeps its parameters',
    (name) => {
      const rng = seedrandom(`lanes-${name}`);
      const n = 5;
      const lanes = [0.01, 0.1, 0.001, 0.03].map((lr, b): RunConfig => {
        const o: OptimizerConfig =
          name === 'sgd'
            ? { name, momentum: 0.1 * b, nesterov: false }
            : name === 'adam'
              ? { name, beta1: 0.9 - 0.1 * b, beta2: 0.999 - 0.01 * b, eps: 10 ** (-8 + b) }
              : { name, alpha: 0.99 - 0.1 * b, eps: 10 ** (-8 + b) };
        return configOf(o, lr, 2 * lr);
      });
      const steps = 12;
      const grads = Array.from({ length: steps }, () =>
        Array.from({ length: lanes.length }, () =>
          [0, 1].map(() => Float32Array.from({ length: n }, () => Math.fround(4 * rng() - 2))),
        ),
      );
      const start = Array.from({ length: lanes.length }, () =>
        [0, 1].map(() => Float32Array.from({ length: n }, () => Math.fround(rng()))),
      );
      /** Lanes `which` trained together; lane 2 stops after step `stopAt` when it rides along. */
      const train = (which: number[], stopAt = Number.POSITIVE_INFINITY) => {
        const opt = optimizer(
          which.map((b) => lanes[b]),
          groupsOf(which.length, n),
        );
        const params = [0, 1].map((i) => Float32Array.from(which.flatMap((b) => [...start[b][i]])));
        for (let t = 0; t < steps; t++) {
          const g = [0, 1].map((i) => Float32Array.from(which.flatMap((b) => [...grads[t][b][i]])));
          opt.step(
            params,
            g,
            Uint8Array.from(which, (b) => (b === 2 && t >= stopAt ? 0 : 1)),
          );
        }
        return params;
      };
      const batch = train([0, 1, 2, 3]);
      for (const b of [0, 1, 2, 3]) {
        const alone = train([b]);
        for (const i of [0, 1])
          expect(bits(batch[i], b * n, n), `lane ${b} group ${i}`).toEqual(bits(alone[i]));
      }
      const stopped = train([0, 1, 2, 3], 5);
      const upTo5 = (() => {
        const opt = optimizer([lanes[2]], groupsOf(1, n));
        const params = [0, 1].map((i) => Float32Array.from(start[2][i]));
        for (let t = 0; t < 5; t++)
          opt.step(
            params,
            [0, 1].map((i) => grads[t][2][i]),
            Uint8Array.of(1),
          );
        return params;
      })();
      for (const i of [0, 1]) expect(bits(stopped[i], 2 * n, n)).toEqual(bits(upTo5[i]));
      for (const i of [0, 1]) expect(bits(stopped[i], 3 * n, n)).toEqual(bits(batch[i], 3 * n, n));
    },
  );

  it('refuses a lane batch that mixes optimizers', () => {
    const configs = [configOf(RULES[2], 0.1), configOf(RULES[4], 0.1)];
    expect(() => optimizer(configs, groupsOf(2, 3))).toThrow(/mixes optimizers "adam" and "rmsprop"/);
  });
});
