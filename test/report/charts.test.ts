import { describe, expect, it } from 'vitest';
import { task } from '../../src/engine/tasks/index.js';
import { learningCurves } from '../../src/report/charts/curves.js';
import { failureRate, rateAxis } from '../../src/report/charts/failure-rate.js';
import { failureSteps } from '../../src/report/charts/failure-steps.js';
import { contrastRuns, gaussiansPicture } from '../../src/report/charts/gaussians.js';
import { drawSvg } from '../../src/report/render.js';
import { wilson } from '../../src/results/stats.js';
import type { RunResult } from '../../src/types.js';
import { experiment, made } from '../results/fixtures.js';

const e = experiment();
type Row = Record<string, unknown>;
const rows = (spec: unknown) => (spec as { data: { values: Row[] } }).data.values;

/** full fails at both rates (2 and 4 of 4 seeds), tril only at 1e-2 (1 of 4), log-cholesky never. */
function sweep(): RunResult[] {
  const failing: Record<string, [number, number]> = { full: [2, 4], tril: [0, 1], 'log-cholesky': [0, 0] };
  return Object.entries(failing).flatMap(([parameterization, counts]) =>
    [1e-4, 1e-2].flatMap((lr, i) =>
      [0, 1, 2, 3].map((seed) =>
        made(e, {
          parameterization,
          lr,
          seed,
          outcome: seed < counts[i] ? 'singular' : 'ok',
          step: seed < counts[i] ? [0, 9, 99, 999][seed] : 10,
        }),
      ),
    ),
  );
}

describe('failure rate against the swept rate', () => {
  it('has one point per parameterization and rate with its Wilson interval, on a log axis', () => {
    const spec = failureRate(e, sweep())!;
    expect(rateAxis(e, sweep())).toBe('lr.cov');
    const full = rows(spec).filter((d) => d.parameterization === 'full');
    expect(full.map((d) => [d.rate, d.failure, d.runs])).toEqual([
      [1e-4, 0.5, 4],
      [1e-2, 1, 4],
    ]);
    expect(full[0]).toMatchObject(wilson(2, 4));
    expect(rows(spec)).toHaveLength(6);
    expect(JSON.stringify(spec)).toContain('"scale":{"type":"log"}');
  });

  it('is left out when nothing numeric is swept', () => {
    const flat = experiment().axes.filter((a) => a.path !== 'lr.cov');
    expect(
      failureRate({ ...e, axes: flat, summary: { ...e.summary, rows: 'seed' } }, sweep()),
    ).toBeUndefined();
  });
});

describe('when runs failed', () => {
  it('bins failure steps evenly in log(step + 1) and counts whole runs', () => {
    const spec = failureSteps(e, sweep())!;
    const full = rows(spec).filter((d) => d.parameterization === 'full');
    // full failed at steps 0, 9, 99, 999 (at 1e-2) and 0, 9 (at 1e-4): one bin per decade start.
    expect(full.map((d) => [d.from, d.runs])).toEqual([
      [1, 2],
      [10, 2],
      [100, 1],
      [1000, 1],
    ]);
    for (const d of rows(spec)) expect((d.to as number) / (d.from as number)).toBeCloseTo(10 ** 0.2, 12);
    const text = JSON.stringify(spec);
    expect(text).toContain('"type":"log"');
    expect(text).toContain('"tickMinStep":1');
  });
});

describe('learned Gaussians by default', () => {
  it('per parameterization: the run at the largest ok rate and at the smallest failed rate', () => {
    const drawn = sweep().map(
      (r) => ({ ...r, gaussians: { learned: [], truth: [] } }) as unknown as RunResult,
    );
    const picked = contrastRuns(drawn, 'lr.cov').map((r) => [
      r.config.parameterization,
      r.config.lr.cov,
      r.outcome,
      r.config.seed,
    ]);
    expect(picked).toEqual([
      ['full', 1e-4, 'ok', 2],
      ['full', 1e-4, 'singular', 0],
      ['tril', 1e-2, 'ok', 1],
      ['tril', 1e-2, 'singular', 0],
      ['log-cholesky', 1e-2, 'ok', 0],
    ]);
  });
});

describe('the learned Gaussians picture', () => {
  it("keys its rows by panel number, and its headers draw each run's label", async () => {
    const unit = {
      means: [[0, 0]],
      covariances: [
        [
          [1, 0.2],
          [0.2, 0.5],
        ],
      ],
    };
    const runs = [
      made(e, { parameterization: 'full', lr: 1e-4, seed: 1 }),
      made(e, { parameterization: 'tril', lr: 1e-2, seed: 3, outcome: 'singular' }),
    ].map((r) => ({ ...r, gaussians: { learned: unit, truth: unit } }) as unknown as RunResult);
    const { spec } = gaussiansPicture(e, runs)!;
    // The n-th run's rows are panel n: a number, not a label repeated on thousands of rows.
    expect([...new Set(rows(spec).map((d) => d.panel))]).toEqual([0, 1]);
    const svg = await drawSvg(spec);
    // Each header's two lines, in order.
    const headers = [...svg.matchAll(/<text[^>]*><tspan>([^<]*)<\/tspan><tspan[^>]*>([^<]*)<\/tspan>/g)];
    expect(headers.map((m) => [m[1], m[2]])).toEqual([
      [`ok: run ${runs[0].id}`, 'full · lr.cov 1e-4 · seed 1'],
      [`singular: run ${runs[1].id}`, 'tril · lr.cov 0.01 · seed 3'],
    ]);
  });
});

describe('learning curves', () => {
  it("average each run's curve over its task's window, and count the runs each line holds", () => {
    const base = made(e, { parameterization: 'tril', lr: 1e-4 });
    const window = task('mvn-classifier').curveWindow!(base.config);
    // One point per step, alternating 0 and 1: averaged over an even window, 0.5 once it is full.
    const curve = Array.from({ length: 4 * window }, (_, i) => i % 2);
    const runs = [0, 1].map((seed) => ({
      ...made(e, { parameterization: 'tril', lr: 1e-4, seed }),
      curve,
      curve_every: 1,
    }));
    const spec = learningCurves(e, runs)!;
    const line = rows(spec).filter((d) => d.kind === 'quantiles' && d.panel === 'lr.cov 1e-4');
    expect(line).toHaveLength(4 * window);
    expect(window % 2).toBe(0);
    expect(line.slice(window - 1).every((d) => d.median === 0.5)).toBe(true);
    expect(line[1].median).toBe(0.5);
    expect(line[2].median).toBeCloseTo(1 / 3, 12);
    const end = rows(spec).find((d) => d.kind === 'end');
    expect(end).toMatchObject({ step: 4 * window - 1, runs: 2, text: '2 runs' });
  });
});
