import type { Config, TopLevelSpec } from 'vega-lite';
import { cachedSvg, keepSvg } from './svg-cache.js';
import { measureTextWithHelvetica } from './text-width.js';
import { bundlesInstalled, keepBundleCode, vegaBundle, vegaLiteBundle } from './vega-bundles.js';
import { compiledSpec } from './vega-specs.js';

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

let vega: Promise<Vega> | undefined;
let vegaLite: Promise<VegaLite> | undefined;

/**
 * vega, loaded on first use so that commands that draw nothing do not pay for loading it, from
 * the single-file bundle it ships (vega-bundles.ts) or from its ES modules when that is missing,
 * and set up to measure text as text-width.ts says.
 */
export function loadVega(): Promise<Vega> {
  vega ??= (bundlesInstalled() ? Promise.resolve().then(vegaBundle) : import('vega')).then((v) => {
    measureTextWithHelvetica(v);
    return v;
  });
  return vega;
}

/** vega-lite, loaded (on vega) only when a plot's shape was not compiled before (vega-specs.ts). */
export function loadVegaLite(): Promise<VegaLite> {
  vegaLite ??= bundlesInstalled() ? loadVega().then(vegaLiteBundle) : import('vega-lite');
  return vegaLite;
}

/** A Vega-Lite spec drawn as an SVG string by vega in this thread, its ids as vega numbers them. */
export async function drawSvg(spec: TopLevelSpec): Promise<string> {
  return drawSvgBy(await loadVega(), loadVegaLite, spec);
}

/** `spec` drawn by the given vega, compiled by the given vega-lite unless kept (tests hold the bundles to the ES modules). */
export async function drawSvgBy(
  vega: Vega,
  vegaLite: () => Promise<VegaLite>,
  spec: TopLevelSpec,
): Promise<string> {
  const view = new vega.View(vega.parse(await compiledSpec(spec, CONFIG, vegaLite)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
    keepBundleCode();
  }
}

/** Draws a spec, given also as its JSON text (what a thread is sent, and a measure of its work). */
export type Draw = (spec: TopLevelSpec, json: string) => Promise<string>;

/** What draws the plots the cache lacks: `drawSvg` here, or a drawing thread while one runs (drawer.ts). */
let draw: Draw = drawSvg;

/** Plots are drawn by `by` until the returned function is called. */
export function drawWith(by: Draw): () => void {
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
  const svg = asked.get(spec) ?? drawnOrKept(spec);
  asked.set(spec, svg);
  return scopeIds(await svg, idPrefix);
}

/** The SVG of each spec this process asked for, by the spec: a spec asked for again (a page made twice, html.ts) is drawn, or read, once. */
const asked = new WeakMap<TopLevelSpec, Promise<string>>();

async function drawnOrKept(spec: TopLevelSpec): Promise<string> {
  // Made once: the cache's key, and what a drawing thread is sent.
  const json = JSON.stringify(spec);
  const kept = cachedSvg(json);
  if (kept !== undefined) return kept;
  const svg = await draw(spec, json);
  keepSvg(json, svg);
  return svg;
}
