import type { TopLevelSpec } from 'vega-lite';

/**
 * Small plots with the marks, scales and layouts the report's plots use (faceted layers of areas,
 * lines with points, crosses, rules, text, a grid of cells, bars, circles; linear, symlog, log and
 * band scales; legends), drawn by a drawing thread that has nothing else to do: vega's code runs
 * two to three times as slowly in a fresh thread as once it has run, so the report's own plots,
 * drawn after these, run warm. Their SVGs are thrown away.
 */
export function warmUpPlots(): TopLevelSpec[] {
  const rows = ['a', 'b'].flatMap((panel, pi) =>
    ['unit 1', 'unit 2'].flatMap((unit, ui) =>
      Array.from({ length: 12 }, (_, step) => {
        const value = Math.exp(-step / (3 + pi)) + ui / 2;
        return { panel, unit, step, value, low: value / 2, high: value * 1.5, k: (step + ui) % 3 };
      }),
    ),
  );
  const x = { field: 'step', type: 'quantitative', title: 'step' } as const;
  const y = { field: 'value', type: 'quantitative', scale: { type: 'symlog', constant: 0.001 } } as const;
  const color = { field: 'unit', type: 'nominal', title: null } as const;
  const curves: TopLevelSpec = {
    data: { values: rows },
    facet: { field: 'panel', type: 'nominal', title: null },
    columns: 2,
    spec: {
      width: 120,
      height: 80,
      layer: [
        {
          mark: { type: 'area', fillOpacity: 0.12 },
          encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
        },
        { mark: { type: 'line', point: { filled: true, size: 20 } }, encoding: { x, y, color } },
        {
          transform: [{ filter: 'datum.step === 6' }],
          mark: { type: 'point', shape: 'cross', filled: true },
          encoding: { x, y, color },
        },
        {
          transform: [{ filter: 'datum.step === 11' }],
          mark: { type: 'text', dy: -7 },
          encoding: { x, y, text: { field: 'k' } },
        },
        {
          transform: [{ filter: 'datum.step === 4' }],
          mark: { type: 'rule', strokeDash: [4, 3] },
          encoding: { x },
        },
      ],
    },
  };
  const grid: TopLevelSpec = {
    data: { values: rows.filter((r) => r.step < 4) },
    facet: { field: 'panel', type: 'nominal', title: null },
    columns: 2,
    spec: {
      width: 80,
      height: 40,
      encoding: { x: { field: 'step', type: 'ordinal' }, y: { field: 'unit', type: 'ordinal' } },
      layer: [
        {
          mark: { type: 'rect', stroke: 'white' },
          encoding: { color: { field: 'value', type: 'quantitative' } },
        },
        { mark: { type: 'text' }, encoding: { text: { field: 'k', type: 'nominal' } } },
      ],
    },
  };
  const bars: TopLevelSpec = {
    data: { values: rows },
    facet: { row: { field: 'unit', type: 'nominal' } },
    spec: {
      width: 160,
      height: 40,
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'step', type: 'quantitative' },
            x2: { field: 'k' },
            y: { field: 'panel', type: 'nominal' },
          },
        },
        {
          mark: { type: 'circle', size: 16, opacity: 0.55 },
          encoding: {
            x: { field: 'step', type: 'quantitative' },
            y: { field: 'panel', type: 'nominal' },
            color,
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
  const path: TopLevelSpec = {
    vconcat: [
      {
        width: 200,
        height: 50,
        data: { values: rows.filter((r) => r.panel === 'a') },
        mark: { type: 'line', strokeWidth: 1.8 },
        encoding: { x, y: { field: 'value', type: 'quantitative', scale: { type: 'log' } }, color },
      },
    ],
  };
  // The cheapest first: a plot asked for waits for the warm-up plot being drawn.
  return [grid, path, bars, curves];
}
