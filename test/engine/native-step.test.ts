import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/engine/backend.js';
import { LaneTrainer } from '../../src/engine/train/train.js';
import { resultLine } from '../../src/results/jsonl.js';
import type { RunConfig, RunResult } from '../../src/types.js';
import { batchOf, classifierConfig, OTHER_NATIVE_MAPS, scoreMatchingConfig } from './configs.js';

/** results.jsonl's line for a run, timing aside. */
const line = (r: RunResult) => JSON.parse(resultLine({ ...r, seconds: 0 }));

/** Every number of a result, in order. */
function numbers(x: unknown, out: number[] = []): number[] {
  if (typeof x === 'number') out.push(x);
  else if (Array.isArray(x)) for (const v of x) numbers(v, out);
  else if (x && typeof x === 'object') for (const v of Object.values(x)) numbers(v, out);
  return out;
}

/** Train the configs as one batch through the native step and through the tfjs ops (cpu). */
function bothPaths(configs: RunConfig[]) {
  const run = (native: boolean) => {
    const trainer = new LaneTrainer(batchOf(configs), undefined, native);
    expect(trainer.engine).toBe(native ? 'native' : 'tfjs');
    try {
      while (!trainer.done) trainer.advance();
      return trainer.finish().map(line);
    } finally {
      trainer.dispose();
    }
  };
  return { native: run(true), tfjs: run(false) };
}

const classifier =
  (o: Record<string, unknown>, c: Partial<RunConfig> = {}) =>
  (lr: number, seed: number) => {
    const base = classifierConfig({ lr, seed, epochs: 1 });
    return { ...base, ...c, task: { ...base.task, n_per_class: 40, ...o } } as RunConfig;
  };

/** Parameterizations whose native map gives the classifier tfjs's own numbers (no d loss / d Sigma route). */
const BIT_FOR_BIT = new Set(['tril', 'log-cholesky', 'spherical', 'softplus-cholesky', 'diag']);

const OTHER_NAMES = new Set(OTHER_NATIVE_MAPS.map(([name]) => name));

const shapes: (readonly [string, (lr: number, seed: number) => RunConfig])[] = [
  // From d = 8 score matching's native step takes its products row by row (PRODUCTS_FROM).
  ...[3, 8].map(
    (dim) =>
      [
        `score-matching precision-cholesky in ${dim}-D`,
        (lr: number, seed: number) =>
          scoreMatchingConfig({
            parameterization: 'precision-cholesky',
            lr: lr * 10,
            seed,
            dim,
            iterations: 150,
          }),
      ] as const,
  ),
  ...['full', 'tril', 'log-cholesky'].flatMap((parameterization) => [
    [`mvn-classifier ${parameterization}`, classifier({}, { parameterization })] as const,
    [
      `mvn-classifier ${parameterization}, 3 units in 4-D, log_prob, batches of 7, no shuffle, adam`,
      classifier(
        { units: 3, activation: 'log_prob', batch_size: 7, shuffle: false, epochs: 2 },
        { parameterization, dim: 4, optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 } },
      ),
    ] as const,
    [
      `mvn-classifier ${parameterization}, 3 units in 3-D, exp, batches of 5`,
      classifier({ units: 3, batch_size: 5, init_cov_scale: 0.002 }, { parameterization, dim: 3 }),
    ] as const,
    // From d = 8 the classifier's lane runs on WebAssembly (mvn-classifier-wasm.ts): bit for bit
    // where the map does not form Sigma (`full` at 9-D lands outside the 1e-5 of the Sigma route
    // with or without it; wasm-classifier.test.ts holds its lane to the JavaScript one instead).
    ...(parameterization === 'full'
      ? []
      : [
          [
            `mvn-classifier ${parameterization}, 3 units in 9-D, exp, batches of 3`,
            classifier({ units: 3, batch_size: 3, n_per_class: 10 }, { parameterization, dim: 9 }),
          ] as const,
        ]),
    ...[3, 8].map(
      (dim) =>
        [
          `score-matching ${parameterization} in ${dim}-D`,
          (lr: number, seed: number) =>
            scoreMatchingConfig({ parameterization, lr: lr * 10, seed, dim, iterations: 150 }),
        ] as const,
    ),
  ]),
  // Whole runs of the other parameterizations where they agree; native-others.test.ts compares
  // every step of each along tfjs's runs. On the classifier, a map that forms Sigma takes its
  // d loss / d Sigma: rounded differently from tfjs's, which a run of its near the edge of failure
  // (full-clip clipped, givens's angles finding their direction) can amplify past any tolerance.
  // On score matching, lowrank's W W^T overflows where tfjs's float32 point sums give NaN and the
  // float64 moments Infinity: the same step and outcome, named differently.
  ...OTHER_NATIVE_MAPS.flatMap(([parameterization, parameterization_options]) => {
    const label = `${parameterization} ${JSON.stringify(parameterization_options)}`;
    const classifierShapes = [
      [`mvn-classifier ${label}`, classifier({}, { parameterization, parameterization_options })] as const,
      [
        `mvn-classifier ${label}, 3 units in 4-D, batches of 7`,
        classifier(
          { units: 3, batch_size: 7, epochs: 2 },
          { parameterization, parameterization_options, dim: 4 },
        ),
      ] as const,
    ];
    const scoreShape = [
      `score-matching ${label} in 3-D`,
      (lr: number, seed: number) => ({
        ...scoreMatchingConfig({ parameterization, lr: lr * 10, seed, dim: 3, iterations: 150 }),
        parameterization_options,
      }),
    ] as const;
    return [
      ...(BIT_FOR_BIT.has(parameterization) ? classifierShapes : []),
      ...(parameterization === 'lowrank' ? [] : [scoreShape]),
    ];
  }),
];

describe('the native step gives the tfjs ops’ results on cpu', () => {
  beforeAll(() => useBackend('cpu'));

  it.each(shapes)('%s', (name, make) => {
    // Learning rates from harmless to breaking: runs that end ok, singular and diverged.
    const configs = Array.from({ length: 24 }, (_, i) => make(10 ** (-5 + (i % 12) / 2), Math.floor(i / 12)));
    const { native, tfjs } = bothPaths(configs);
    const [task, parameterization] = name.split(' ');
    if (!OTHER_NAMES.has(parameterization))
      expect(new Set(native.map((r) => r.outcome)).size).toBeGreaterThan(1);
    if (task === 'mvn-classifier' && BIT_FOR_BIT.has(parameterization)) {
      // The same arithmetic in the same order: bit for bit, NaN included.
      expect(native).toEqual(tfjs);
      return;
    }
    // The classifier hands a map that forms Sigma d loss / d Sigma in closed form, not through
    // the Cholesky backward, and score matching sums its points through their moments: the same
    // loss and gradients, rounded differently. Same endings; numbers within 1e-5.
    for (const [b, n] of native.entries()) {
      const t = tfjs[b];
      expect([n.outcome, n.step, n.reason]).toEqual([t.outcome, t.step, t.reason]);
      const [a, e] = [numbers(n), numbers(t)];
      expect(a.length).toBe(e.length);
      for (const [k, v] of a.entries())
        if (Number.isNaN(e[k])) expect(v).toBeNaN();
        else expect(Math.abs(v - e[k])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(e[k])));
    }
  });
});

describe('tril in place: the native step reads the raw blocks’ lower triangles only', () => {
  beforeAll(() => useBackend('cpu'));

  it.each([
    ['mvn-classifier', classifier({ units: 3, batch_size: 5 }, { parameterization: 'tril', dim: 3 })],
    [
      'score-matching',
      (lr: number, seed: number) =>
        scoreMatchingConfig({ parameterization: 'tril', lr, seed, dim: 8, iterations: 20 }),
    ],
  ] as const)('%s: the same losses and gradients with the upper triangles not zero', (_, make) => {
    // The step hands the task the raw blocks as factors (NativeMap.inPlace): whatever lies above
    // their diagonals (nothing a tril run puts there today) must change nothing.
    const configs = [make(1e-3, 0), make(1e-2, 1)];
    const run = (upper: number) => {
      const seen: number[][] = [];
      const trainer = new LaneTrainer(
        batchOf(configs),
        (step, s) => {
          const cov = s.groups.findIndex((g) => g.group === 'cov');
          const raw = s.params[cov];
          const d = configs[0].dim;
          if (step === 0)
            for (let k = 0; k < raw.length; k++) if (k % d > Math.floor((k % (d * d)) / d)) raw[k] = upper;
          seen.push([...Array.from(s.loss), ...Array.from(s.grads[cov])]);
        },
        true,
      );
      try {
        expect(trainer.engine).toBe('native');
        while (!trainer.done) trainer.advance();
      } finally {
        trainer.dispose();
      }
      return seen;
    };
    const zero = run(0);
    expect(zero.length).toBeGreaterThan(5);
    expect(run(3)).toEqual(zero);
  });
});
