import type { Outcome } from '../../types.js';

/** Fixed colours per outcome, so every plot and table reads the same way. */
export const OUTCOME_COLORS: Record<Outcome, string> = {
  ok: '#3b8f5a',
  singular: '#c8414b',
  diverged: '#e39a2d',
  error: '#7b4ea3',
  timeout: '#7f7f7f',
};

/** Tableau 10: categorical colours that stay apart for colour-blind readers. */
export const CATEGORICAL = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/**
 * Okabe and Ito's palette, for lines told apart by colour alone (one per parameterization): hues
 * that stay distinct under every common colour-vision deficiency, in an order that puts the most
 * different ones first (blue, orange, green, reddish purple, ...; no red beside orange).
 */
const LINE_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];

/** Each parameterization's line colour, in the sweep's order: the same hue for it in every plot. */
export function parameterizationColors(params: readonly string[]): Map<string, string> {
  return new Map(params.map((p, i) => [p, LINE_COLORS[i % LINE_COLORS.length]]));
}

/** Tableau 20, for more series than CATEGORICAL has colours. */
export const CATEGORICAL_20 = [
  '#4e79a7',
  '#a0cbe8',
  '#f28e2b',
  '#ffbe7d',
  '#59a14f',
  '#8cd17d',
  '#b6992d',
  '#f1ce63',
  '#499894',
  '#86bcb6',
  '#e15759',
  '#ff9d9a',
  '#79706e',
  '#bab0ac',
  '#d37295',
  '#fabfd2',
  '#b07aa1',
  '#d4a6c8',
  '#9d7660',
  '#d7b5a6',
];

/** ColorBrewer's Dark2, for a few lines of equal standing (a covariance's units). */
export const DARK2 = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];

/**
 * The stability map's failure rate from 0 to 1, light to dark: vega's "orangeRed" ramp (ColorBrewer's
 * OrRd from its second-lightest shade), which the map was drawn with before.
 */
export const ORANGE_RED = [
  '#fddcaf',
  '#fdcf9b',
  '#fdc18a',
  '#fdad77',
  '#fb9562',
  '#f67d53',
  '#ee6545',
  '#e24932',
  '#d32d1e',
  '#bf130d',
  '#a70403',
];

/** The colour at `t` (0..1) along `ramp`, interpolated in RGB between its stops. */
export function rampColor(ramp: readonly string[], t: number): string {
  const at = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (ramp.length - 1);
  const i = Math.min(ramp.length - 2, Math.floor(at));
  const f = at - i;
  const rgb = (c: string) => [1, 3, 5].map((k) => Number.parseInt(c.slice(k, k + 2), 16));
  const [a, b] = [rgb(ramp[i]), rgb(ramp[i + 1])];
  return `#${a
    .map((v, k) =>
      Math.round(v + (b[k] - v) * f)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}
