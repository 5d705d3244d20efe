import { describe, expect, it } from 'vitest';
import { expectFirst, expectProblem, MINIMAL, yaml } from './helpers.js';

describe('YAML-level problems', () => {
  it('reports a syntax error at its position', () => {
    expectFirst(
      yaml('name: t', 'task: {name: mvn-classifier', 'dim: 2'),
      3,
      1,
      /invalid YAML: Flow map .*; fix the syntax here$/,
    );
  });

  it('reports a syntax error rather than the repeats it makes', () => {
    const error = expectFirst(
      yaml('name: t', 'task:', '\tname: mvn-classifier'),
      3,
      1,
      /Tabs are not allowed as indentation/,
    );
    expect(error.problems).toHaveLength(1);
  });

  it('rejects a duplicate key, naming it', () => {
    expectFirst(
      yaml(...MINIMAL, '  epochs: 3', '  epochs: 4'),
      5,
      3,
      /duplicate key "epochs"; keep one of them$/,
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects the reserved key %s anywhere', (key) => {
    expectFirst(
      yaml(...MINIMAL, 'lr:', `  ${key}: {cov: 1}`),
      5,
      3,
      new RegExp(`key "${key}" is reserved; rename or remove it$`),
    );
  });

  it('rejects non-string keys', () => {
    const error = expectFirst(
      yaml(...MINIMAL, '1: x', '[a]: b'),
      4,
      1,
      /key 1 is not a string; keys must be setting names$/,
    );
    expect(error.problems[1]).toMatch(/:5:1: key \[a\] is not a string/);
  });

  it('rejects an alias bomb quickly', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, name] of [...'bcdefghi'].entries()) {
      const prev = 'abcdefghi'[i];
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const start = performance.now();
    expectFirst(yaml(...levels), 2, 8, /aliases expand to too many values \(more than 100\)/);
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('rejects an alias without its anchor', () => {
    expectFirst(yaml(...MINIMAL, 'dim: *two'), 4, 6, /alias \*two has no anchor &two before it/);
  });

  it('rejects unknown tags, an incomplete second document and empty files', () => {
    expectFirst(
      yaml('name: !shout t', 'task: {name: mvn-classifier}'),
      1,
      7,
      /unknown YAML tag !shout; remove it$/,
    );
    expectProblem(yaml(...MINIMAL, '---', 'name: u'), 5, 1, /missing required key "task"/);
    expectFirst('# nothing yet\n', 1, 1, /the experiment file is empty; give at least "name" and "task"$/);
  });

  it('collects every problem, in file order, the first as the message', () => {
    const error = expectFirst(
      yaml('name: t', '__proto__: 1', 'task:', '  name: mvn-classifier', '  2: x'),
      2,
      1,
      /reserved/,
    );
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toBe(error.message);
  });
});
