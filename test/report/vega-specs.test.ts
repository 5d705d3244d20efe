import type { Spec } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadVega, loadVegaLite, scopeIds } from '../../src/report/render.js';
import { compiledSpec, forgetCompiledShapes, shapeOf } from '../../src/report/vega-specs.js';
import { tempDir } from '../cli/cli.js';

/** Two layers with data of their own (as the path to failure has) in a vconcat, and a facet of one data set. */
const layered = (shift: number): TopLevelSpec => ({
  vconcat: [
    {
      layer: [
        {
          data: { values: [1, 2, 3].map((x) => ({ x, y: x * x + shift })) },
          mark: 'line',
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
        },
        {
          data: { values: [{ x: 2 + shift }] },
          mark: { type: 'rule', strokeDash: [4, 3] },
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
      ],
    },
    {
      data: { values: ['a', 'b', 'a'].map((g, i) => ({ g, v: i + shift })) },
      facet: { field: 'g', type: 'nominal' },
      spec: { mark: 'bar', encoding: { y: { field: 'v', type: 'quantitative' } } },
    },
  ],
});

beforeEach(() => {
  process.env.COVSWEEP_CACHE = tempDir('covsweep-specs-');
  forgetCompiledShapes();
});
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

describe('compiled shapes', () => {
  it('are specs with their inline data named, the values apart', () => {
    const { shape, values } = shapeOf(layered(0));
    expect([...values.values()].map((v) => v.length)).toEqual([3, 1, 3]);
    expect(JSON.stringify(shape)).not.toContain('"values"');
    expect(shape.datasets).toEqual(Object.fromEntries([...values.keys()].map((k) => [k, []])));
    // Other values, the same shape.
    expect(shapeOf(layered(5)).shape).toEqual(shape);
  });

  it('draw what vega-lite compiles from the whole spec, and are compiled once per shape', async () => {
    const [vega, vegaLite] = [await loadVega(), await loadVegaLite()];
    const svg = async (vegaSpec: Spec) => scopeIds(await new vega.View(vega.parse(vegaSpec)).toSVG(), 'p');
    let compiles = 0;
    const counted = async () => {
      compiles++;
      return vegaLite;
    };
    for (const shift of [0, 5]) {
      const spec = layered(shift);
      expect(await svg(await compiledSpec(spec, {}, counted))).toBe(await svg(vegaLite.compile(spec).spec));
    }
    // The second values found their shape compiled.
    expect(compiles).toBe(1);
    // Kept on disk too: a new process (here, a forgotten memory) compiles nothing.
    forgetCompiledShapes();
    const kept = await compiledSpec(layered(9), {}, async () => {
      throw new Error('compiled again');
    });
    expect(await svg(kept)).toBe(await svg(vegaLite.compile(layered(9)).spec));
  });
});
