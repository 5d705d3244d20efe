import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scopeIds, toSvg } from '../../src/report/render.js';
import { listPlotsOf, plotsLikelyKept } from '../../src/report/svg-cache.js';
import { tempDir } from '../cli/cli.js';

const spec = (n: number): TopLevelSpec => ({
  data: { values: Array.from({ length: n }, (_, i) => ({ x: i, y: i * i, c: i % 2 ? 'a' : 'b' })) },
  mark: 'line',
  encoding: {
    x: { field: 'x', type: 'quantitative' },
    y: { field: 'y', type: 'quantitative' },
    color: { field: 'c', type: 'nominal' },
  },
});

let dir: string;
beforeEach(() => {
  dir = tempDir('covsweep-svg-');
  process.env.COVSWEEP_CACHE = dir;
});
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

describe('plots drawn before', () => {
  it('come from the cache, the same bytes as drawn, whatever was drawn in between', async () => {
    const drawn = await toSvg(spec(5), 'p');
    const files = readdirSync(join(dir, 'svg'));
    expect(files).toHaveLength(1);
    // vega's id counters move on with every plot a process draws; the page's ids do not.
    await toSvg(spec(7), 'q');
    expect(await toSvg(spec(5), 'p')).toBe(drawn);
    // What the cache holds is what a report shows (scoped anew for its place in the page).
    writeFileSync(
      join(dir, 'svg', files[0]),
      '<svg><clipPath id="clip9"/><g clip-path="url(#clip9)"/></svg>',
    );
    expect(await toSvg(spec(5), 'r')).toBe('<svg><clipPath id="r-1"/><g clip-path="url(#r-1)"/></svg>');
    expect(await toSvg(spec(6), 'p')).not.toBe(drawn);
  });

  it('have ids numbered in order of appearance under their prefix', () => {
    const svg =
      '<defs><clipPath id="clip7"/><linearGradient id="gradient_3"/></defs><g clip-path="url(#clip7)" fill="url(#gradient_3)"/><use href="#clip7"/>';
    expect(scopeIds(svg, 'plot-a')).toBe(
      '<defs><clipPath id="plot-a-1"/><linearGradient id="plot-a-2"/></defs><g clip-path="url(#plot-a-1)" fill="url(#plot-a-2)"/><use href="#plot-a-1"/>',
    );
  });

  it("say whether a folder's last report's plots are all kept", async () => {
    const folder = tempDir('covsweep-run-');
    expect(plotsLikelyKept(folder)).toBe(false);
    // Another folder's report before, its plots gone since: they are not this one's.
    await toSvg(spec(9), 'p');
    listPlotsOf(tempDir('covsweep-run-'));
    rmSync(join(dir, 'svg'), { recursive: true });
    await toSvg(spec(3), 'p');
    await toSvg(spec(4), 'q');
    listPlotsOf(folder);
    expect(plotsLikelyKept(folder)).toBe(true);
    expect(plotsLikelyKept(tempDir('covsweep-run-'))).toBe(false);
    // One of them gone (pruned, or the cache cleared): the next report will draw.
    const [first] = readdirSync(join(dir, 'svg')).filter((n) => n.endsWith('.svg'));
    rmSync(join(dir, 'svg', first));
    expect(plotsLikelyKept(folder)).toBe(false);
  });
});
