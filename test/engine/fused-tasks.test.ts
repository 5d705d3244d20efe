import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { parameterizations } from '../../src/engine/parameterizations/index.js';
import { logCholesky } from '../../src/engine/parameterizations/log-cholesky.js';
import type { Parameterization } from '../../src/engine/parameterizations/types.js';
import { task } from '../../src/engine/tasks/index.js';
import type { RunConfig } from '../../src/types.js';
import { BACKENDS, useBackend } from './backend.js';
import { classifierConfig, mleConfig, scoreMatchingConfig } from './configs.js';
import { expectFusedMatchesPlain, uniform } from './fused.js';

/** A task's per-lane loss at its initial parameters moved by seeded noise, as a function of the parameters. */
function taskLoss(configs: RunConfig[], p: Parameterization, step: number) {
  const t = task(configs[0].task.name).create(configs, p);
  const B = configs.length;
  const inputs = t.params.map((g, i) => {
    const noise = uniform(`noise${i}`, g.init.length, -0.05, 0.05);
    return tf.tensor(
      g.init.map((x, k) => x + noise[k]),
      [B, ...g.shape],
    );
  });
  return { f: (...ps: tf.Tensor[]) => t.loss(step, ps).loss, inputs, t };
}

describe.each(BACKENDS)('fused task losses match their plain form on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  // Every registered parameterization, and one read as a precision factor (the other branch of the fused ops).
  const cases: Parameterization[] = [
    ...parameterizations.values(),
    { ...logCholesky, name: 'log-cholesky as a precision factor', factorOf: 'precision' },
  ];
  describe.each(cases.map((p) => [p.name, p] as const))('%s', (name, p) => {
    it('mvn-classifier, 2 units in 2-D and 3 units in 4-D, one trial and minibatches of log p: the whole loss and its gradients', () => {
      for (const [units, dim, options] of [
        [2, 2, {}],
        [3, 4, {}],
        [2, 2, { batch_size: 4, activation: 'log_prob' }],
        [3, 4, { batch_size: 4 }],
      ] as const) {
        const configs = [0, 1, 2].map((seed) => {
          const c = classifierConfig({ parameterization: name, seed, epochs: 1 });
          return { ...c, dim, task: { ...c.task, units, n_per_class: 5, ...options } };
        });
        const { f, inputs, t } = taskLoss(configs, p, 3);
        // W = 0 at the start would zero every other gradient.
        inputs[2].dispose();
        inputs[2] = tf.tensor(uniform('w', inputs[2].size, -3, 3), inputs[2].shape);
        expectFusedMatchesPlain(f, inputs);
        t.dispose();
      }
    });

    it.each([2, 5, 16])('score-matching in %i-D: the whole loss and its gradients', (dim) => {
      const configs = [0, 1].map((seed) => ({
        ...scoreMatchingConfig({ parameterization: name, seed }),
        dim,
      }));
      const { f, inputs, t } = taskLoss(configs, p, 0);
      expectFusedMatchesPlain(f, inputs, { tolerance: 1e-4 });
      t.dispose();
    });

    it.each([2, 5, 16])(
      'mle in %i-D, full batch and a minibatch: the whole loss and its gradients',
      (dim) => {
        for (const batch_size of [undefined, 7]) {
          const configs = [0, 1].map((seed) => {
            const c = mleConfig({ parameterization: name, seed, dim });
            return { ...c, task: { ...c.task, ...(batch_size ? { batch_size } : {}) } };
          });
          const { f, inputs, t } = taskLoss(configs, p, 3);
          expectFusedMatchesPlain(f, inputs, { tolerance: 1e-4 });
          t.dispose();
        }
      },
    );
  });
});
