import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ENGINES, useBackend } from '../engine/backend.js';
import { covsweepLanes, expectPeerClose, GOLDEN } from './peer-fixture.js';

/**
 * The classifier peer (python/peers/torch_classifier.py) computes what covsweep computes, in every
 * parameterization: its own `train`, run on fixed data by test/golden/peer_classifier.py (which
 * wrote the fixture, with torch; the test needs none), against covsweep's trajectories of the same
 * runs on every engine (tolerance: peer-fixture.ts).
 */
const GROUPS = ['means', 'covariance', 'weights'] as const;

type Trajectory = { losses: number[][] } & Record<(typeof GROUPS)[number], number[][]>;
interface PeerCase {
  data: string;
  dim: number;
  parameterization: string;
  init_means: number[][];
  init_cov_scale: number;
  momentum: number;
  lrs: { weights: number; mean: number; cov: number }[];
  steps: number;
  float32: Trajectory;
  float64: Trajectory;
}
const fixture = JSON.parse(readFileSync(join(GOLDEN, 'peer-classifier.json'), 'utf8')) as {
  cases: PeerCase[];
};

/** covsweep's run of the case: its lanes as one batch, each step's losses and the last step's parameters. */
function covsweep(c: PeerCase): Trajectory {
  const experiments = c.lrs.map((lr) => ({
    task: {
      name: 'mvn-classifier',
      data: c.data,
      shuffle: false,
      epochs: 1,
      init_means: c.init_means,
      init_cov_scale: c.init_cov_scale,
    },
    parameterization: c.parameterization,
    dim: c.dim,
    optimizer: { name: 'sgd', momentum: c.momentum, nesterov: false },
    lr,
  }));
  return covsweepLanes(experiments, c.steps, GROUPS);
}

describe.each(ENGINES)('%s: the classifier peer and covsweep train the same runs', (engine) => {
  it.each(fixture.cases.map((c) => [`${c.parameterization} d=${c.dim}`, c] as const))('%s', async (_, c) => {
    await useBackend(engine);
    const ours = covsweep(c);
    const { float32: peer, float64: shadow } = c;
    expectPeerClose(
      (['losses', ...GROUPS] as const).map((name) => [
        name,
        ours[name].flat(),
        peer[name].flat(),
        shadow[name].flat(),
      ]),
    );
  });
});
