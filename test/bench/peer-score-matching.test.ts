import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { ENGINES, useBackend } from '../engine/backend.js';
import { covsweepLanes, expectPeerClose, GOLDEN } from './peer-fixture.js';

/**
 * The score-matching peer (python/peers/torch_score_matching.py) computes what covsweep computes,
 * in every parameterization: its own `train`, run on fixed data by
 * test/golden/peer_score_matching.py (which wrote the fixture, with torch; the test needs none),
 * against covsweep's trajectories of the same runs on every engine (tolerance: peer-fixture.ts).
 */

interface Trajectory {
  losses: number[][];
  mean: number[][];
  raw: number[][];
}
interface PeerCase {
  data: string;
  dim: number;
  parameterization: string;
  lrs: number[];
  steps: number;
  float32: Trajectory;
  float64: Trajectory;
}
const fixture = JSON.parse(readFileSync(join(GOLDEN, 'peer-score-matching.json'), 'utf8')) as {
  cases: PeerCase[];
};

/** covsweep's run of the case: its lanes as one batch, each step's losses and the last step's parameters. */
function covsweep(c: PeerCase): Trajectory {
  const experiments = c.lrs.map((lr) => ({
    task: { name: 'score-matching', data: c.data, iterations: c.steps },
    parameterization: c.parameterization,
    dim: c.dim,
    optimizer: { name: 'sgd', momentum: 0, nesterov: false },
    lr: { cov: lr, mean: lr, weights: lr },
  }));
  return covsweepLanes(experiments, c.steps, ['mean', 'raw'] as const);
}

describe.each(ENGINES)('%s: the score-matching peer and covsweep train the same runs', (engine) => {
  it.each(fixture.cases.map((c) => [`${c.parameterization} d=${c.dim}`, c] as const))('%s', async (_, c) => {
    await useBackend(engine);
    const ours = covsweep(c);
    const { float32: peer, float64: shadow } = c;
    expectPeerClose([
      ['losses', ours.losses.flat(), peer.losses.flat(), shadow.losses.flat()],
      ['mean', ours.mean.flat(), peer.mean.flat(), shadow.mean.flat()],
      ['raw', ours.raw.flat(), peer.raw.flat(), shadow.raw.flat()],
    ]);
  });
});
