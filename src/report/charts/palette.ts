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
