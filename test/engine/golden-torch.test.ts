import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { trainBatch } from '../../src/engine/train/train.js';
import { runAt } from '../../src/plan/expand.js';
import { shapeKey } from '../../src/plan/pack.js';
import type { Outcome, RunResult, RunSpec } from '../../src/types.js';
import { ENGINES, useBackend } from './backend.js';

/**
 * Golden trajectories: covsweep's engine against PyTorch (float32) running the seeds' own code on
 * the same CSV data (test/golden/torch_reference.py wrote fixtures.json; README "Golden tests").
 *
 * Tolerances. Each case's fixture carries its float64 shadow: the same torch run in float64 from
 * the same float32 data and start, so how far float32 rounding alone moves this trajectory
 * (`float64.params`, relative to max(1, |value|)). The engine (float64 inside its fused ops,
 * float32 storage) and torch (float32 throughout) are two differently rounded float32 runs, each
 * about that far from the exact one, so they differ by up to about twice it: we allow four times
 * it, and never less than FLOOR (a few hundred float32 ulps, what one run's last digits differ by
 * where the shadow happens to agree more closely). Failure steps must be equal, unless the shadow
 * fails at another step than the float32 run, which would say that rounding alone moves it; the
 * generator refuses cases where it moves by more than one step or the parameters by more than 1e-3,
 * and chaotic ones: where nudging the learning rates by 1e-7 moves the end visibly further than that.
 */
const FLOOR = 2e-5;

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

type Numbers = (number | null)[];

interface GoldenCase {
  name: string;
  /** Experiment settings (`data` relative to test/golden/). */
  settings: Record<string, unknown> & { task: Record<string, unknown> };
  outcome: Outcome;
  step: number;
  /** Where a singular run failed: unit and column (1-based), or the condition estimate past the limit. */
  failure?: { unit?: number; column?: number; condition?: number; loss?: number };
  loss: number | null;
  /** [step, loss] every record_every steps while the run was alive. */
  losses: [number, number][];
  /** Parameters by group name at some steps, before that step's update (what onStep sees). */
  params_at: Record<string, Record<string, Numbers>>;
  /** Parameters at the end, and each unit's covariance from them. */
  final: Record<string, Numbers> & { covariances: (number | null)[][][] };
  float64: { outcome: Outcome; step: number; params: number; losses: number };
}

const fixtures = JSON.parse(readFileSync(join(GOLDEN, 'fixtures.json'), 'utf8')) as { cases: GoldenCase[] };

/** The run as the CLI makes it (config and data file): the settings as an experiment file in test/golden/. */
function runOf(c: GoldenCase): RunSpec {
  const experiment = parseExperiment(
    JSON.stringify({ name: 'golden', ...c.settings }),
    join(GOLDEN, 'golden.yaml'),
  );
  return runAt(experiment, 0);
}

interface Trained {
  result: RunResult;
  /** Parameters by group name at the fixture's checkpoint steps. */
  at: Map<number, Record<string, number[]>>;
}

/**
 * The cases by shape key: the runs of one key train as lanes of one batch, as the CLI would batch
 * them. Lanes are independent (bit for bit, test/engine/lanes-determinism), so each case's lane
 * follows the trajectory it has alone, at a fraction of the cost: a step at d = 2 costs about as
 * much for a handful of lanes as for one.
 */
const byShape = new Map<string, GoldenCase[]>();
for (const c of fixtures.cases) {
  const key = shapeKey(runOf(c).config);
  byShape.set(key, [...(byShape.get(key) ?? []), c]);
}

/** Each case's training on the current backend, its batch trained when one of its cases first needs it. */
const trained = new Map<GoldenCase, Trained>();

function train(c: GoldenCase): Trained {
  if (!trained.has(c)) {
    const cases = byShape.get(shapeKey(runOf(c).config))!;
    const wanted = cases.map((k) => new Set(Object.keys(k.params_at).map(Number)));
    const at = cases.map(() => new Map<number, Record<string, number[]>>());
    const results = trainBatch(
      { index: 0, shapeKey: '', runs: cases.map(runOf), steps: 0 },
      {
        onStep(step, s) {
          // Lane-major: lane b's values of a group are its b-th slice of the group's size.
          for (const [b, want] of wanted.entries()) {
            if (!want.has(step)) continue;
            const lane = s.groups.map((g, i) => {
              const size = g.shape.reduce((x, y) => x * y, 1);
              return [g.name, Array.from(s.params[i].subarray(b * size, (b + 1) * size))];
            });
            at[b].set(step, Object.fromEntries(lane));
          }
        },
      },
    );
    for (const [b, k] of cases.entries()) trained.set(k, { result: results[b], at: at[b] });
  }
  return trained.get(c)!;
}

const value = (v: number | null) => v ?? Number.NaN;

/** Largest |a - b| / max(1, |b|) (NaN against NaN counts as equal), and where. */
function deviation(actual: ArrayLike<number>, expected: Numbers): { worst: number; index: number } {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let index = -1;
  for (let i = 0; i < expected.length; i++) {
    const [a, b] = [actual[i], value(expected[i])];
    const dev = Number.isNaN(a) && Number.isNaN(b) ? 0 : Math.abs(a - b) / Math.max(1, Math.abs(b));
    if (!(dev <= worst)) [worst, index] = [dev, i];
  }
  return { worst, index };
}

function expectClose(actual: ArrayLike<number>, expected: Numbers, tolerance: number, what: string) {
  const { worst, index } = deviation(actual, expected);
  expect(
    worst,
    `${what}[${index}]: covsweep ${actual[index]}, torch ${expected[index]} (relative ${worst.toExponential(2)}, allowed ${tolerance.toExponential(2)})`,
  ).toBeLessThanOrEqual(tolerance);
}

/** The failure as health.ts words it: the unit (when there are several) and the pivot or diagonal entry. */
function expectReason(r: RunResult, c: GoldenCase, units: number) {
  if (r.outcome !== 'singular' || !c.failure) return;
  const { unit, column, condition } = c.failure;
  if (units > 1) expect(r.reason).toContain(`for unit ${unit} `);
  if (condition !== undefined) expect(r.reason).toContain('ill-conditioned');
  else expect(r.reason).toMatch(new RegExp(`pivot ${column} =|L\\[${column},${column}\\] =`));
}

const flat = <T>(m: T[][][]): T[] => m.flat(2) as T[];

describe('the golden cases', () => {
  it("cover mvn-classifier's options: minibatches (shuffle off) in a run that ends ok and one that fails, and log p as the activation", () => {
    const classifier = fixtures.cases.filter((c) => c.settings.task.name === 'mvn-classifier');
    const minibatched = classifier.filter(
      (c) => c.settings.task.batch_size === 4 && !c.settings.task.shuffle,
    );
    const logProb = classifier.filter((c) => c.settings.task.activation === 'log_prob');
    expect(new Set(minibatched.map((c) => c.outcome))).toEqual(new Set(['ok', 'singular']));
    expect(logProb.length).toBeGreaterThanOrEqual(2);
    // One run with both: 500 steps of 4 trials over the 400-row file's 5 epochs.
    expect(logProb.some((c) => c.settings.task.batch_size === 4 && c.step === 500)).toBe(true);
  });

  it("start from the raw parameter too (task.init_raw_scale), as seed 000's code does, in runs that end ok and that fail", () => {
    const raw = fixtures.cases.filter((c) => c.settings.task.init_raw_scale !== undefined);
    expect(new Set(raw.map((c) => c.settings.parameterization))).toEqual(
      new Set(['full', 'tril', 'log-cholesky']),
    );
    expect(new Set(raw.map((c) => c.outcome))).toEqual(new Set(['ok', 'singular']));
    expect(raw.some((c) => c.settings.task.name === 'score-matching')).toBe(true);
  });
});

describe.each(ENGINES)('covsweep follows PyTorch float32 on the golden cases (%s)', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    trained.clear();
  });

  it.each(fixtures.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => follows(c));
});

/** Trains the case's run and checks it against torch's: outcome, step, losses, parameters. */
function follows(c: GoldenCase) {
  const { result: r, at } = train(c);
  const tolerance = Math.max(FLOOR, 4 * c.float64.params);
  const lossTolerance = Math.max(FLOOR, 4 * c.float64.losses);

  expect(r.outcome).toBe(c.outcome);
  expect(Math.abs(r.step - c.step)).toBeLessThanOrEqual(Math.abs(c.float64.step - c.step));
  const units = c.final.covariances.length;
  expectReason(r, c, units);

  expectClose(
    r.curve,
    c.losses.map(([, l]) => l),
    lossTolerance,
    'loss curve',
  );
  expectClose([r.loss], [c.loss], lossTolerance, 'final loss');

  for (const [step, groups] of Object.entries(c.params_at)) {
    const mine = at.get(Number(step));
    expect(mine, `parameters at step ${step}`).toBeDefined();
    for (const [name, values] of Object.entries(groups))
      expectClose(mine![name], values, tolerance, `${name} at step ${step}`);
  }

  const learned = r.gaussians!.learned;
  expectClose(learned.means.flat(), c.final.means ?? c.final.mean, tolerance, 'final means');
  expectClose(flat(learned.covariances), flat(c.final.covariances), tolerance, 'final covariances');
}
