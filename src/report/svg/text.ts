/** Text made safe for HTML and SVG (XML) content and attribute values: the page's and its plots'. */
export const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Farther than any pixel of a plot: clipped values (a learned ellipse gone far) stay plain numbers. */
const FAR = 1e6;

/**
 * A coordinate as the SVG writes it: to hundredths of a pixel (finer than any screen shows, and
 * the same digits from the same input on every machine), without "-0".
 */
export function px(v: number): string {
  const r = Math.round(Math.min(FAR, Math.max(-FAR, v)) * 100) / 100;
  return String(r === 0 ? 0 : r);
}
