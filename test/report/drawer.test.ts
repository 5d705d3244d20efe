import { existsSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drawInThread } from '../../src/report/drawer.js';
import { toSvg } from '../../src/report/render.js';
import { tempDir } from '../cli/cli.js';

const spec = (n: number, mark: 'line' | 'bar' = 'line'): TopLevelSpec => ({
  data: { values: Array.from({ length: n }, (_, i) => ({ x: i, y: i * i })) },
  mark,
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
});

const STUB = new URL('../fixtures/draw-thread-stub.mjs', import.meta.url);
const BUILT = new URL('../../dist/report/draw-thread.js', import.meta.url);

/** A fresh, empty plot cache, so that every toSvg draws. */
const freshCache = () => {
  process.env.COVSWEEP_CACHE = tempDir('covsweep-draw-');
};
beforeEach(freshCache);
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

describe('the drawing thread', () => {
  it('draws the plots the cache lacks while it runs, and this thread draws them again after stop', async () => {
    const drawing = drawInThread(STUB);
    expect(await toSvg(spec(3), 'p')).toBe('<svg><g id="p-1"/></svg>');
    await expect(toSvg(spec(3, 'bar'), 'q')).rejects.toThrow('bars are not drawn here');
    await drawing.stop();
    freshCache();
    const byVega = await toSvg(spec(3), 'p');
    expect(byVega).toMatch(/^<svg/);
    expect(byVega).not.toContain('<g id="p-1"/>');
  });

  it('leaves the drawing to this thread when it cannot start, with the same plots', async () => {
    const here = await toSvg(spec(4), 'p');
    freshCache();
    const drawing = drawInThread(new URL('../fixtures/no-such-thread.mjs', import.meta.url));
    try {
      expect(await toSvg(spec(4), 'p')).toBe(here);
    } finally {
      await drawing.stop();
    }
  });

  it.skipIf(!existsSync(BUILT))('draws with vega the same SVG as this thread', async () => {
    const here = await toSvg(spec(6), 'p');
    freshCache();
    const drawing = drawInThread(BUILT);
    try {
      expect(await toSvg(spec(6), 'p')).toBe(here);
    } finally {
      await drawing.stop();
    }
  });
});
