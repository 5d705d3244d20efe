import { describe, expect, it } from 'vitest';
import { expectFirst, expectProblem, MINIMAL, yaml } from './helpers.js';

describe('schema problems, one line per ajv error at the offending node', () => {
  it('reports a wrong type with what was expected and received', () => {
    expectFirst(
      yaml(...MINIMAL, 'dim: two'),
      4,
      6,
      /"dim" must be an integer >= 1 and <= 256, received "two"$/,
    );
  });

  it('suggests the closest top-level key for a typo', () => {
    expectFirst(
      yaml(...MINIMAL, 'descripton: x'),
      4,
      1,
      /unknown key "descripton" at the top level; did you mean "description"\?$/,
    );
  });

  it('rejects an unknown task option, listing the valid ones or the closest', () => {
    expectFirst(
      yaml(...MINIMAL, '  learning_rate: 3'),
      4,
      3,
      /unknown key "learning_rate" for task "mvn-classifier"; valid keys: name, units, .*init_cov_scale, init_raw_scale$/,
    );
    expectFirst(
      yaml(...MINIMAL, '  epoch: 3'),
      4,
      3,
      /unknown key "epoch" for task "mvn-classifier"; did you mean "epochs"\?$/,
    );
  });

  it('says where a setting in the wrong place belongs', () => {
    expectFirst(
      yaml(...MINIMAL, '  lr: {cov: 1}'),
      4,
      3,
      /"lr" is a top-level setting; move it out of "task"$/,
    );
    expectFirst(yaml(...MINIMAL, 'epochs: 3'), 4, 1, /"epochs" is a task option; move it under "task"$/);
    expectFirst(
      yaml(...MINIMAL, 'lr.cov: 0.1'),
      4,
      1,
      /dotted paths are for sweep keys; nest it as lr: \{cov: ...\}$/,
    );
  });

  it('lists the valid task names for an unknown one', () => {
    expectFirst(
      yaml('name: t', 'task:', '  name: mvn'),
      3,
      9,
      /"task.name" must be one of "mvn-classifier", "score-matching" or "mle", received "mvn"$/,
    );
  });

  it('rejects a learning rate < 0 (0 freezes the group), quoting the number as written', () => {
    expectFirst(
      yaml(...MINIMAL, 'lr:', '  cov: -1e-3'),
      5,
      8,
      /"lr.cov" must be a number >= 0, received -1e-3$/,
    );
  });

  it('rejects a name that would leave runs/', () => {
    expectFirst(
      yaml('name: ../x', 'task: {name: mvn-classifier}'),
      1,
      7,
      /"name" must be up to 64 lowercase letters, .* received "..\/x"$/,
    );
  });

  it('reports missing required keys at the map that lacks them', () => {
    const error = expectFirst(
      yaml('task:', '  epochs: 3'),
      1,
      1,
      /missing required key "name" at the top level; add it \(Experiment name/,
    );
    expect(error.problems[1]).toMatch(
      /:2:3: missing required key "name" in "task"; add it \(one of "mvn-classifier", "score-matching" or "mle"\)$/,
    );
  });

  it('rejects values out of range and of the wrong kind', () => {
    expectFirst(
      yaml(...MINIMAL, 'optimizer: {momentum: 1}'),
      4,
      23,
      /"optimizer.momentum" must be a number >= 0 and < 1, received 1$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'thresholds: {max_condition: 1}'),
      4,
      29,
      /must be a number > 1, received 1$/,
    );
    expectFirst(
      yaml(...MINIMAL, 'parameterization: chol'),
      4,
      19,
      /must be one of "full", "full-jitter", "tril", .*, "givens", "spd-riemannian" or "full-clip", received "chol"$/,
    );
    expectFirst(yaml(...MINIMAL, 'lr: 0.1'), 4, 5, /"lr" must be a map, received 0.1$/);
    expectFirst(
      yaml(...MINIMAL, 'sweep:'),
      4,
      7,
      /"sweep" must be a map, received nothing; fill it in or remove the key$/,
    );
    expectFirst('- a\n', 1, 1, /the experiment must be a map, received a list$/);
    expectProblem(
      yaml(...MINIMAL, '  means: [[0, 0]]'),
      4,
      10,
      /"task.means" must have at least 2 items, received 1/,
    );
  });
});
