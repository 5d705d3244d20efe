import { format as d3Format } from 'd3-format';
import { FRAME, INK, LABEL, TITLE, width } from './look.js';
import { dashOf, symbolSvg } from './marks.js';
import type { Legend, Shape } from './model.js';
import { esc, px } from './text.js';

const ENTRY = 16;
/** A legend symbol's size in square pixels (vega's default, 100, looked large beside 11 px labels). */
const LEGEND_SYMBOL = 80;
const GRADIENT = { width: 16, length: 120 };

/** The legends stacked top to bottom: their SVG, and the room they take. */
export function legendsSvg(
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
    out.push(
      `<g transform="translate(0,${px(y)})" role="graphics-object" aria-roledescription="legend" aria-label="${esc(legendLabel(l))}">${g.join('')}</g>`,
    );
    y += h;
  });
  return { svg: out.join(''), width: Math.ceil(w), height: y };
}

/** A legend as a screen reader hears it: "Symbol legend titled 'parameterization' for 3 values: full, tril, log-cholesky" (vega's wording). */
function legendLabel(l: Legend): string {
  const titled = l.title ? ` titled '${l.title}'` : '';
  if (l.type === 'gradient') {
    const format = d3Format(l.format);
    return `Gradient legend${titled} with values from ${format(0)} to ${format(1)}`;
  }
  return `Symbol legend${titled} for ${l.entries.length} value${l.entries.length === 1 ? '' : 's'}: ${l.entries.map((e) => e.label).join(', ')}`;
}

function entrySymbol(symbol: Shape | 'stroke', color: string, cy: number, dash?: number[]): string {
  if (symbol === 'stroke')
    return `<path d="M0,${px(cy)}H${ENTRY}" stroke="${color}" stroke-width="2.5"${dashOf(dash)}/>`;
  return symbolSvg(symbol, LEGEND_SYMBOL, ENTRY / 2, cy, ` fill="${color}"`);
}
