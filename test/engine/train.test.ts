import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/engine/backend.js';
import { LaneTrainer, trainBatch } from '../../src/engine/train/train.js';
import { batchOf, classifierConfig, scoreMatchingConfig } from './configs.js';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('mvn-classifier reproduces seed 000', () => {
  it('full fails with a Cholesky error at cov lr 1e-3 for (nearly) every seed; tril and log-cholesky survive', () => {
    // PyTorch fails 10/10 seeds here; covsweep's engine, on its own seeds' data, 9 of these 10.
    const seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const configs = ['full', 'tril', 'log-cholesky'].flatMap((p) =>
      seeds.map((seed) => classifierConfig({ parameterization: p, lr: 1e-3, seed })),
    );
    // One batch per parameterization, as the planner would pack them.
    const results = ['full', 'tril', 'log-cholesky'].flatMap((p) =>
      trainBatch(batchOf(configs.filter((c) => c.parameterization === p))),
    );
    const full = results.filter((r) => r.config.parameterization === 'full');
    const failed = full.filter((r) => r.outcome === 'singular');
    expect(failed.length).toBeGreaterThanOrEqual(9);
    for (const r of failed)
      if (r.outcome === 'singular')
        expect(r.reason).toMatch(/^cholesky failed for unit \d at step \d+: pivot \d = /);
    const others = results.filter((r) => r.config.parameterization !== 'full');
    expect(others.every((r) => r.outcome === 'ok')).toBe(true);
    // Learning worked: the categories are separated. (Not in every run: a unit
    // whose exp(log_prob) underflows stops learning, the float32 hazard a run
    // can end `ok` with at chance accuracy.)
    const accuracy = others.map((r) => r.metrics.accuracy).sort((a, b) => a - b);
    expect(accuracy[Math.floor(accuracy.length / 2)]).toBeGreaterThan(0.95);
  });
});

describe('score-matching', () => {
  it('lands on the closed-form optimum (sample mean, 1/N sample covariance) to float32 precision', () => {
    // Seeds 2 and 5 have well-conditioned sample covariances (eigenvalues 0.79/0.46
    // and 0.32/0.055); lr 5e-3 (seed 5 converges there; at 1e-2 it stalls at an
    // error of 0.1) instead of seed 001's 1e-3, so that 3000 iterations suffice
    // instead of 20 000: both runs sit on their float32 fixed point, bit for bit,
    // from about step 2000.
    // Float32 gradient descent stalls once lr * gradient is below half an ulp of
    // the parameter: |mu| ~ 0.5 has ulp 6e-8, so with lr 5e-3 and curvature
    // ~1.6 the error floor is ~3e-8 / (5e-3 * 1.6) = 4e-6. That floor is the
    // float32 precision of this optimiser; the bound below allows 2.5x of it.
    const results = trainBatch(
      batchOf([2, 5].map((seed) => scoreMatchingConfig({ seed, lr: 5e-3, iterations: 3000 }))),
    );
    for (const r of results) {
      expect(r.outcome).toBe('ok');
      expect(r.metrics.opt_mean_error).toBeLessThan(1e-5);
      expect(r.metrics.opt_cov_error).toBeLessThan(1e-5);
    }
  });
});

describe('lanes', () => {
  it('a lane gives the same bits alone and inside a mixed batch', () => {
    const configs = [
      classifierConfig({ parameterization: 'full', lr: 1e-3, seed: 7, epochs: 1 }),
      classifierConfig({ parameterization: 'full', lr: 1e-4, seed: 8, epochs: 1 }),
      classifierConfig({ parameterization: 'full', lr: 3e-2, seed: 9, epochs: 1 }),
    ];
    const together = trainBatch(batchOf(configs));
    const alone = configs.map((c) => trainBatch(batchOf([c]))[0]);
    const strip = (r: (typeof together)[number]) => ({ ...r, id: '', seconds: 0 });
    expect(together.map(strip)).toEqual(alone.map(strip));
    // The batch really held different endings, so this compares failed and healthy lanes.
    expect(new Set(together.map((r) => r.outcome)).size).toBeGreaterThan(1);
  });

  it('records a learning curve of about 50 points, up to where a run stopped, and 2-D Gaussians', () => {
    const [ok, failed] = trainBatch(
      batchOf([
        classifierConfig({ parameterization: 'tril', lr: 1e-4, seed: 1, epochs: 1 }),
        classifierConfig({ parameterization: 'tril', lr: 3, seed: 1, epochs: 1 }),
      ]),
    );
    // 400 steps, every ceil(400 / 50) = 8 steps from step 0.
    expect(ok.curve).toHaveLength(50);
    // The first step sees W = 0: uniform outputs, cross-entropy log 2.
    expect(ok.curve[0]).toBeCloseTo(Math.log(2), 6);
    expect(failed.outcome).toBe('singular');
    expect(failed.curve.length).toBe(Math.ceil(failed.step / 8));
    expect(ok.gaussians?.truth.means).toEqual([
      [-0.5, 0.25],
      [-0.25, -0.6],
    ]);
    expect(ok.gaussians?.learned.covariances).toHaveLength(2);
  });

  it.each([
    [
      'score-matching',
      [[scoreMatchingConfig({ iterations: 2000 }), scoreMatchingConfig({ seed: 1, iterations: 2000 })]],
    ],
    [
      'mvn-classifier',
      [
        [classifierConfig({ parameterization: 'full', lr: 1e-5 })],
        [classifierConfig({ parameterization: 'log-cholesky' })],
      ],
    ],
  ])('%s: the tensor count stays flat over a long run and returns to where it was', (_name, batches) => {
    for (const configs of batches) {
      const warm = new LaneTrainer(batchOf(configs)); // makes the constant masks, kept for good
      warm.advance();
      warm.dispose();
      const before = tf.memory().numTensors;
      const trainer = new LaneTrainer(batchOf(configs));
      for (let i = 0; i < 20; i++) trainer.advance();
      const early = tf.memory().numTensors;
      while (!trainer.done) trainer.advance();
      expect(trainer.step).toBe(2000);
      expect(tf.memory().numTensors).toBe(early);
      trainer.finish();
      trainer.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
