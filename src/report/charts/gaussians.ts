import type { TopLevelSpec } from 'vega-lite';
import { taskSpec } from '../../engine/tasks/specs.js';
import { cholesky64 } from '../../ground/dense64.js';
import { OUTCOMES } from '../../ground/vocabulary.js';
import { settingAt } from '../../plan/expand.js';
import type { Experiment, RunResult } from '../../types.js';
import { describeSettings, otherAxes } from '../panels.js';
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

interface Row {
  /** The row's panel, by its place in `labels` (a label is long, and rows are thousands). */
  panel: number;
  kind: 'data' | 'true' | 'learned';
  unit: string;
  curve: string;
  i: number;
  x: number;
  y: number;
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
function squareDomains(rows: readonly Row[]) {
  // Loops, not Math.min(...v): a spread of a million data points overflows the call stack.
  const range = (v: number[]) => [
    v.reduce((a, x) => Math.min(a, x), Number.POSITIVE_INFINITY),
    v.reduce((a, x) => Math.max(a, x), Number.NEGATIVE_INFINITY),
  ];
  const [x0, x1] = range(rows.map((r) => r.x));
  const [y0, y1] = range(rows.map((r) => r.y));
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.08 || 1;
  const around = (mid: number) => [mid - half, mid + half];
  return { x: around((x0 + x1) / 2), y: around((y0 + y1) / 2) };
}

/**
 * The seed's own picture for 2-D runs, one panel per chosen run side by side: the run's data
 * points (regenerated from its seed by the task), the true Gaussians' ellipses (dashed) and the
 * learned ones at the end of the run (solid; for a failed run, the parameters it stopped with).
 * The plot frames the data and the truth; learned ellipses that left it are clipped. `notes` says
 * which learned covariances are not positive definite and so have no ellipse.
 */
export function gaussiansPicture(
  e: Experiment,
  runs: readonly RunResult[],
): { spec: TopLevelSpec; notes: string[] } | undefined {
  const shown = runs.filter((r) => r.gaussians);
  if (shown.length === 0) return undefined;
  const swept = otherAxes(e, ['seed']);
  const rows: Row[] = [];
  const notes: string[] = [];
  const labels = shown.map(
    (r) =>
      `${r.outcome}: run ${r.id}\n${[describeSettings(r.config, swept), `seed ${r.config.seed}`].filter(Boolean).join(' · ')}`,
  );
  for (const [panel, r] of shown.entries()) {
    const { learned, truth } = r.gaussians!;
    const data = taskSpec(r.config.task.name).dataPoints?.(r.config, e.dataFile);
    data?.units.forEach((u, i) => {
      const [x, y] = [data.points[2 * i], data.points[2 * i + 1]];
      rows.push({ panel, kind: 'data', unit: `unit ${u + 1}`, curve: 'data', i, x, y });
    });
    for (const [kind, g] of [
      ['true', truth],
      ['learned', learned],
    ] as const) {
      g.means.forEach((mean, u) => {
        const points = ellipse(mean, g.covariances[u]);
        if (!points)
          notes.push(`run ${r.id}: the ${kind} covariance of unit ${u + 1} is not positive definite`);
        points?.forEach((p, i) => {
          rows.push({ panel, kind, unit: `unit ${u + 1}`, curve: `${kind} ${u}`, i, ...p });
        });
      });
    }
  }
  const domains = squareDomains(rows.filter((r) => r.kind !== 'learned'));
  const units = [...new Set(rows.map((r) => r.unit))].sort();
  const axis = (field: 'x' | 'y') =>
    ({
      field,
      type: 'quantitative',
      scale: { domain: domains[field], nice: false },
      title: field === 'x' ? 'x₁' : 'x₂',
    }) as const;
  const color = {
    field: 'unit',
    type: 'nominal',
    title: null,
    scale: { domain: units, range: UNIT_COLORS },
  } as const;
  return {
    notes,
    spec: {
      data: { values: rows },
      facet: {
        column: {
          field: 'panel',
          type: 'nominal',
          sort: [...new Set(rows.map((r) => r.panel))],
          title: null,
          // Each panel's label, by its number: the header draws the same text as from the label itself.
          header: { labelExpr: `split(${JSON.stringify(labels)}[datum.value], '\\n')`, labelFontSize: 12 },
        },
      },
      spec: {
        width: 260,
        height: 260,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'data'" }],
            // No text per point for screen readers (vega would label each of thousands of points
            // with its coordinates): the same picture, a third smaller and twice as fast to draw.
            mark: { type: 'circle', size: 16, opacity: 0.55, clip: true, aria: false },
            encoding: { x: axis('x'), y: axis('y'), color },
          },
          {
            transform: [{ filter: "datum.kind !== 'data'" }],
            mark: { type: 'line', strokeWidth: 2, clip: true },
            encoding: {
              x: axis('x'),
              y: axis('y'),
              color,
              detail: { field: 'curve' },
              order: { field: 'i' },
              strokeDash: {
                field: 'kind',
                type: 'nominal',
                title: 'ellipse (2 sigma)',
                scale: {
                  domain: ['true', 'learned'],
                  range: [
                    [5, 4],
                    [1, 0],
                  ],
                },
              },
            },
          },
        ],
      },
    },
  };
}
