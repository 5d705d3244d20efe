import { describe, expect, it } from 'vitest';
import {
  type FailurePath,
  failurePathLines,
  failurePathPlot,
  type PathLines,
} from '../../src/report/charts/failure-path.js';
import { thinLine } from '../../src/report/charts/thin-line.js';
import { drawChart } from '../../src/report/svg/draw.js';
import type { Chart } from '../../src/report/svg/model.js';
import type { RunResult } from '../../src/types.js';

/** Distance from point p to the segment a-b. */
function toSegment(p: number[], a: number[], b: number[]): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const length2 = dx * dx + dy * dy;
  const t = length2 ? Math.min(1, Math.max(0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2)) : 0;
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/** The largest distance from a point of `full` to the polyline `thin` (its nearest segment). */
function farthest(full: number[][], thin: number[][]): number {
  let worst = 0;
  for (const p of full) {
    let best =
      thin.length === 1 ? Math.hypot(p[0] - thin[0][0], p[1] - thin[0][1]) : Number.POSITIVE_INFINITY;
    for (let j = 0; j + 1 < thin.length; j++) best = Math.min(best, toSegment(p, thin[j], thin[j + 1]));
    worst = Math.max(worst, best);
  }
  return worst;
}

/** A seeded walk: n steps of x 1 apart, y moving by up to `jump`. */
function walk(n: number, jump: number, seed = 1): { xs: number[]; ys: number[] } {
  let s = seed;
  const next = () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
  const ys = [0];
  for (let i = 1; i < n; i++) ys.push(ys[i - 1] + (next() - 0.5) * 2 * jump);
  return { xs: ys.map((_, i) => i), ys };
}

describe('a thinned line', () => {
  it('keeps the ends of a straight line and nothing between', () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i);
    expect(
      thinLine(
        xs,
        xs.map((x) => 3 * x + 1),
        0.1,
      ),
    ).toEqual([0, 999]);
  });

  it('keeps every corner farther than the tolerance from its neighbours', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    expect(
      thinLine(
        xs,
        xs.map((x) => (x % 2) * 0.3),
        0.1,
      ),
    ).toEqual(xs);
    // Corners under the tolerance fall on the line through their neighbours.
    expect(
      thinLine(
        xs,
        xs.map((x) => (x % 2) * 0.05),
        0.1,
      ),
    ).toEqual([0, 49]);
  });

  it('passes within the tolerance of every point it leaves out', () => {
    for (const jump of [0.01, 0.1, 1]) {
      const { xs, ys } = walk(2000, jump, 7);
      const kept = thinLine(xs, ys, 0.1);
      expect(kept[0]).toBe(0);
      expect(kept.at(-1)).toBe(1999);
      const points = xs.map((x, i) => [x, ys[i]]);
      expect(
        farthest(
          points,
          kept.map((i) => points[i]),
        ),
      ).toBeLessThanOrEqual(0.1);
      if (jump === 0.01) expect(kept.length).toBeLessThan(200);
    }
  });

  it('keeps a point that is not finite and thins the stretches either side on their own', () => {
    const xs = Array.from({ length: 21 }, (_, i) => i);
    const ys = xs.map((x) => (x === 10 ? Number.NaN : x));
    expect(thinLine(xs, ys, 0.1)).toEqual([0, 9, 10, 11, 20]);
    expect(thinLine([0, 1, 2], [Number.POSITIVE_INFINITY, 1, 2], 0.1)).toEqual([0, 1, 2]);
  });
});

/** A failed run's retrace of `steps` steps, two units: eigenvalues heading to zero, condition numbers up. */
function path(steps: number): FailurePath {
  const { ys: a } = walk(steps, 0.002, 3);
  const { ys: b } = walk(steps, 0.002, 5);
  const rows = Array.from({ length: steps }, (_, i) => {
    const e1 = 0.5 * (1 - i / steps) + a[i] * 0.01;
    const e2 = 0.3 + b[i];
    return [i, 0.7, 0.1, e1, 1 / Math.max(e1, 1e-6), e2, e2 > 0 ? 2 / e2 : Number.POSITIVE_INFINITY];
  });
  const run = { id: 'r1', outcome: 'singular', step: steps - 1 } as unknown as RunResult;
  return { run, rows, same: true };
}

/** The vertices of the SVG's lines (the plot's 1.8-pixel strokes), in order. */
const lines = (svg: string) =>
  [...svg.matchAll(/<path d="M([^"]+)"[^>]*stroke-width="1.8"/g)].map((m) =>
    m[1].split('L').map((p) => p.split(',').map(Number)),
  );

/** `chart` with its lines' points replaced by `measures`' (the same plot drawn from other rows). */
function withLines(chart: Chart, measures: readonly PathLines[]): Chart {
  return {
    ...chart,
    panels: chart.panels.map((p, k) => ({
      ...p,
      layers: p.layers.map((l, i) =>
        i === 0
          ? {
              ...l,
              marks: l.marks.map((m, u) => (m.type === 'line' ? { ...m, points: measures[k].units[u] } : m)),
            }
          : l,
      ),
    })),
  };
}

describe('the path to failure', () => {
  it('shows every step of a short run as a point', () => {
    for (const l of failurePathLines(path(60))) {
      expect(l.points).toBe(true);
      for (const unit of l.units) expect(new Set(unit.map(([step]) => step)).size).toBe(60);
    }
    // Each panel: the lines, then a point per step and unit, then the rule at the failed step.
    const chart = failurePathPlot(path(60));
    expect(chart.panels[0].layers.map((l) => l.marks.length)).toEqual([2, 120, 1]);
  });

  it("draws a long run's lines within a tenth of a pixel of every step, from fewer rows", () => {
    const long = path(1500);
    const chart = failurePathPlot(long);
    // The same plot with every row: the rows the thinned one keeps, and the ones it left out.
    const every: PathLines[] = (['smallest eigenvalue', 'condition number'] as const).map((measure, k) => ({
      measure,
      points: false,
      units: [0, 1].map((u) =>
        long.rows
          .map((row): [number, number] => [row[0], row[k === 0 ? 3 + 2 * u : 4 + 2 * u]])
          .filter(([, v]) => Number.isFinite(v)),
      ),
    }));
    const kept = failurePathLines(long);
    const count = (l: PathLines) => l.units.reduce((n, unit) => n + unit.length, 0);
    for (const [k, l] of kept.entries()) {
      expect(l.points).toBe(false);
      expect(count(l)).toBeLessThan(count(every[k]) / 2);
    }
    const [thin, full] = [drawChart(chart, 'p'), drawChart(withLines(chart, every), 'p')];
    // Axes, scales, the failure's rule: all drawn as before; only the lines have fewer vertices.
    const withoutLines = (svg: string) => svg.replace(/<path d="M[^"]+"[^>]*stroke-width="1.8"[^>]*>/g, '');
    expect(withoutLines(thin)).toBe(withoutLines(full));
    const [thinLines, everyLines] = [lines(thin), lines(full)];
    expect(thinLines.length).toBe(4);
    for (const [i, line] of everyLines.entries()) {
      expect(thinLines[i].length).toBeLessThan(line.length);
      // The SVG writes coordinates to hundredths of a pixel: its own rounding on top of the tolerance.
      expect(farthest(line, thinLines[i])).toBeLessThanOrEqual(0.1 + 0.01);
    }
  });
});
