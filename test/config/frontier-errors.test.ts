import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { expectFirst, MINIMAL, writeExperiment, yaml } from './helpers.js';

const FRONTIER = 'frontier: { setting: lr.cov, min: 1.0e-6, max: 1, precision: 1.05 }';

describe('the frontier key', () => {
  it('loads with points defaulting to 4', () => {
    const e = loadExperiment(writeExperiment(yaml(...MINIMAL, 'sweep:', '  seed: 3', FRONTIER)));
    expect(e.frontier).toEqual({ setting: 'lr.cov', min: 1e-6, max: 1, precision: 1.05, points: 4 });
  });

  it('rejects a setting that is also swept, at the sweep key', () => {
    expectFirst(
      yaml(...MINIMAL, 'sweep:', '  lr.cov: [0.1, 1]', FRONTIER),
      5,
      3,
      /"lr.cov" is both swept and the frontier's setting; the search chooses its values itself: remove "lr.cov" from sweep$/,
    );
  });

  it('rejects settings that are not positive reals, and suggests a spelling', () => {
    expectFirst(
      yaml(...MINIMAL, 'frontier: { setting: dim, min: 1, max: 8, precision: 1.1 }'),
      4,
      22,
      /frontier.setting "dim" cannot be searched: it is an integer >= 1 and <= 256, and a frontier searches a real number in log space; use one of .*"lr.cov"/,
    );
    expectFirst(
      yaml(...MINIMAL, 'frontier: { setting: lr.cvo, min: 1, max: 8, precision: 1.1 }'),
      4,
      22,
      /frontier.setting "lr.cvo" cannot be searched: no such setting; did you mean "lr.cov"\?$/,
    );
  });

  it('rejects bounds the setting does not admit, and min >= max', () => {
    expectFirst(
      yaml(...MINIMAL, 'frontier: { setting: optimizer.momentum, min: 0.1, max: 2, precision: 1.1 }'),
      4,
      57,
      /frontier.max is 2, but "optimizer.momentum" must be a number >= 0 and < 1; change the bound$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'frontier: { setting: lr.cov, min: 0.1, max: 0.01, precision: 1.1 }'),
      4,
      45,
      /frontier.max \(0.01\) must be larger than frontier.min \(0.1\); swap or widen the bounds$/,
    );
  });

  it('rejects by schema: a precision <= 1, one point a round, a missing key, a bound <= 0', () => {
    expectFirst(
      yaml(...MINIMAL, 'frontier: { setting: lr.cov, min: 0.1, max: 1, precision: 1 }'),
      4,
      59,
      /"frontier.precision" must be a number > 1, received 1/,
    );
    expectFirst(
      yaml(...MINIMAL, 'frontier: { setting: lr.cov, min: 0.1, max: 1, precision: 1.1, points: 1 }'),
      4,
      72,
      /"frontier.points" must be an integer >= 2 and <= 64, received 1/,
    );
    expectFirst(
      yaml(...MINIMAL, 'frontier: { setting: lr.cov, min: 0.1, max: 1 }'),
      4,
      11,
      /missing required key "precision" in "frontier"/,
    );
    expectFirst(
      yaml(...MINIMAL, 'frontier: { setting: lr.cov, min: 0, max: 1, precision: 1.1 }'),
      4,
      35,
      /"frontier.min" must be a number > 0, received 0/,
    );
  });
});
