import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/config/load.js';
import { buildSchema, schemaText } from '../../src/config/schema.js';
import type { Catalog } from '../../src/engine/catalog.js';
import { defaultCatalog } from '../../src/engine/registry.js';
import { CovsweepError } from '../../src/ground/errors.js';
import { yaml } from './helpers.js';

const committed = fileURLToPath(new URL('../../schema/experiment.schema.json', import.meta.url));

describe('the experiment schema', () => {
  it('is committed as built (run `npm run schema` after changing it)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(schemaText(defaultCatalog));
  });

  it('compiles under ajv strict mode and names the catalog entries', () => {
    const schema = buildSchema(defaultCatalog);
    new Ajv({ strict: true, allowUnionTypes: true }).compile(schema);
    expect(schema.properties?.parameterization?.enum).toEqual([
      'full',
      'full-jitter',
      'tril',
      'log-cholesky',
      'softplus-cholesky',
      'precision-cholesky',
      'diag',
      'lowrank',
      'matrix-exp',
      'spherical',
      'givens',
      'spd-riemannian',
      'full-clip',
    ]);
    expect(schema.properties?.task?.properties?.name?.enum).toEqual([
      'mvn-classifier',
      'score-matching',
      'mle',
    ]);
  });

  it('takes tasks and parameterizations from the catalog, not from code', () => {
    const catalog: Catalog = {
      tasks: [
        {
          name: 'toy',
          options: { steps: { type: 'integer', minimum: 1, description: 'Steps.' } },
          defaults: { steps: 3 },
          lr: { cov: 0.5, mean: 0.5, weights: 0.5 },
          momentum: 0.1,
        },
      ],
      optimizers: defaultCatalog.optimizers,
      parameterizations: ['diag', 'full'],
    };
    const experiment = parseExperiment(
      yaml('name: t', 'task: {name: toy}', 'sweep: {task.steps: [1, 2]}'),
      't.yaml',
      catalog,
    );
    expect(experiment.base.task).toEqual({ name: 'toy', steps: 3 });
    expect(experiment.base.parameterization).toBe('diag');
    expect(experiment.base.optimizer).toEqual({ name: 'sgd', momentum: 0.1, nesterov: false });
    expect(() => parseExperiment(yaml('name: t', 'task: {name: mvn-classifier}'), 't.yaml', catalog)).toThrow(
      CovsweepError,
    );
  });
});
