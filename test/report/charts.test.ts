import { describe, expect, it } from 'vitest';
import { task } from '../../src/engine/tasks/index.js';
import { curveData, learningCurves } from '../../src/report/charts/curves.js';
import { failureRate, failureRatePoints, rateAxis } from '../../src/report/charts/failure-rate.js';
import { failureStepBins, failureSteps } from '../../src/report/charts/failure-steps.js';
import { contrastRuns, gaussiansPicture } from '../../src/report/charts/gaussians.js';
import { drawChart } from '../../src/report/svg/draw.js';
import { wilson } from '../../src/results/stats.js';
import type { RunResult } from '../../src/types.js';
import { experiment, made } from '../results/fixtures.js';

const e = experiment();

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
    expect(rateAxis(e, sweep())).toBe('lr.cov');
    const points = failureRatePoints(e, sweep(), 'lr.cov');
    const full = points.filter((d) => d.parameterization === 'full');
    expect(full.map((d) => [d.rate, d.failure, d.runs])).toEqual([
      [1e-4, 0.5, 4],
      [1e-2, 1, 4],
    ]);
    expect(full[0]).toMatchObject(wilson(2, 4));
    expect(points).toHaveLength(6);
    const [panel] = failureRate(e, sweep())!.panels;
    // Two decades of rates: a log axis, every point a symbol, each with its interval as a rule.
    expect(panel.x.type).toBe('log');
    const [rules, lines, symbols] = panel.layers.map((l) => l.marks);
    expect(rules.map((m) => m.type === 'rule' && [m.y, m.y2])).toContainEqual([full[0].low, full[0].high]);
    expect(lines).toHaveLength(3);
    expect(symbols).toHaveLength(6);
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
    const bins = failureStepBins(sweep());
    const full = bins.filter((d) => d.parameterization === 'full');
    // full failed at steps 0, 9, 99, 999 (at 1e-2) and 0, 9 (at 1e-4): one bin per decade start.
    expect(full.map((d) => [d.from, d.runs])).toEqual([
      [1, 2],
      [10, 2],
      [100, 1],
      [1000, 1],
    ]);
    for (const d of bins) expect(d.to / d.from).toBeCloseTo(10 ** 0.2, 12);
    const chart = failureSteps(e, sweep())!;
    // One row per parameterization that failed, on one log step axis, counting whole runs.
    expect(chart.panels.map((p) => p.header)).toEqual([['full'], ['tril']]);
    expect(chart.panels.every((p) => p.x.type === 'log' && p.y.type === 'linear' && p.y.integer)).toBe(true);
    const svg = drawChart(chart, 'steps');
    const labels = [...svg.matchAll(/<text [^>]*text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels.filter((l) => !/^\d+$/.test(l))).toEqual([]);
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
  it("has a panel per run, headed by the run's label in two lines", () => {
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
    const { chart } = gaussiansPicture(e, runs)!;
    expect(chart.panels.map((p) => p.header)).toEqual([
      [`ok: run ${runs[0].id}`, 'full · lr.cov 1e-4 · seed 1'],
      [`singular: run ${runs[1].id}`, 'tril · lr.cov 0.01 · seed 3'],
    ]);
    const svg = drawChart(chart, 'g');
    // Each header's two lines, in order, above its panel.
    const headers = [...svg.matchAll(/<text class="role-header"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(headers).toEqual([
      `ok: run ${runs[0].id}`,
      'full · lr.cov 1e-4 · seed 1',
      `singular: run ${runs[1].id}`,
      'tril · lr.cov 0.01 · seed 3',
    ]);
    // The true ellipse dashed, the learned one solid, both square: one domain for x and y's widths.
    const [x, y] = [chart.panels[0].x, chart.panels[0].y];
    if (x.type !== 'linear' || y.type !== 'linear') throw new Error('linear axes expected');
    expect(x.domain[1] - x.domain[0]).toBeCloseTo(y.domain[1] - y.domain[0], 12);
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
    const data = curveData(e, runs);
    const line = data.lines.filter((d) => d.panel === 'lr.cov 1e-4');
    expect(line).toHaveLength(4 * window);
    expect(window % 2).toBe(0);
    expect(line.slice(window - 1).every((d) => d.median === 0.5)).toBe(true);
    expect(line[1].median).toBe(0.5);
    expect(line[2].median).toBeCloseTo(1 / 3, 12);
    expect(data.ends).toEqual([expect.objectContaining({ step: 4 * window - 1, runs: 2, text: '2 runs' })]);
    // Losses that stay >= 0: a symmetric-log loss axis, labelled per decade.
    const [panel] = learningCurves(e, runs)!.panels;
    expect(panel.y).toMatchObject({ type: 'symlog', values: [0, 1e-3, 1e-2, 1e-1] });
  });
});
