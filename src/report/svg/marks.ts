import type { AreaMark, Layer, LineMark, Mark, Panel, Shape } from './model.js';
import { type Scale, tickAt } from './scales.js';
import { esc, px } from './text.js';

/** A layer's marks, each a child of one group (the browser test counts them). */
export function layerSvg(layer: Layer, x: Scale, y: Scale, p: Panel): string {
  const stroke = layer.stroke ? ` stroke="${layer.stroke}" stroke-width="${layer.strokeWidth ?? 1}"` : '';
  const marks = layer.marks.map((m) => markSvg(m, x, y, p)).join('');
  return `<g class="role-mark"${stroke}>${marks}</g>`;
}

/** An element's end: its `<title>` (a tooltip, and what a screen reader says) when it has one. */
const closeWith = (name: string, title?: string) =>
  title ? `><title>${esc(title)}</title></${name}>` : '/>';
export const dashOf = (dash?: number[]) => (dash?.length ? ` stroke-dasharray="${dash.join(',')}"` : '');
const opacityOf = (name: string, o?: number) => (o === undefined || o === 1 ? '' : ` ${name}="${o}"`);

/** From..to in pixels along a scale: a band's extent when `to` is absent on a band scale. */
function span(s: Scale, from: number, to: number | undefined): [number, number] {
  const a = s.at(from);
  const b = to === undefined ? a + s.bandwidth : s.at(to);
  return a <= b ? [a, b] : [b, a];
}

function markSvg(m: Mark, x: Scale, y: Scale, p: Panel): string {
  switch (m.type) {
    case 'rect': {
      const [x0, x1] = span(x, m.x, m.x2);
      const [y0, y1] = span(y, m.y, m.y2);
      return `<rect x="${px(x0)}" y="${px(y0)}" width="${px(x1 - x0)}" height="${px(y1 - y0)}" fill="${m.fill}"${closeWith('rect', m.title)}`;
    }
    case 'line':
      return lineSvg(m, x, y);
    case 'area':
      return areaSvg(m, x, y);
    case 'symbol': {
      const [cx, cy] = [tickAt(x, m.x), tickAt(y, m.y)];
      if (!Number.isFinite(cx) || !Number.isFinite(cy)) return '';
      return symbolSvg(
        m.shape,
        m.size,
        cx,
        cy,
        ` fill="${m.fill}"${opacityOf('fill-opacity', m.opacity)}`,
        m.title,
      );
    }
    case 'rule': {
      const at = tickAt(x, m.x);
      const [y0, y1] = m.y === undefined ? [0, p.height] : span(y, m.y, m.y2 ?? m.y);
      return `<path d="M${px(at)},${px(y0)}V${px(y1)}" stroke="${m.stroke}" stroke-width="${m.width}"${dashOf(m.dash)}${opacityOf('stroke-opacity', m.opacity)}${closeWith('path', m.title)}`;
    }
    case 'text': {
      const anchor = m.anchor && m.anchor !== 'start' ? ` text-anchor="${m.anchor}"` : '';
      const cy = tickAt(y, m.y) + (m.dy ?? 0) + m.size * 0.35;
      return `<text x="${px(tickAt(x, m.x))}" y="${px(cy)}"${anchor} font-size="${m.size}" fill="${m.fill}">${esc(m.text)}</text>`;
    }
  }
}

/** Stretches of finite points, as "x,y" pixel pairs. */
function runsOf(points: readonly [number, number][]): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  for (const [a, b] of points) {
    if (Number.isFinite(a) && Number.isFinite(b)) run.push(`${px(a)},${px(b)}`);
    else if (run.length) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  return runs;
}

function lineSvg(m: LineMark, x: Scale, y: Scale): string {
  const d = runsOf(m.points.map(([a, b]) => [tickAt(x, a), tickAt(y, b)]))
    .map((r) => `M${r.join('L')}`)
    .join('');
  if (!d) return '';
  return `<path d="${d}" fill="none" stroke="${m.stroke}" stroke-width="${m.width}" stroke-linejoin="round"${dashOf(m.dash)}${opacityOf('stroke-opacity', m.opacity)}/>`;
}

function areaSvg(m: AreaMark, x: Scale, y: Scale): string {
  const parts: string[] = [];
  let run: [number, number, number][] = [];
  const flush = () => {
    if (run.length) {
      const upper = run.map(([a, , hi]) => `${px(a)},${px(hi)}`);
      const lower = run.map(([a, lo]) => `${px(a)},${px(lo)}`).reverse();
      parts.push(`M${upper.join('L')}L${lower.join('L')}Z`);
    }
    run = [];
  };
  for (const [a, lo, hi] of m.points) {
    const p: [number, number, number] = [tickAt(x, a), tickAt(y, lo), tickAt(y, hi)];
    if (p.every(Number.isFinite)) run.push(p);
    else flush();
  }
  flush();
  if (!parts.length) return '';
  return `<path d="${parts.join('')}" fill="${m.fill}" fill-opacity="${m.opacity}"/>`;
}

/** A symbol of `size` square pixels centred on cx, cy (the shapes vega draws under these names). */
export function symbolSvg(
  shape: Shape,
  size: number,
  cx: number,
  cy: number,
  paint: string,
  title?: string,
): string {
  if (shape === 'circle') {
    const r = Math.sqrt(size / Math.PI);
    return `<circle cx="${px(cx)}" cy="${px(cy)}" r="${px(r)}"${paint}${closeWith('circle', title)}`;
  }
  return `<path d="${symbolPath(shape, size, cx, cy)}"${paint}${closeWith('path', title)}`;
}

function symbolPath(shape: Exclude<Shape, 'circle'>, size: number, cx: number, cy: number): string {
  const pts = (list: [number, number][]) =>
    `M${list.map(([a, b]) => `${px(cx + a)},${px(cy + b)}`).join('L')}Z`;
  if (shape === 'square') {
    const h = Math.sqrt(size) / 2;
    return pts([
      [-h, -h],
      [h, -h],
      [h, h],
      [-h, h],
    ]);
  }
  if (shape === 'cross') {
    // A plus of five squares (area `size`), as vega's "cross".
    const r = Math.sqrt(size / 5) / 2;
    return pts([
      [-3 * r, -r],
      [-r, -r],
      [-r, -3 * r],
      [r, -3 * r],
      [r, -r],
      [3 * r, -r],
      [3 * r, r],
      [r, r],
      [r, 3 * r],
      [-r, 3 * r],
      [-r, r],
      [-3 * r, r],
    ]);
  }
  // An equilateral triangle of area `size`, centred on its centroid.
  const side = Math.sqrt((4 * size) / Math.sqrt(3));
  const h = (side * Math.sqrt(3)) / 2;
  const s = shape === 'triangle-up' ? 1 : -1;
  return pts([
    [0, (-s * 2 * h) / 3],
    [side / 2, (s * h) / 3],
    [-side / 2, (s * h) / 3],
  ]);
}
