import { format as d3Format } from 'd3-format';
import { helveticaWidth } from '../text-width.js';
import type { AreaMark, Chart, Layer, Legend, LineMark, Mark, Panel, Shape } from './model.js';
import { type Scale, scaleOf, tickAt } from './scales.js';
import { esc, px } from './text.js';

/** Fonts whose widths text-width.ts knows (metric-compatible with each other); the page uses them too. */
export const FONT = 'Helvetica, Arial, "Liberation Sans", sans-serif';

// One look for every plot, as the Vega-Lite config had it: quiet axes, a light frame, no bold.
const LABEL = 11;
const TITLE = 12;
const HEADER = 12;
const NOTE = 13;
const TICK = 5;
const LABEL_PAD = 2;
const TITLE_PAD = 4;
const GRID = '#eee';
const DOMAIN = '#999';
const FRAME = '#ddd';
const INK = '#222';
/** Space between panels, and between the panels and the legends. */
const GAP = 20;
/** Room right of the last tick label, half of which may hang past the panel. */
const RIGHT = 14;
/** Below a panel: ticks, labels and the axis title. */
const BELOW = TICK + LABEL_PAD + LABEL + TITLE_PAD + TITLE + 4;
const LINE = 15;
/** Above everything: room for the top tick label, which hangs half above its panel. */
const MARGIN = 6;

const width = (text: string, size: number, bold = false) => helveticaWidth(text, size, bold);

/** A panel's scales over its pixels, y flipped (up is more). */
const scalesOf = (p: Panel) => ({ x: scaleOf(p.x, p.width), y: scaleOf(p.y, p.height, true) });

/** Room left of a panel for its y tick labels and title. */
function leftOf(p: Panel, y: Scale): number {
  const labels = y.ticks.reduce((a, t) => Math.max(a, width(t.label, LABEL)), 0);
  return TICK + LABEL_PAD + labels + TITLE_PAD + (p.y.title ? TITLE : 0) + 2;
}

/**
 * `chart` as an SVG string, its ids (clip paths, the gradient) prefixed with `id`, which must be
 * unique in the page. The same chart and id give the same bytes.
 */
export function drawChart(chart: Chart, id: string): string {
  const scales = chart.panels.map(scalesOf);
  const left = chart.panels.reduce((a, p, i) => Math.max(a, leftOf(p, scales[i].y)), 0);
  const leftHeaders = chart.headers === 'left';
  const headerLines = chart.panels.reduce((a, p) => Math.max(a, p.header?.length ?? 0), 0);
  const headerWidth = leftHeaders
    ? chart.panels.reduce(
        (a, p) => Math.max(a, ...(p.header ?? []).map((h) => width(h, HEADER, true) + 12)),
        0,
      )
    : 0;
  const above = leftHeaders || !headerLines ? 4 : headerLines * LINE + 4;
  const widest = chart.panels.reduce((a, p) => Math.max(a, p.width), 0);
  /** Room left of column c's panels: a shared y axis is labelled left of the first column only. */
  const leftOfColumn = (c: number) => (chart.sharedY && c > 0 ? TICK + 6 : left);
  const cellWidth = (c: number) => headerWidth + leftOfColumn(c) + widest + RIGHT;
  const columnLeft = (c: number) => {
    let x = 0;
    for (let k = 0; k < c; k++) x += cellWidth(k) + GAP;
    return x;
  };
  const columns = Math.max(1, Math.min(chart.columns, chart.panels.length));
  const rows = Math.ceil(chart.panels.length / columns);
  const tallest = chart.panels.reduce((a, p) => Math.max(a, p.height), 0);
  /** Whether row r's panels label their x axis (a shared one only under the last row). */
  const labelled = (r: number) => !chart.sharedX || r === rows - 1;
  const rowHeight = (r: number) => above + tallest + (labelled(r) ? BELOW : TICK + 4);
  const top = MARGIN + (chart.note ? NOTE + 8 : 0);
  const rowTop = (r: number) => {
    let y = top;
    for (let k = 0; k < r; k++) y += rowHeight(k) + GAP / 2;
    return y;
  };
  const gridWidth = columnLeft(columns - 1) + cellWidth(columns - 1);
  const defs: string[] = [];
  const body: string[] = [];
  if (chart.note)
    body.push(`<text x="0" y="${NOTE}" font-size="${NOTE}" fill="${INK}">${esc(chart.note)}</text>`);
  chart.panels.forEach((p, i) => {
    const [col, row] = [i % columns, Math.floor(i / columns)];
    const x0 = columnLeft(col) + headerWidth + leftOfColumn(col);
    const y0 = rowTop(row) + above;
    const clip = `${id}-clip-${i + 1}`;
    if (p.clip)
      defs.push(`<clipPath id="${clip}"><rect width="${px(p.width)}" height="${px(p.height)}"/></clipPath>`);
    body.push(`<g class="panel" transform="translate(${px(x0)},${px(y0)})">`);
    if (p.header?.length) body.push(header(p, leftHeaders, left + headerWidth));
    body.push(panelBody(p, scales[i].x, scales[i].y, clip, labelled(row), !chart.sharedY || col === 0));
    body.push('</g>');
  });
  const legends = legendsSvg(chart.legends, id, defs);
  const gridHeight = rowTop(rows - 1) + rowHeight(rows - 1);
  const svgWidth = Math.ceil(gridWidth + (legends.width ? GAP + legends.width : 0));
  const svgHeight = Math.ceil(Math.max(gridHeight, top + legends.height + 4));
  if (legends.svg)
    body.push(
      `<g class="role-legend" transform="translate(${px(gridWidth + GAP)},${px(top + 4)})">${legends.svg}</g>`,
    );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgWidth}" height="${svgHeight}" viewBox="0 0 ${svgWidth} ${svgHeight}" font-family="${esc(FONT)}">`,
    defs.length ? `<defs>${defs.join('')}</defs>` : '',
    ...body,
    '</svg>',
  ].join('');
}

/** A panel's header: centred above it, or (left) bold, left of its y axis, at its middle. */
function header(p: Panel, leftHeaders: boolean, leftRoom: number): string {
  const lines = p.header ?? [];
  if (leftHeaders)
    return `<text class="role-header" x="${px(-leftRoom)}" y="${px(p.height / 2 + 4)}" font-size="${HEADER}" font-weight="bold" fill="${INK}">${esc(lines.join(' '))}</text>`;
  return lines
    .map(
      (line, k) =>
        `<text class="role-header" x="${px(p.width / 2)}" y="${px(-4 - (lines.length - 1 - k) * LINE - 4)}" text-anchor="middle" font-size="${HEADER}" fill="${INK}">${esc(line)}</text>`,
    )
    .join('');
}

function panelBody(p: Panel, x: Scale, y: Scale, clip: string, xLabels: boolean, yLabels: boolean): string {
  const out: string[] = [];
  out.push(
    `<rect class="frame" width="${px(p.width)}" height="${px(p.height)}" fill="none" stroke="${FRAME}"/>`,
  );
  // Gridlines under the marks.
  const grid: string[] = [];
  if (x.grid)
    for (const v of [...x.ticks.map((t) => t.value), ...x.minor])
      grid.push(`M${px(tickAt(x, v))},0V${px(p.height)}`);
  if (y.grid)
    for (const v of [...y.ticks.map((t) => t.value), ...y.minor])
      grid.push(`M0,${px(tickAt(y, v))}H${px(p.width)}`);
  if (grid.length)
    out.push(`<path class="role-axis-grid" d="${grid.join('')}" stroke="${GRID}" fill="none"/>`);
  const marks = p.layers.map((layer) => layerSvg(layer, x, y, p)).join('');
  out.push(p.clip ? `<g clip-path="url(#${clip})">${marks}</g>` : marks);
  out.push(xAxis(p, x, xLabels), yAxis(p, y, yLabels));
  return out.join('');
}

/** Least room between two x tick labels. */
const LABEL_GAP = 6;

/**
 * Tick labels that fit side by side: while two would come closer than LABEL_GAP, every other one
 * is left out (vega's "parity" strategy: the labels left stay evenly spaced).
 */
function spaced(ticks: { at: number; label: string }[]): { at: number; label: string }[] {
  let kept = [...ticks].sort((a, b) => a.at - b.at);
  const crowded = () =>
    kept.some(
      (t, i) =>
        i > 0 &&
        t.at - kept[i - 1].at < (width(t.label, LABEL) + width(kept[i - 1].label, LABEL)) / 2 + LABEL_GAP,
    );
  while (kept.length > 2 && crowded()) kept = kept.filter((_, i) => i % 2 === 0);
  return kept;
}

/** The x axis: its line and ticks, and unless `labels` is false (a shared axis above its last row) its labels and title. */
function xAxis(p: Panel, x: Scale, labels: boolean): string {
  const ticks = x.ticks.map((t) => ({ at: tickAt(x, t.value), label: t.label }));
  const marks = ticks.map((t) => `M${px(t.at)},${px(p.height)}v${TICK}`).join('');
  const labelY = p.height + TICK + LABEL_PAD + LABEL - 2;
  const texts = spaced(ticks)
    .map((t) => `<text x="${px(t.at)}" y="${px(labelY)}" text-anchor="middle">${esc(t.label)}</text>`)
    .join('');
  const domain = `<path d="M0,${px(p.height)}H${px(p.width)}${marks}" stroke="${DOMAIN}" fill="none"/>`;
  if (!labels) return `<g class="role-axis">${domain}</g>`;
  const title = p.x.title
    ? `<text class="role-axis-title" x="${px(p.width / 2)}" y="${px(labelY + TITLE_PAD + TITLE)}" text-anchor="middle" font-size="${TITLE}">${esc(p.x.title)}</text>`
    : '';
  return [
    '<g class="role-axis">',
    domain,
    `<g class="role-axis-label" font-size="${LABEL}" fill="${INK}">${texts}</g>`,
    title,
    '</g>',
  ].join('');
}

/** The y axis: its line and ticks, and unless `labels` is false (a shared axis right of its first column) its labels and title. */
function yAxis(p: Panel, y: Scale, labels: boolean): string {
  const ticks = y.ticks.map((t) => ({ at: tickAt(y, t.value), label: t.label }));
  const marks = ticks.map((t) => `M0,${px(t.at)}h${-TICK}`).join('');
  const domain = `<path d="M0,0V${px(p.height)}${marks}" stroke="${DOMAIN}" fill="none"/>`;
  if (!labels) return `<g class="role-axis">${domain}</g>`;
  const labelX = -(TICK + LABEL_PAD);
  const texts = ticks
    .map(
      (t) =>
        `<text x="${px(labelX)}" y="${px(t.at + LABEL * 0.35)}" text-anchor="end">${esc(t.label)}</text>`,
    )
    .join('');
  const widest = ticks.reduce((a, t) => Math.max(a, width(t.label, LABEL)), 0);
  const titleX = labelX - widest - TITLE_PAD - 2;
  const title = p.y.title
    ? `<text class="role-axis-title" transform="translate(${px(titleX)},${px(p.height / 2)}) rotate(-90)" text-anchor="middle" font-size="${TITLE}">${esc(p.y.title)}</text>`
    : '';
  return [
    '<g class="role-axis">',
    domain,
    `<g class="role-axis-label" font-size="${LABEL}" fill="${INK}">${texts}</g>`,
    title,
    '</g>',
  ].join('');
}

/** A layer's marks, each a child of one group (the browser test counts them). */
function layerSvg(layer: Layer, x: Scale, y: Scale, p: Panel): string {
  const stroke = layer.stroke ? ` stroke="${layer.stroke}" stroke-width="${layer.strokeWidth ?? 1}"` : '';
  const marks = layer.marks.map((m) => markSvg(m, x, y, p)).join('');
  return `<g class="role-mark"${stroke}>${marks}</g>`;
}

/** An element's end: its `<title>` (a tooltip, and what a screen reader says) when it has one. */
const closeWith = (name: string, title?: string) =>
  title ? `><title>${esc(title)}</title></${name}>` : '/>';
const dashOf = (dash?: number[]) => (dash?.length ? ` stroke-dasharray="${dash.join(',')}"` : '');
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
function symbolSvg(
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

const ENTRY = 16;
/** A legend symbol's size in square pixels (vega's default, 100, looked large beside 11 px labels). */
const LEGEND_SYMBOL = 80;
const GRADIENT = { width: 16, length: 120 };

/** The legends stacked top to bottom: their SVG, and the room they take. */
function legendsSvg(
  legends: readonly Legend[],
  id: string,
  defs: string[],
): { svg: string; width: number; height: number } {
  let y = 0;
  let w = 0;
  const out: string[] = [];
  legends.forEach((l, i) => {
    if (i) y += 12;
    const g: string[] = [];
    let h = 0;
    if (l.title) {
      g.push(`<text y="${TITLE - 2}" font-size="${TITLE}" fill="${INK}">${esc(l.title)}</text>`);
      w = Math.max(w, width(l.title, TITLE));
      h = TITLE + 6;
    }
    if (l.type === 'gradient') {
      const gid = `${id}-gradient-${i + 1}`;
      const stops = l.colors
        .map((c, k) => `<stop offset="${px(k / (l.colors.length - 1))}" stop-color="${c}"/>`)
        .join('');
      // Top is 1: the ramp reads upwards, as the values do.
      defs.push(`<linearGradient id="${gid}" x1="0" y1="1" x2="0" y2="0">${stops}</linearGradient>`);
      g.push(
        `<rect y="${h}" width="${GRADIENT.width}" height="${GRADIENT.length}" fill="url(#${gid})" stroke="${FRAME}"/>`,
      );
      const format = d3Format(l.format);
      for (const t of l.ticks) {
        const ty = h + GRADIENT.length * (1 - t);
        const label = format(t);
        g.push(
          `<text x="${GRADIENT.width + 4}" y="${px(ty + LABEL * 0.35)}" font-size="${LABEL}" fill="${INK}">${esc(label)}</text>`,
        );
        w = Math.max(w, GRADIENT.width + 4 + width(label, LABEL));
      }
      h += GRADIENT.length + LABEL / 2;
    } else {
      for (const e of l.entries) {
        const cy = h + ENTRY / 2;
        g.push(entrySymbol(e.symbol, e.color, cy, e.dash));
        g.push(
          `<text x="${ENTRY + 6}" y="${px(cy + LABEL * 0.35)}" font-size="${LABEL}" fill="${INK}">${esc(e.label)}</text>`,
        );
        w = Math.max(w, ENTRY + 6 + width(e.label, LABEL));
        h += ENTRY;
      }
    }
    out.push(`<g transform="translate(0,${px(y)})">${g.join('')}</g>`);
    y += h;
  });
  return { svg: out.join(''), width: Math.ceil(w), height: y };
}

function entrySymbol(symbol: Shape | 'stroke', color: string, cy: number, dash?: number[]): string {
  if (symbol === 'stroke')
    return `<path d="M0,${px(cy)}H${ENTRY}" stroke="${color}" stroke-width="2.5"${dashOf(dash)}/>`;
  return symbolSvg(symbol, LEGEND_SYMBOL, ENTRY / 2, cy, ` fill="${color}"`);
}
