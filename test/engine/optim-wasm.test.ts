import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { wasmKernels } from '../../src/engine/ops/wasm.js';
import type { ParamGroup } from '../../src/engine/tasks/types.js';
import { Adam, type Optimizer, Rmsprop, Sgd } from '../../src/engine/train/optim.js';
import type { OptimizerConfig, RunConfig } from '../../src/types.js';
import { scoreMatchingConfig } from './configs.js';

// The optimizers' WebAssembly kernels (assembly/optim.ts) must give their JavaScript twins'
// numbers bit for bit (NaN for NaN: WebAssembly leaves a NaN's payload open), and flag the lanes
// whose new parameters leave their bound exactly as Health.outOfBounds would.

type Rule = (configs: RunConfig[], groups: ParamGroup[], wasm: boolean) => Optimizer;
// null, not undefined, for the JavaScript twin: undefined takes the constructor's default, the kernels.
const kernels = (wasm: boolean) => (wasm ? wasmKernels()! : null);

/** Per lane b, its settings of rule `name` (each lane its own). */
const RULES: [string, (b: number) => OptimizerConfig, Rule][] = [
  [
    'sgd',
    (b) => ({ name: 'sgd', momentum: 0.2 * b, nesterov: false }),
    (c, g, w) => new Sgd(c, g, kernels(w)),
  ],
  [
    'sgd nesterov',
    (b) => ({ name: 'sgd', momentum: 0.9 - 0.1 * b, nesterov: true }),
    (c, g, w) => new Sgd(c, g, kernels(w)),
  ],
  [
    'adam',
    (b) => ({ name: 'adam', beta1: 0.9 - 0.1 * b, beta2: 0.999 - 0.05 * b, eps: 10 ** (-8 + b) }),
    (c, g, w) => new Adam(c, g, kernels(w)),
  ],
  [
    'rmsprop',
    (b) => ({ name: 'rmsprop', alpha: 0.99 - 0.1 * b, eps: 10 ** (-8 + b) }),
    (c, g, w) => new Rmsprop(c, g, kernels(w)),
  ],
];

/** Values that test the edges: signed zeros, non-finite, subnormal, huge, and ordinary ones. */
const SPECIAL = [
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e-42,
  -3e-39,
  3e38,
  -1e20,
];

function sameValues(x: Float32Array, y: Float32Array, what: string) {
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < x.length; i++)
    if (!Object.is(x[i], y[i])) expect([what, i, x[i]]).toEqual([what, i, y[i]]);
}

/** Health.outOfBounds of the live lanes, written out independently: non-finite or |p| > float32 bound. */
function scan(params: Float32Array[], alive: Uint8Array, bounds: number[]): number[] {
  return Array.from(alive, (a, b) => {
    if (!a) return 0;
    return params.some((p) => {
      const size = p.length / alive.length;
      return Array.from(p.subarray(b * size, (b + 1) * size)).some(
        (v) => !(Math.abs(v) <= Math.fround(bounds[b])),
      );
    })
      ? 1
      : 0;
  });
}

/**
 * The JavaScript and the WebAssembly twin of a rule over groups of `sizes` elements a lane (the
 * first the covariance), each with its own copy of starting points drawn from `draw`.
 */
function twins(make: Rule, configs: RunConfig[], lanes: number, sizes: number[], draw: () => number) {
  const groups: ParamGroup[] = sizes.map((n, i) => ({
    name: i === 0 ? 'cov' : 'weights',
    group: i === 0 ? 'cov' : 'weights',
    shape: [n],
    init: new Float32Array(lanes * n),
  }));
  const start = groups.map((g) => Float32Array.from(g.init, draw));
  const [js, wasm] = [false, true].map((w) => ({
    opt: make(configs, groups, w),
    params: start.map((p) => p.slice()),
  }));
  return { groups, start, js, wasm };
}

/**
 * `steps` steps of `rule` on both twins over `lanes` lanes with groups of `sizes` elements a lane,
 * gradients and starting points drawn from `draw`, some lanes stopping along the way.
 */
function race(
  rule: (typeof RULES)[number],
  lanes: number,
  sizes: number[],
  steps: number,
  draw: () => number,
) {
  const [, settings, make] = rule;
  const bounds = Array.from({ length: lanes }, (_, b) => [1e8, 2.5, Number.POSITIVE_INFINITY, 1e30][b % 4]);
  const configs = Array.from({ length: lanes }, (_, b): RunConfig => {
    const c = scoreMatchingConfig();
    return {
      ...c,
      optimizer: settings(b % 5),
      lr: { cov: 0.01 * (1 + (b % 3)), mean: 0.1, weights: 0.003 },
      thresholds: { ...c.thresholds, divergence_bound: bounds[b] },
    };
  });
  const { groups, start, js, wasm } = twins(make, configs, lanes, sizes, draw);
  const alive = new Uint8Array(lanes).fill(1);
  const flagged = new Set<number>();
  /** Live (lane, step) pairs flagged, and not. */
  const verdicts = [0, 0];
  for (let t = 0; t < steps; t++) {
    // Lanes stop one by one (never to start again, as in training).
    if (t > 0 && t % 3 === 0) alive[(t * 7) % lanes] = 0;
    const grads = groups.map((g) => Float32Array.from(g.init, draw));
    js.opt.step(js.params, grads, alive);
    wasm.opt.step(wasm.params, grads, alive);
    for (const i of groups.keys()) sameValues(wasm.params[i], js.params[i], `step ${t} group ${i}`);
    const want = scan(js.params, alive, bounds);
    expect(Array.from(js.opt.outOfBounds!), `js flags, step ${t}`).toEqual(want);
    expect(Array.from(wasm.opt.outOfBounds!), `wasm flags, step ${t}`).toEqual(want);
    for (let b = 0; b < lanes; b++) {
      if (want[b]) flagged.add(b);
      if (alive[b]) verdicts[want[b]]++;
    }
  }
  return { js: js.params, start, flagged, verdicts };
}

describe('optimizer kernels in WebAssembly', () => {
  it('load', () => {
    expect(wasmKernels()).toBeDefined();
  });

  it.each(RULES.map((r) => [r[0], r] as const))(
    '%s: the same numbers as its JavaScript twin, odd sizes, stopped lanes and edge values included',
    (_name, rule) => {
      const rng = seedrandom(`optim-wasm-${rule[0]}`);
      const draw = () => (rng() < 0.1 ? SPECIAL[Math.floor(rng() * SPECIAL.length)] : 6 * rng() - 3);
      for (const sizes of [
        [1, 2],
        [3, 4],
        [7, 5],
        [16, 9],
      ]) {
        const { js, start, verdicts } = race(rule, 7, sizes, 10, draw);
        // It moved the parameters, and lanes were flagged at some steps and not at others.
        expect(js[0]).not.toEqual(start[0]);
        expect(verdicts[0]).toBeGreaterThan(0);
        expect(verdicts[1]).toBeGreaterThan(0);
      }
    },
  );

  it.each(RULES.map((r) => [r[0], r] as const))(
    '%s: the same numbers over many lanes and over lanes longer than a call takes (the copies in chunks)',
    (_name, rule) => {
      const rng = seedrandom(`optim-wasm-chunks-${rule[0]}`);
      const draw = () => 2 * rng() - 1;
      race(rule, 2500, [5, 3], 3, draw);
      race(rule, 3, [9001, 7], 3, draw);
    },
  );

  it.each(RULES.map((r) => [r[0], r] as const))(
    '%s: two optimizers of one shape stepping in turn keep their own state (the blocks it stays in between steps change hands)',
    (_name, rule) => {
      // Both take the same state blocks (shared by shape): each step finds the other's state
      // there and must write it back before loading its own. Each is held to its own twin.
      const rng = seedrandom(`optim-wasm-turns-${rule[0]}`);
      const draw = () => 2 * rng() - 1;
      const [, settings, make] = rule;
      const lanes = 5;
      const sizes = [6, 3];
      const sides = [0, 1].map((k) => {
        const configs = Array.from({ length: lanes }, (_, b): RunConfig => {
          const c = scoreMatchingConfig();
          return {
            ...c,
            optimizer: settings((b + k) % 5),
            lr: { cov: 0.01 * (1 + k), mean: 0.1, weights: 0.003 },
          };
        });
        const { js, wasm } = twins(make, configs, lanes, sizes, draw);
        return [js, wasm];
      });
      const alive = new Uint8Array(lanes).fill(1);
      for (let t = 0; t < 8; t++)
        for (const [js, wasm] of sides) {
          const grads = sizes.map((n) => Float32Array.from({ length: lanes * n }, draw));
          js.opt.step(js.params, grads, alive);
          wasm.opt.step(wasm.params, grads, alive);
          for (const i of sizes.keys()) sameValues(wasm.params[i], js.params[i], `step ${t} group ${i}`);
        }
    },
  );

  it('adam: the same numbers where a state array is too large to stay in linear memory (copied in and out by chunks)', () => {
    // Past 2^21 elements; Adam has two state arrays, both taking that path, over two steps.
    const rng = seedrandom('optim-wasm-large');
    race(RULES[2], 2, [2 ** 20 + 3, 7], 2, () => 2 * rng() - 1);
  });

  it('flags a lane that a step takes past its bound, and not the others', () => {
    // Lane 1's bound is 2.5 (lane 0's 1e8): from 2.4, a gradient of -10 at its rate 0.02 takes it to 2.6.
    let drawn = 0;
    const draw = () => (drawn++ < 6 ? 2.4 : -10);
    const { js, flagged } = race(RULES[0], 2, [3], 1, draw);
    expect(js[0][3]).toBeCloseTo(2.6, 6);
    expect([...flagged]).toEqual([1]);
  });
});
