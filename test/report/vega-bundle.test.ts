import type { TopLevelSpec } from 'vega-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drawSvgBy, loadVega, loadVegaLite, scopeIds } from '../../src/report/render.js';
import { measureTextWithHelvetica } from '../../src/report/text-width.js';
import { forgetCompiledShapes } from '../../src/report/vega-specs.js';
import { tempDir } from '../cli/cli.js';

// A fresh cache: the compiled shapes of one draw are not another's.
beforeEach(() => {
  process.env.COVSWEEP_CACHE = tempDir('covsweep-bundle-');
  forgetCompiledShapes();
});
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

// Text, a log scale, facets, a legend, clipping (ids) and a layered band: what the report's plots use.
const specs: TopLevelSpec[] = [
  {
    data: {
      values: Array.from({ length: 30 }, (_, i) => ({ x: i + 1, y: Math.exp(-i / 7), g: `run ${i % 3}` })),
    },
    facet: { column: { field: 'g' } },
    spec: {
      layer: [
        {
          mark: { type: 'line', clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: { type: 'log' } },
            y: { field: 'y', type: 'quantitative' },
            color: { field: 'g' },
          },
        },
        {
          mark: { type: 'area', opacity: 0.2 },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'y', type: 'quantitative' },
            y2: { datum: 0 },
          },
        },
      ],
    },
    title: 'Loss by step, one panel per run',
  },
  {
    data: {
      values: [
        { c: 'full', r: '1e-5', v: 0.2, t: '4/20' },
        { c: 'tril', r: '1e-5', v: 0, t: '0/20' },
      ],
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          x: { field: 'c', type: 'ordinal' },
          y: { field: 'r', type: 'ordinal' },
          color: { field: 'v', type: 'quantitative' },
        },
      },
      {
        mark: 'text',
        encoding: {
          x: { field: 'c', type: 'ordinal' },
          y: { field: 'r', type: 'ordinal' },
          text: { field: 't' },
        },
      },
    ],
  },
];

describe('vega from its bundles', () => {
  it('draws the same SVGs as vega from its ES modules', async () => {
    const modules = await Promise.all([import('vega'), import('vega-lite')]);
    measureTextWithHelvetica(modules[0]);
    const bundles = [await loadVega(), await loadVegaLite()] as const;
    // Two copies of vega: the bundle's is not the modules'.
    expect(bundles[0]).not.toBe(modules[0]);
    for (const spec of specs) {
      const byBundle = await drawSvgBy(bundles[0], async () => bundles[1], spec);
      expect(byBundle).toMatch(/^<svg.*<text/s);
      // Compiled again, by the modules' vega-lite.
      forgetCompiledShapes();
      process.env.COVSWEEP_CACHE = tempDir('covsweep-bundle-');
      const byModules = await drawSvgBy(modules[0], async () => modules[1], spec);
      expect(scopeIds(byBundle, 'p')).toBe(scopeIds(byModules, 'p'));
    }
  });
});
