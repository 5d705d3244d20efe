import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { MINIMAL, writeExperiment, yaml } from './helpers.js';

const fixture = fileURLToPath(new URL('../fixtures/config/lr-sweep.yaml', import.meta.url));

describe('loadExperiment on a valid file', () => {
  it('resolves the full example', () => {
    const experiment = loadExperiment(fixture);
    expect(experiment.name).toBe('lr-sweep');
    expect(experiment.description).toBe("Seed 000's covariance learning rates");
    expect(experiment.file).toBe(fixture);
    expect(experiment.source).toBe(readFileSync(fixture, 'utf8'));
    expect(experiment.axes.map((a) => a.path)).toEqual([
      'parameterization',
      'lr.cov',
      'lr.mean',
      'dim',
      'seed',
      'task.n_per_class',
    ]);
    expect(experiment.summary).toEqual({
      rows: 'lr.cov',
      columns: 'parameterization',
      tables: [{ rows: 'lr.cov', columns: 'parameterization', value: 'failure_rate' }],
    });
  });

  it('expands generators to canonical numbers', () => {
    const axes = Object.fromEntries(loadExperiment(fixture).axes.map((a) => [a.path, a.values]));
    expect(axes['lr.cov']).toHaveLength(7);
    expect(axes['lr.cov']).toContain(0.001);
    expect(axes['lr.cov']).toContain(0.0001);
    expect(axes['lr.cov'][0]).toBe(1e-5);
    expect(axes['lr.cov'][6]).toBe(1e-2);
    expect(axes['lr.mean']).toEqual([0.001, 0.002, 0.003]);
    expect(axes.dim).toEqual([2, 4, 6, 8]);
    expect(axes.seed).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('fills every default of the base config, the task deciding its own', () => {
    const experiment = loadExperiment(writeExperiment(yaml(...MINIMAL)));
    expect(experiment.description).toBe('');
    expect(experiment.axes).toEqual([]);
    expect(experiment.summary).toEqual({
      rows: 'seed',
      columns: 'parameterization',
      tables: [{ rows: 'seed', columns: 'parameterization', value: 'failure_rate' }],
    });
    expect(experiment.base).toEqual({
      // Optional options without a default (means, covariances, init_means) are left out.
      task: {
        name: 'mvn-classifier',
        units: 2,
        n_per_class: 200,
        epochs: 5,
        shuffle: true,
        init_cov_scale: 0.02,
      },
      parameterization: 'full',
      dim: 2,
      seed: 0,
      optimizer: { name: 'sgd', momentum: 0.3, nesterov: false },
      lr: { cov: 1e-4, mean: 0.002, weights: 0.1 },
      thresholds: { divergence_bound: 1e8, max_condition: 8388608 },
      timeout: 0,
      record_every: 0,
    });
  });

  it('takes the defaults of the task named, and keeps what the file sets', () => {
    const experiment = loadExperiment(
      writeExperiment(
        yaml(
          'name: sm',
          'task: {name: score-matching, iterations: 10}',
          'lr: {mean: 0.5}',
          'optimizer: {nesterov: true}',
          'thresholds: {max_condition: 100}',
          'sweep:',
          '  seed: [1, 5, 9]',
          '  task.n_data: [50, 100]',
        ),
      ),
    );
    expect(experiment.base.task).toEqual({ name: 'score-matching', n_data: 50, iterations: 10 });
    expect(experiment.base.lr).toEqual({ cov: 1e-3, mean: 0.5, weights: 1e-3 });
    expect(experiment.base.optimizer).toEqual({ name: 'sgd', momentum: 0, nesterov: true });
    expect(experiment.base.thresholds).toEqual({ divergence_bound: 1e8, max_condition: 100 });
    expect(experiment.axes).toEqual([
      { path: 'seed', values: [1, 5, 9] },
      { path: 'task.n_data', values: [50, 100] },
    ]);
    // Rows default to the first swept setting that is not seed or parameterization.
    expect(experiment.summary.rows).toBe('task.n_data');
  });

  it('keeps list-valued task options as given', () => {
    const experiment = loadExperiment(
      writeExperiment(
        yaml(...MINIMAL, '  means: [[0, 0], [1, 1]]', '  covariances: [[[1, 0], [0, 1]], [[2, 0], [0, 2]]]'),
      ),
    );
    expect(experiment.base.task.means).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(experiment.base.task.covariances).toHaveLength(2);
  });

  it('resolves aliases within limits', () => {
    const experiment = loadExperiment(
      writeExperiment(
        yaml(
          ...MINIMAL,
          'lr: &rates {cov: 0.01, mean: 0.01}',
          'sweep:',
          '  parameterization: &p [full, tril]',
        ),
      ),
    );
    expect(experiment.base.lr.cov).toBe(0.01);
    expect(experiment.axes[0].values).toEqual(['full', 'tril']);
  });
});
