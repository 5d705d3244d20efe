import { legendsSvg } from './legends.js';
import { DOMAIN, FONT, FRAME, GRID, HEADER, INK, LABEL, NOTE, TITLE, width } from './look.js';
import { layerSvg } from './marks.js';
import type { Axis, Chart, Panel } from './model.js';
import { type Scale, scaleOf, tickAt } from './scales.js';
import { esc, px } from './text.js';

const TICK = 5;
const LABEL_PAD = 2;
const TITLE_PAD = 4;
/** Space between panels, and between the panels and the legends. */
const GAP = 20;
/** Room right of the last tick label, half of which may hang past the panel. */
const RIGHT = 14;
/** Below a panel: ticks, labels and the axis title. */
const BELOW = TICK + LABEL_PAD + LABEL + TITLE_PAD + TITLE + 4;
const LINE = 15;
/** Above everything: room for the top tick label, which hangs half above its panel. */
const MARGIN = 6;

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
  return axisGroup(domain, texts, title, axisLabel('X', p.x, x));
}

/** An axis's group: its line and ticks, its labels and its title, and what a screen reader says of it. */
function axisGroup(domain: string, texts: string, title: string, aria: string): string {
  return `<g class="role-axis" role="graphics-object" aria-roledescription="axis" aria-label="${esc(aria)}">${domain}<g class="role-axis-label" font-size="${LABEL}" fill="${INK}">${texts}</g>${title}</g>`;
}

/** How many category names an axis's description lists before it says how many more. */
const NAMED = 10;

/** An axis as a screen reader hears it: "X-axis titled 'step' for a linear scale with values from 0 to 2,000" (vega's wording). */
function axisLabel(which: 'X' | 'Y', axis: Axis, scale: Scale): string {
  const titled = axis.title ? ` titled '${axis.title}'` : '';
  if (axis.type === 'band' || axis.type === 'point') {
    const shown = axis.values.slice(0, NAMED).join(', ');
    const more = axis.values.length > NAMED ? ` and ${axis.values.length - NAMED} more` : '';
    return `${which}-axis${titled} for a discrete scale with ${axis.values.length} value${axis.values.length === 1 ? '' : 's'}: ${shown}${more}`;
  }
  const labels = scale.ticks.map((t) => t.label);
  const range = labels.length ? ` with values from ${labels[0]} to ${labels[labels.length - 1]}` : '';
  return `${which}-axis${titled} for a ${axis.type} scale${range}`;
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
  return axisGroup(domain, texts, title, axisLabel('Y', p.y, y));
}
