import type { Config, TopLevelSpec } from 'vega-lite';
import { cachedSvg, keepSvg } from './svg-cache.js';
import { measureTextWithHelvetica } from './text-width.js';

/** Fonts whose widths text-width.ts knows (metric-compatible with each other); the page uses them too. */
export const FONT = 'Helvetica, Arial, "Liberation Sans", sans-serif';

/** One look for every plot: the page's font, quiet axes, no frame around views. */
const CONFIG: Config = {
  font: FONT,
  background: 'transparent',
  view: { stroke: '#ddd' },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    gridColor: '#eee',
    domainColor: '#999',
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  header: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal' },
  title: { fontSize: 13, fontWeight: 'normal', anchor: 'start' },
};

/**
 * Gives the ids inside one SVG a prefix and numbers them in order of appearance. vega numbers its
 * clip paths and gradients from a counter of the process; inline in one page they would share one
 * id space, and a plot would clip itself with another plot's rectangle. Renumbered, a plot's SVG
 * is the same whatever the process drew before it (and whether it came from the cache).
 */
export function scopeIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const [, id] of svg.matchAll(/\bid="([^"]+)"/g))
    if (!ids.has(id)) ids.set(id, `${prefix}-${ids.size + 1}`);
  const scoped = (id: string) => ids.get(id) ?? `${prefix}-${id}`;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${scoped(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${scoped(id)})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${scoped(id)}"`);
}

/**
 * A Vega-Lite spec as an SVG string, rendered in Node (no browser, no network). vega and vega-lite
 * are imported on first use so that commands that draw nothing do not pay for loading them, and
 * not at all when the plot was drawn before (svg-cache.ts). Ids inside the SVG start with
 * `idPrefix`, which must be unique in the page.
 */
export async function toSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const kept = cachedSvg(spec);
  if (kept !== undefined) return scopeIds(kept, idPrefix);
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  measureTextWithHelvetica(vega);
  const view = new vega.View(vega.parse(vegaLite.compile(spec, { config: CONFIG }).spec), {
    renderer: 'none',
  });
  try {
    const svg = await view.toSVG();
    keepSvg(spec, svg);
    return scopeIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}
