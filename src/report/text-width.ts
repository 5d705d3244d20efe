/**
 * Text widths for laying out plots without a browser (svg/draw.ts: the room for tick labels,
 * headers, legends). Node has no canvas to measure with, and a guess per character (0.8 em)
 * overestimates sans-serif text by about a third. The plots name Helvetica, Arial or Liberation
 * Sans, which share these advance widths (1/1000 em).
 */

// Printable ASCII, U+0020..U+007E, from Adobe's Core 14 AFM for Helvetica (' is quotesingle, ` grave).
const ASCII = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556,
  556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
  500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
  556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
  278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** The few other characters the plots print (d3's minus sign, separators). */
const OTHER: Record<string, number> = { '·': 278, '−': 584, '–': 556, '—': 1000, '…': 1000, '×': 584 };

/** Anything else: a digit's width, the most common in plots. */
const DEFAULT = 556;

/** Helvetica Bold is about 7% wider than the regular weight over these characters. */
const BOLD = 1.07;

/** Width in pixels of `text` set in Helvetica at `fontSize` px. */
export function helveticaWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? ASCII[code - 32] : (OTHER[ch] ?? DEFAULT);
  }
  return (units / 1000) * fontSize * (bold ? BOLD : 1);
}
