import { helveticaWidth } from '../text-width.js';

/** Fonts whose widths text-width.ts knows (metric-compatible with each other); the page uses them too. */
export const FONT = 'Helvetica, Arial, "Liberation Sans", sans-serif';

// One look for every plot, as the Vega-Lite config had it: quiet axes, a light frame, no bold.
export const LABEL = 11;
export const TITLE = 12;
export const HEADER = 12;
export const NOTE = 13;
export const GRID = '#eee';
export const DOMAIN = '#999';
export const FRAME = '#ddd';
export const INK = '#222';

/** Width in pixels of `text` in the plots' font at `size` px. */
export const width = (text: string, size: number, bold = false) => helveticaWidth(text, size, bold);
