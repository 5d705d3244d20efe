import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteChanges } from '../../src/config/diff.js';
import { loadSuite, parseExperiment, parseSuite } from '../../src/config/load.js';
import { expand, runsOf, suiteRunCount } from '../../src/plan/expand.js';
import { ROOT } from '../cli/cli.js';
import { expectFirst, expectProblem, MINIMAL, writeExperiment, yaml } from './helpers.js';

const TWO = join(ROOT, 'test', 'fixtures', 'suite', 'two.yaml');

const ids = (runs: Iterable<{ id: string }>) => [...runs].map((r) => r.id);

describe('a file of several experiments (YAML documents)', () => {
  it('loads each document as an experiment of its own, the file named after itself', () => {
    const s = loadSuite(TWO);
    expect(s.name).toBe('two');
    expect(s.experiments.map((e) => e.name)).toEqual(['smoke', 'tiny-frontier']);
    const [smoke, tiny] = s.experiments;
    expect(smoke.frontier).toBeUndefined();
    expect(smoke.summary.rows).toBe('lr.cov');
    expect(tiny.frontier).toMatchObject({ setting: 'lr.cov', points: 4 });
    // Every experiment keeps the whole file, which is what a run folder copies.
    expect(smoke.source).toBe(s.source);
    expect(tiny.file).toBe(s.file);
  });

  it('gives a document the same run ids as the same document alone in its file', () => {
    const [smoke, tiny] = loadSuite(TWO).experiments;
    const alone = parseExperiment(
      readFileSync(join(ROOT, 'experiments', 'smoke.yaml'), 'utf8'),
      'smoke.yaml',
    );
    expect(ids(expand(smoke))).toEqual(ids(expand(alone)));
    expect(ids(expand(smoke))).toHaveLength(12);
    const frontier = join(ROOT, 'test', 'fixtures', 'frontier', 'tiny.yaml');
    expect(ids(expand(tiny))).toEqual(ids(expand(parseExperiment(readFileSync(frontier, 'utf8'), frontier))));
  });

  it('counts a run two documents plan once', () => {
    const text = readFileSync(TWO, 'utf8');
    const [first] = text.split('---\n');
    const s = parseSuite(`${first}---\n${first.replace('name: smoke', 'name: again')}`, 'twice.yaml');
    expect(s.experiments).toHaveLength(2);
    expect(suiteRunCount(s.experiments)).toBe(12);
    expect(ids(runsOf(s.experiments))).toEqual(ids(expand(s.experiments[0])));
  });

  it('points a problem of the second document at its own line and column', () => {
    const text = yaml(...MINIMAL, '---', 'name: u', 'task:', '  name: mvn-classifier', 'dim: -1');
    expectFirst(text, 8, 6, /"dim" must be an integer >= 1/);
    expectProblem(yaml(...MINIMAL, '---', 'name: u'), 5, 1, /missing required key "task"/);
  });

  it('reports the problems of every document in one go', () => {
    const text = yaml(
      'name: t',
      'task: {name: mvn-classifier}',
      'dim: 0',
      '---',
      'name: u',
      'task: {name: nope}',
    );
    expectProblem(text, 3, 6, /"dim" must be an integer/);
    expectProblem(text, 6, 14, /nope/);
  });

  it('refuses two documents of the same name, at the second name', () => {
    const text = yaml(...MINIMAL, '---', ...MINIMAL);
    const error = expectFirst(
      text,
      5,
      7,
      /experiment "t" is already the name of the document at line 1; give each document its own name/,
    );
    expect(error.problems).toHaveLength(1);
  });

  it('refuses an empty document (a stray "---") where it starts', () => {
    expectFirst(
      yaml(...MINIMAL, '---'),
      4,
      1,
      /this YAML document is empty; remove its "---" or give it at least "name" and "task"$/,
    );
  });

  it('keeps one document a plain experiment: named after itself, read by parseExperiment', () => {
    const s = parseSuite(yaml(...MINIMAL), 'file.yaml');
    expect(s.name).toBe('t');
    expect(() => parseExperiment(readFileSync(TWO, 'utf8'), TWO)).toThrow(
      expect.objectContaining({ code: 'E_CONFIG', message: expect.stringMatching(/holds 2 experiments/) }),
    );
  });

  it('says which document changed, added or removed', () => {
    const before = loadSuite(TWO);
    const text = readFileSync(TWO, 'utf8');
    const changed = parseSuite(text.replace('seed: 2', 'seed: 3'), writeExperiment(text, 'two.yaml'));
    expect(suiteChanges(before, changed)).toEqual([
      'tiny-frontier: seed: [0, 1] -> [0, 1, 2]',
      'tiny-frontier: runs: 4 -> 6 (4 in both)',
    ]);
    const [first] = text.split('---\n');
    expect(suiteChanges(before, parseSuite(first, TWO))).toEqual([
      'document 2: removed (experiment "tiny-frontier")',
    ]);
    expect(suiteChanges(before, parseSuite(text, TWO))).toEqual([]);
  });
});
