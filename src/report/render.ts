import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';
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

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');

let vega: Promise<[Vega, VegaLite]> | undefined;

const require = createRequire(import.meta.url);

/**
 * A UMD bundle (one file holding a package and what it imports) run as CommonJS, its `require`
 * answering from `deps`.
 */
function runBundle(file: string, deps: Record<string, unknown>): unknown {
  const module = { exports: {} };
  const wrapped = runInThisContext(
    `(function (exports, module, require) {${readFileSync(file, 'utf8')}\n})`,
    {
      filename: file,
    },
  ) as (exports: unknown, module: unknown, require: (id: string) => unknown) => void;
  wrapped(module.exports, module, (id) => deps[id]);
  return module.exports;
}

/**
 * vega and vega-lite from the single-file bundles they ship (build/vega.js, build/vega-lite.min.js:
 * the same versions, the same code), which load about three times as fast as their ES modules, a
 * hundred files across some forty packages (0.17 s of a cold report or a run's end). The ES
 * modules when a bundle is missing.
 */
async function importVega(): Promise<[Vega, VegaLite]> {
  try {
    const vega = runBundle(join(dirname(require.resolve('vega')), 'vega.js'), {}) as Vega;
    const vegaLite = runBundle(join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js'), {
      vega,
    }) as VegaLite;
    return [vega, vegaLite];
  } catch {
    return Promise.all([import('vega'), import('vega-lite')]);
  }
}

/**
 * vega and vega-lite, loaded on first use so that commands that draw nothing do not pay for
 * loading them, and set up to measure text as text-width.ts says.
 */
export function loadVega(): Promise<[Vega, VegaLite]> {
  vega ??= importVega().then((libs) => {
    measureTextWithHelvetica(libs[0]);
    return libs;
  });
  return vega;
}

/** A Vega-Lite spec drawn as an SVG string by vega in this thread, its ids as vega numbers them. */
export async function drawSvg(spec: TopLevelSpec): Promise<string> {
  return drawSvgBy(await loadVega(), spec);
}

/** `spec` drawn by the given vega and vega-lite (tests hold the bundles to the ES modules). */
export async function drawSvgBy([vega, vegaLite]: [Vega, VegaLite], spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec, { config: CONFIG }).spec), {
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** What draws the plots the cache lacks: `drawSvg` here, or a drawing thread while one runs (drawer.ts). */
let draw: (spec: TopLevelSpec) => Promise<string> = drawSvg;

/** Plots are drawn by `by` until the returned function is called. */
export function drawWith(by: (spec: TopLevelSpec) => Promise<string>): () => void {
  const before = draw;
  draw = by;
  return () => {
    draw = before;
  };
}

/**
 * A Vega-Lite spec as an SVG string, rendered in Node (no browser, no network), or as it was
 * drawn before (svg-cache.ts), when vega is not loaded at all. Ids inside the SVG start with
 * `idPrefix`, which must be unique in the page.
 */
export async function toSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const kept = cachedSvg(spec);
  if (kept !== undefined) return scopeIds(kept, idPrefix);
  const svg = await draw(spec);
  keepSvg(spec, svg);
  return scopeIds(svg, idPrefix);
}
