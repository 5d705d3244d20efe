import { describe, expect, it } from 'vitest';
import { type FailurePath, failurePathPlot } from '../../src/report/charts/failure-path.js';
import { thinLine } from '../../src/report/charts/thin-line.js';
import { drawSvg } from '../../src/report/render.js';
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

type Panel = {
  layer: { data: { values: { step: number; value: number; unit: string }[] }; mark: { point: unknown } }[];
};
const panels = (spec: unknown) => (spec as { vconcat: Panel[] }).vconcat;

/** The vertices of the SVG's lines (the plot's 1.8-pixel strokes), in order. */
const lines = (svg: string) =>
  [...svg.matchAll(/<path[^>]*? d="M([^"]+)"[^>]*stroke-width="1.8"/g)].map((m) =>
    m[1].split('L').map((p) => p.split(',').map(Number)),
  );

describe('the path to failure', () => {
  it('shows every step of a short run as a point', () => {
    const spec = failurePathPlot(path(60));
    for (const p of panels(spec)) {
      expect(p.layer[0].mark.point).toEqual({ size: 14 });
      expect(new Set(p.layer[0].data.values.map((v) => v.step)).size).toBe(60);
    }
  });

  it("draws a long run's lines within a tenth of a pixel of every step, from fewer rows", async () => {
    const long = path(1500);
    const spec = failurePathPlot(long);
    // The same plot with every row: the rows the thinned one keeps, and the ones it left out.
    const full = structuredClone(spec) as unknown;
    const measures = ['smallest eigenvalue', 'condition number'];
    panels(full).forEach((p, k) => {
      const unit = (u: number) => `unit ${u + 1}`;
      p.layer[0].data.values = long.rows.flatMap((row) =>
        [0, 1]
          .map((u) => ({
            step: row[0],
            unit: unit(u),
            measure: measures[k],
            value: row[k === 0 ? 3 + 2 * u : 4 + 2 * u],
          }))
          .filter((v) => Number.isFinite(v.value)),
      );
    });
    for (const [k, p] of panels(spec).entries()) {
      expect(p.layer[0].mark.point).toBe(false);
      expect(p.layer[0].data.values.length).toBeLessThan(panels(full)[k].layer[0].data.values.length / 2);
    }
    const [thin, every] = [await drawSvg(spec), await drawSvg(full as typeof spec)];
    // Axes, scales, the failure's rule: all drawn as before; only the lines have fewer vertices.
    const withoutLines = (svg: string) =>
      svg.replace(/<path[^>]*? d="M[^"]+"[^>]*stroke-width="1.8"[^>]*>/g, '');
    expect(withoutLines(thin)).toBe(withoutLines(every));
    const [thinLines, everyLines] = [lines(thin), lines(every)];
    expect(thinLines.length).toBe(4);
    for (const [i, line] of everyLines.entries()) {
      expect(thinLines[i].length).toBeLessThan(line.length);
      // vega writes coordinates to three decimals: its own rounding on top of the tolerance.
      expect(farthest(line, thinLines[i])).toBeLessThanOrEqual(0.1 + 0.001);
    }
  }, 30_000);
});
