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

/** The colour encoding of plots with one line per parameterization: the sweep's order, the same hue for a parameterization in every plot. */
export function parameterizationColors(params: readonly string[]) {
  return {
    field: 'parameterization',
    type: 'nominal',
    sort: [...params],
    scale: { domain: [...params], range: LINE_COLORS },
  } as const;
}
