import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { expand } from '../../src/plan/expand.js';
import { shapeKey } from '../../src/plan/pack.js';
import { expectFirst, MINIMAL, writeExperiment, yaml } from './helpers.js';

describe('parameterization options', () => {
  it('keeps the options the file sets, and none when it sets none (the engine takes the defaults)', () => {
    const set = loadExperiment(
      writeExperiment(yaml(...MINIMAL, 'parameterization: lowrank', 'parameterization_options: {rank: 2}')),
    );
    expect(set.base.parameterization_options).toEqual({ rank: 2 });
    // Absent, not {}: adding options to covsweep must not change the ids of runs that set none.
    const none = loadExperiment(writeExperiment(yaml(...MINIMAL)));
    expect(Object.hasOwn(none.base, 'parameterization_options')).toBe(false);
  });

  it('sweeps a scalar option into runs with their own ids and shape keys', () => {
    const e = loadExperiment(
      writeExperiment(
        yaml(...MINIMAL, 'parameterization: lowrank', 'sweep:', '  parameterization_options.rank: [1, 3]'),
      ),
    );
    const runs = [...expand(e)];
    expect(runs.map((r) => r.config.parameterization_options?.rank)).toEqual([1, 3]);
    expect(new Set(runs.map((r) => r.id)).size).toBe(2);
    expect(new Set(runs.map((r) => shapeKey(r.config))).size).toBe(2);
  });

  it('names an unknown option with a suggestion, and a bad value with what is allowed', () => {
    expectFirst(
      yaml(...MINIMAL, 'parameterization_options: {rnak: 2}'),
      4,
      28,
      /unknown key "rnak" in "parameterization_options"; did you mean "rank"\?$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'parameterization_options: {rank: 0}'),
      4,
      34,
      /"parameterization_options.rank" must be an integer >= 1, received 0$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'parameterization_options: {jitter: [1.0e-6, -1]}'),
      4,
      45,
      /"parameterization_options.jitter\[1\]" must be a number > 0, received -1$/,
    );
  });
});
