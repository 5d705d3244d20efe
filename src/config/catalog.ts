import type { LearningRates } from '../types.js';
import type { JsonSchema } from './settings.js';

/** A task as experiment files see it: its options, and the defaults of a run of it. */
export interface CatalogTask {
  name: string;
  /** JSON Schema of each option of the `task` map besides `name`. */
  options: Record<string, JsonSchema>;
  /** Default of each option that has one; an option with none is left out of the run config when not given. */
  defaults: Record<string, unknown>;
  /** Learning rates when the file gives none. */
  lr: LearningRates;
  /** SGD momentum when the file gives none. */
  momentum: number;
  /**
   * For list-valued options, the setting that gives the length at each depth: `means: ['task.units',
   * 'dim']` is `units` lists of `dim` numbers. The schema cannot say this, as the lengths are settings.
   */
  shapes?: Record<string, string[]>;
}

/**
 * What the experiment schema may name: the tasks and parameterizations that exist. Plain data, so
 * the engine's registries can supply it instead of this module.
 */
export interface Catalog {
  tasks: CatalogTask[];
  /** Covariance parameterization names; the first is the default. */
  parameterizations: string[];
}

const vectors = (what: string): JsonSchema => ({
  type: 'array',
  description: `${what}: \`units\` lists of \`dim\` numbers.`,
  minItems: 2,
  items: { type: 'array', minItems: 1, items: { type: 'number' } },
});

export const defaultCatalog: Catalog = {
  tasks: [
    {
      name: 'mvn-classifier',
      options: {
        units: { type: 'integer', minimum: 2, description: 'Number of categories, one Gaussian each.' },
        n_per_class: { type: 'integer', minimum: 1, description: 'Training points drawn per category.' },
        epochs: { type: 'integer', minimum: 1, description: 'Passes over the training data.' },
        shuffle: { type: 'boolean', description: 'Reshuffle the training data every epoch.' },
        means: vectors('True category means (drawn from the seed when absent)'),
        covariances: {
          type: 'array',
          description:
            'True category covariances: `units` dim x dim positive-definite matrices (drawn from the seed when absent).',
          minItems: 2,
          items: {
            type: 'array',
            minItems: 1,
            items: { type: 'array', minItems: 1, items: { type: 'number' } },
          },
        },
        init_means: vectors('Initial model means (drawn from the seed when absent)'),
        init_cov_scale: {
          type: 'number',
          exclusiveMinimum: 0,
          description: 'Initial model covariances are this multiple of the identity.',
        },
      },
      defaults: { units: 2, n_per_class: 200, epochs: 5, shuffle: true, init_cov_scale: 0.02 },
      lr: { cov: 1e-4, mean: 0.002, weights: 0.1 },
      momentum: 0.3,
      shapes: {
        means: ['task.units', 'dim'],
        covariances: ['task.units', 'dim', 'dim'],
        init_means: ['task.units', 'dim'],
      },
    },
    {
      name: 'score-matching',
      options: {
        n_data: { type: 'integer', minimum: 1, description: 'Data points drawn from the true Gaussian.' },
        iterations: { type: 'integer', minimum: 1, description: 'Gradient steps.' },
      },
      defaults: { n_data: 50, iterations: 4000 },
      lr: { cov: 1e-3, mean: 1e-3, weights: 1e-3 },
      momentum: 0,
    },
  ],
  parameterizations: ['full', 'tril', 'log-cholesky'],
};
