import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { stepConditionBound } from '../../src/engine/native/condition-bound.js';
import { nativeMap } from '../../src/engine/native/maps.js';
import { NativeStep } from '../../src/engine/native/step.js';
import { wasmKernels } from '../../src/engine/ops/wasm.js';
import { Minibatches } from '../../src/engine/tasks/minibatches.js';
import { NativeClassifier } from '../../src/engine/tasks/mvn-classifier-native.js';
import type { ParamGroup } from '../../src/engine/tasks/types.js';

// The classifier's whole step across lanes (assembly/classifier-lanes.ts through
// mvn-classifier-lanes.ts) must give every lane the lane-by-lane step's numbers bit for bit
// (NativeStep with the JavaScript kernels): loss, check values, dead-unit counts, condition
// bounds and every gradient, for full (the Sigma route), tril (in place) and log-cholesky; with
// dead lanes (untouched), odd lane counts (a lane paired with itself), minibatches of 1..3 trials,
// NaN, infinities and -0 in the inputs, and Cholesky pivots that fail.

interface Case {
  name: string;
  d: number;
  units: number;
  lanes: number;
  size: number;
  n: number;
  activation: 'exp' | 'log_prob';
  spread: number;
  alive?: number[];
  poison?: (raw: Float32Array, mu: Float32Array) => void;
}

/** Raw blocks of the map `name`: an SPD Sigma (full), a factor with garbage above it (tril), a log-factor. */
function raws(name: string, d: number, count: number, rng: () => number): Float32Array {
  const raw = new Float32Array(count * d * d);
  for (let e = 0; e < count; e++) {
    const l = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j <= i; j++) l[i * d + j] = i === j ? 0.5 + rng() : 0.6 * (rng() - 0.5);
    const o = e * d * d;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        if (SIGMA_MAPS.has(name)) {
          let s = 0;
          for (let k = 0; k <= Math.min(i, j); k++) s += l[i * d + k] * l[j * d + k];
          raw[o + i * d + j] = s;
        } else if (j > i) raw[o + i * d + j] = name === 'tril' ? 9 * (rng() - 0.5) : 0;
        else raw[o + i * d + j] = name === 'log-cholesky' && i === j ? Math.log(l[i * d + i]) : l[i * d + j];
      }
  }
  return raw;
}

/** Every step of one epoch (with and without gradients) through NativeStep, whole (`lanes`) or lane by lane. */
function run(name: string, c: Case, lanes: boolean, growing = false) {
  const { d, units: U, lanes: B, n, size } = c;
  const rng = seedrandom(`${name} ${c.name} ${d}`);
  const uniform = (count: number, lo: number, hi: number) =>
    Float32Array.from({ length: count }, () => lo + (hi - lo) * rng());
  const x = uniform(B * n * d, -c.spread, c.spread);
  const y = Int32Array.from({ length: B * n }, () => Math.floor(rng() * U));
  const mu = uniform(B * U * d, -0.5, 0.5);
  const raw = raws(name, d, B * U, rng);
  const w = uniform(B * U * U, -2, 2);
  c.poison?.(raw, mu);
  const seeds = Array.from({ length: B }, (_, b) => b + 1);
  const task = new NativeClassifier(
    x,
    y,
    n,
    d,
    U,
    B,
    size,
    c.activation,
    new Minibatches(seeds, n, size, true),
    {
      wasm: lanes,
    },
  );
  const whole = lanes ? task.whole(name) : undefined;
  if (lanes) expect(whole).toBeDefined();
  const groups: ParamGroup[] = [
    { name: 'means', group: 'mean', shape: [U, d], init: mu },
    { name: 'covariance', group: 'cov', shape: [U, d, d], init: raw },
    { name: 'weights', group: 'weights', shape: [U, U], init: w },
  ];
  const limits = Array.from({ length: B }, (_, b) => (b % 3 === 2 ? Number.POSITIVE_INFINITY : 1e4));
  // As nativeStep makes it for a task with a whole step.
  const bound = stepConditionBound(name, d, U, limits, { rawDiagonals: false });
  // A condition check that grows linear memory at every block (as a kernel reserving its blocks
  // on first use would): views of the old buffer are then empty.
  const condition = growing
    ? ({
        bounds: new Float64Array(B * U),
        prepare() {
          wasmKernels()!.reserve(1 << 18);
        },
        block() {
          wasmKernels()!.reserve(1 << 18);
        },
        blocks(
          memory: () => Float32Array,
          _copies: number,
          _factors: number,
          _raw: Float32Array,
          alive: Uint8Array,
        ) {
          for (let b = 0; b < alive.length; b++)
            if (alive[b])
              for (let u = 0; u < U; u++) {
                wasmKernels()!.reserve(1 << 18);
                // The view it is given again is live.
                expect(memory().length).toBeGreaterThan(0);
              }
        },
      } as unknown as typeof bound)
    : bound;
  const step = new NativeStep(task, nativeMap(name, d)!, groups, B, U, d, condition, whole);
  const alive = Uint8Array.from({ length: B }, (_, b) => (c.alive ? c.alive[b] : 1));
  const out: number[][] = [];
  // Sentinels: a dead lane's entries must stay as they were.
  for (const g of step.grads) g.fill(7);
  step.loss.fill(7);
  step.checks.fill(7);
  for (let s = 0; s < Math.ceil(n / size); s++)
    for (const withGrads of [true, false]) {
      step.evaluate(s, [mu, raw, w], alive, withGrads);
      out.push([
        ...step.loss,
        ...step.checks,
        ...step.counters.flatMap(([, v]) => [...v]),
        ...step.grads.flatMap((g) => [...g]),
        ...(step.conditionBounds ?? []),
      ]);
    }
  return out;
}

function check(name: string, c: Case, growing = false) {
  const js = run(name, c, false, growing);
  const wasm = run(name, c, true, growing);
  expect(wasm.length).toBe(js.length);
  for (let s = 0; s < js.length; s++)
    for (let i = 0; i < js[s].length; i++)
      if (!Object.is(js[s][i], wasm[s][i]))
        expect([c.name, s, i, wasm[s][i]]).toEqual([c.name, s, i, js[s][i]]);
}

const MAPS = ['full', 'tril', 'log-cholesky'];
/** Parameterizations whose raw block is Sigma itself, on full's map. */
const SIGMA_MAPS = new Set(['full', 'spd-riemannian', 'full-clip']);
const base = { activation: 'exp', spread: 1 } as const;

describe('classifier step across lanes on WebAssembly', () => {
  it.each([2, 3, 4, 5, 8, 13, 16])(
    'd = %i: the lane-by-lane step bit for bit (units, trials, lane counts)',
    (d) => {
      for (const name of MAPS)
        for (const [units, lanes, size, n] of [
          [2, 4, 1, 3],
          [1, 1, 1, 2],
          [3, 5, 2, 5],
          [2, 3, 3, 4],
        ])
          check(name, { ...base, name: `${units} ${lanes} ${size}`, d, units, lanes, size, n });
    },
  );

  it('dead lanes stay untouched, pairs of lanes that are not neighbours, many pairs', () => {
    // At d = 16 a run of live lanes' gradients is copied out as one (mvn-classifier-lanes.ts's copyLive).
    for (const name of MAPS)
      for (const d of [2, 4, 16])
        for (const alive of [
          [1, 0, 1, 1, 0, 0, 1],
          [0, 0, 0, 0, 0, 0, 0],
          [0, 0, 0, 0, 0, 0, 1],
          [1, 1, 0, 1, 1, 1, 0],
        ])
          check(name, { ...base, name: `dead ${alive}`, d, units: 2, lanes: 7, size: 2, n: 4, alive });
    // More pairs than one kernel call takes (mvn-classifier-lanes.ts's chunkOf): several calls.
    for (const name of MAPS) {
      const alive = Array.from({ length: 83 }, (_, b) => (b % 7 === 3 ? 0 : 1)); // 36 pairs
      check(name, { ...base, name: 'chunks', d: 3, units: 2, lanes: 83, size: 1, n: 3, alive });
    }
  });

  it('dead units (far points), log-prob activations', () => {
    for (const name of MAPS)
      for (const d of [2, 4]) {
        check(name, { ...base, name: 'far', d, units: 2, lanes: 3, size: 2, n: 4, spread: 60 });
        check(name, { ...base, name: 'log', d, units: 2, lanes: 3, size: 2, n: 4, activation: 'log_prob' });
      }
  });

  it('NaN, infinities and -0 in the raw blocks and means; failing pivots keep their lane', () => {
    const poisons: [string, (raw: Float32Array, mu: Float32Array, d: number) => void][] = [
      [
        'nan raw',
        (raw, _mu, d) => {
          raw[d * d + d + 1] = Number.NaN;
        },
      ],
      [
        'inf raw',
        (raw, _mu, d) => {
          raw[3 * d * d + d] = Number.POSITIVE_INFINITY;
        },
      ],
      [
        '-0',
        (raw, mu, d) => {
          raw[2 * d * d + d] = -0;
          mu[1] = -0;
          mu[d + 1] = -0;
        },
      ],
      [
        'nan mu',
        (_raw, mu) => {
          mu[3] = Number.NaN;
        },
      ],
      // Sigma's second pivot <= 0 in lane 0 unit 1, its first 0 in lane 2 unit 0 (full; the
      // other maps get a factor with a negative or zero diagonal entry there).
      [
        'pivot',
        (raw, _mu, d) => {
          raw[d * d + d + 1] = -1;
          raw[4 * d * d] = 0;
        },
      ],
      [
        'neg diagonal',
        (raw, _mu, d) => {
          raw[5 * d * d + (d - 1) * d + d - 1] = -2;
        },
      ],
    ];
    for (const name of MAPS)
      for (const d of [2, 3, 4])
        for (const [what, poison] of poisons)
          check(name, {
            ...base,
            name: what,
            d,
            units: 2,
            lanes: 3,
            size: 2,
            n: 4,
            poison: (raw, mu) => poison(raw, mu, d),
          });
  });

  it('a condition check that grows linear memory mid-step', () => {
    for (const name of MAPS)
      check(name, { ...base, name: 'growing', d: 3, units: 2, lanes: 3, size: 2, n: 4 }, true);
  });

  it("spd-riemannian and full-clip, on full's map", () => {
    for (const name of ['spd-riemannian', 'full-clip'])
      for (const d of [2, 4])
        check(name, { ...base, name: 'sigma maps', d, units: 2, lanes: 3, size: 2, n: 4 });
  });

  it('is not taken beyond d = 16, for other maps, or without WebAssembly', () => {
    const make = (d: number, wasm: boolean) =>
      new NativeClassifier(
        new Float32Array(8 * d),
        new Int32Array(8),
        8,
        d,
        2,
        1,
        1,
        'exp',
        new Minibatches([1], 8, 1, true),
        { wasm },
      );
    expect(make(17, true).whole('full')).toBeUndefined();
    expect(make(16, true).whole('full')).toBeDefined();
    expect(make(4, true).whole('givens')).toBeUndefined();
    expect(make(4, false).whole('full')).toBeUndefined();
  });
});
