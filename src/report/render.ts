import type { Config, TopLevelSpec } from 'vega-lite';
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
 * Gives the ids inside one SVG a prefix. vega numbers its clip paths and gradients from 1 in every
 * SVG it renders; inline in one page they would share one id space, and a plot would clip itself
 * with another plot's rectangle.
 */
export function scopeIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/**
 * A Vega-Lite spec as an SVG string, rendered in Node (no browser, no network). vega and vega-lite
 * are imported on first use so that commands that draw nothing do not pay for loading them. Ids
 * inside the SVG start with `idPrefix`, which must be unique in the page.
 */
export async function toSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  measureTextWithHelvetica(vega);
  const view = new vega.View(vega.parse(vegaLite.compile(spec, { config: CONFIG }).spec), {
    renderer: 'none',
  });
  try {
    return scopeIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}
