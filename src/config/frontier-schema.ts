import type { JsonSchema } from '../ground/json-schema.js';
import { object } from './settings.js';

export const DEFAULT_POINTS = 4;

/** Most values a round may test per search: more is a grid, not a search. */
const MAX_POINTS = 64;

/** The `frontier` key's schema; which settings it may search is checked in `resolveFrontier`. */
export function frontierSchema(): JsonSchema {
  const bound = (which: string): JsonSchema => ({
    type: 'number',
    exclusiveMinimum: 0,
    description: `${which} value to search, > 0 (the search is in log space).`,
  });
  return {
    ...object(
      'Search, for every run of the sweep (seeds included), for the largest value of one setting that ends ok below the smallest that fails.',
      {
        setting: {
          type: 'string',
          description:
            'Dotted path of the setting to search (a positive real one, such as lr.cov); not swept.',
        },
        min: bound('Smallest'),
        max: bound('Largest'),
        precision: {
          type: 'number',
          exclusiveMinimum: 1,
          description: 'Stop when failed / ok <= this ratio (1.05: within 5%).',
        },
        points: {
          type: 'integer',
          minimum: 2,
          maximum: MAX_POINTS,
          default: DEFAULT_POINTS,
          description:
            'Values each search tests per round, as lanes of one batch: the first round spans min..max, each later one cuts the bracket into points + 1 log-even parts.',
        },
      },
    ),
    required: ['setting', 'min', 'max', 'precision'],
  };
}
