import { taskSpec } from '../../engine/tasks/specs.js';
import { cholesky64 } from '../../ground/dense64.js';
import { OUTCOMES } from '../../ground/vocabulary.js';
import { settingAt } from '../../plan/expand.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
import type { Chart } from '../svg/model.js';
import { CATEGORICAL } from './palette.js';

/** Ellipses are drawn at Mahalanobis distance 2 (86% of a 2-D Gaussian's mass). */
const RADIUS = 2;
const SEGMENTS = 72;

/** Seed 000's figure draws category 1 in blue and category 2 in green. */
const UNIT_COLORS = [CATEGORICAL[0], CATEGORICAL[4], ...CATEGORICAL.filter((_, i) => i !== 0 && i !== 4)];

/**
 * The contrast a sweep is about, as runs with a picture (2-D): per parameterization, the first run
 * at the largest `rate` where it ended ok and the first at the smallest where it failed (tril ok at
 * 1e-2 beside full failed at 1e-4). Without a numeric swept rate: the first run of each outcome.
 */
export function contrastRuns(results: readonly RunResult[], rate: string | undefined): RunResult[] {
  if (!rate) return firstOfEachOutcome(results);
  const drawn = results.filter((r) => r.gaussians);
  const at = (r: RunResult) => settingAt(r.config, rate) as number;
  const parameterizations = [...new Set(drawn.map((r) => r.config.parameterization))];
  return parameterizations.flatMap((p) => {
    const ok = drawn.filter((r) => r.config.parameterization === p && r.outcome === 'ok');
    const failed = drawn.filter((r) => r.config.parameterization === p && r.outcome !== 'ok');
    const best = ok.reduce<RunResult | undefined>((a, r) => (!a || at(r) > at(a) ? r : a), undefined);
    const worst = failed.reduce<RunResult | undefined>((a, r) => (!a || at(r) < at(a) ? r : a), undefined);
    return [best, worst].filter((r): r is RunResult => r !== undefined);
  });
}

/** Runs with a picture (2-D), the first of each outcome in results order. */
export function firstOfEachOutcome(results: readonly RunResult[]): RunResult[] {
  return OUTCOMES.flatMap((o) => results.find((r) => r.outcome === o && r.gaussians) ?? []);
}

/** A point of the picture: a data point, or a point of an ellipse (its curve, in order). */
interface Row {
  kind: 'data' | 'true' | 'learned';
  /** The Gaussian (unit) it belongs to, from 0. */
  unit: number;
  x: number;
  y: number;
}

/** One run's panel: its header's two lines, its data points, its ellipses' curves. */
export interface GaussiansPanel {
  header: [string, string];
  points: Row[];
  curves: { kind: 'true' | 'learned'; unit: number; points: Row[] }[];
}

/** Points of the 2-sigma ellipse of N(mean, cov), or undefined when cov is not positive definite. */
function ellipse(mean: number[], cov: number[][]): { x: number; y: number }[] | undefined {
  const l = cholesky64(cov.flat(), 2);
  if (!l) return undefined;
  return Array.from({ length: SEGMENTS + 1 }, (_, i) => {
    const t = (2 * Math.PI * i) / SEGMENTS;
    const [c, s] = [RADIUS * Math.cos(t), RADIUS * Math.sin(t)];
    return { x: mean[0] + l[0] * c, y: mean[1] + l[2] * c + l[3] * s };
  });
}

/** Domains of x and y of equal width (the panel is square, so ellipses keep their shape), padded. */
function squareDomains(rows: readonly Row[]): { x: [number, number]; y: [number, number] } {
  // Loops, not Math.min(...v): a spread of a million data points overflows the call stack.
  const range = (v: number[]) => [
    v.reduce((a, x) => Math.min(a, x), Number.POSITIVE_INFINITY),
    v.reduce((a, x) => Math.max(a, x), Number.NEGATIVE_INFINITY),
  ];
  const [x0, x1] = range(rows.map((r) => r.x));
  const [y0, y1] = range(rows.map((r) => r.y));
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.08 || 1;
  const around = (mid: number): [number, number] => [mid - half, mid + half];
  return { x: around((x0 + x1) / 2), y: around((y0 + y1) / 2) };
}

/** The panels of the picture of `runs` (those with a picture), and which ellipses are missing. */
export function gaussiansPanels(
  e: Experiment,
  runs: readonly RunResult[],
): { panels: GaussiansPanel[]; notes: string[] } {
  const swept = otherAxes(e, ['seed']);
  const notes: string[] = [];
  const panels = runs
    .filter((r) => r.gaussians)
    .map((r): GaussiansPanel => {
      const { learned, truth } = r.gaussians!;
      const data = taskSpec(r.config.task.name).dataPoints?.(r.config, e.dataFile);
      const points: Row[] = (data?.units ?? []).map((u, i) => ({
        kind: 'data',
        unit: u,
        x: data!.points[2 * i],
        y: data!.points[2 * i + 1],
      }));
      const curves: GaussiansPanel['curves'] = [];
      for (const [kind, g] of [
        ['true', truth],
        ['learned', learned],
      ] as const)
        g.means.forEach((mean, unit) => {
          const at = ellipse(mean, g.covariances[unit]);
          if (!at)
            notes.push(`run ${r.id}: the ${kind} covariance of unit ${unit + 1} is not positive definite`);
          else curves.push({ kind, unit, points: at.map((p) => ({ kind, unit, ...p })) });
        });
      const settings = [describeSettings(r.config, swept), `seed ${r.config.seed}`]
        .filter(Boolean)
        .join(' · ');
      return { header: [`${r.outcome}: run ${r.id}`, settings], points, curves };
    });
  return { panels, notes };
}

/**
 * The seed's own picture for 2-D runs, one panel per chosen run side by side: the run's data
 * points (regenerated from its seed by the task), the true Gaussians' ellipses (dashed) and the
 * learned ones at the end of the run (solid; for a failed run, the parameters it stopped with).
 * Every panel frames all the data and the truth (one square domain); learned ellipses that left
 * it are clipped. `notes` says which learned covariances are not positive definite and so have no
 * ellipse.
 */
export function gaussiansPicture(
  e: Experiment,
  runs: readonly RunResult[],
): { chart: Chart; notes: string[] } | undefined {
  const { panels, notes } = gaussiansPanels(e, runs);
  if (panels.length === 0) return undefined;
  const framed = panels.flatMap((p) => [
    ...p.points,
    ...p.curves.filter((c) => c.kind === 'true').flatMap((c) => c.points),
  ]);
  const domains = squareDomains(framed);
  const units = [...new Set(panels.flatMap((p) => [...p.points, ...p.curves].map((r) => r.unit)))].sort(
    (a, b) => a - b,
  );
  const color = (u: number) => UNIT_COLORS[units.indexOf(u) % UNIT_COLORS.length];
  const dash = { true: [5, 4], learned: undefined };
  return {
    notes,
    chart: {
      columns: panels.length,
      sharedY: true,
      panels: panels.map((p) => ({
        header: p.header,
        clip: true,
        width: 260,
        height: 260,
        x: { type: 'linear', title: 'x₁', domain: domains.x, nice: false },
        y: { type: 'linear', title: 'x₂', domain: domains.y, nice: false },
        layers: [
          {
            // No text per point for screen readers: thousands of points would each read out.
            marks: p.points.map((d) => ({
              type: 'symbol' as const,
              x: d.x,
              y: d.y,
              shape: 'circle' as const,
              size: 16,
              fill: color(d.unit),
              opacity: 0.55,
            })),
          },
          {
            marks: p.curves.map((c) => ({
              type: 'line' as const,
              points: c.points.map((d): [number, number] => [d.x, d.y]),
              stroke: color(c.unit),
              width: 2,
              dash: dash[c.kind],
            })),
          },
        ],
      })),
      legends: [
        {
          type: 'symbols',
          entries: units.map((u) => ({ label: `unit ${u + 1}`, color: color(u), symbol: 'circle' as const })),
        },
        {
          type: 'symbols',
          title: 'ellipse (2 sigma)',
          entries: [
            { label: 'true', color: '#555', symbol: 'stroke' as const, dash: [5, 4] },
            { label: 'learned', color: '#555', symbol: 'stroke' as const },
          ],
        },
      ],
    },
  };
}
