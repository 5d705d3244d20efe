import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { CovsweepError, configError, MAX_PROBLEMS, ProblemList } from '../../src/ground/errors.js';

const at = (line: number, message = 'wrong; fix it') => ({ file: 'e.yaml', line, col: 2, message });

describe('CovsweepError', () => {
  it('carries a code, a one-line message and its cause', () => {
    const cause = new Error('inner');
    const error = new CovsweepError('E_USAGE', 'bad flag; see --help', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CovsweepError');
    expect(error.code).toBe('E_USAGE');
    expect(error.cause).toBe(cause);
    expect(error.problems).toEqual(['bad flag; see --help']);
  });

  it('builds a config error whose message is its first problem', () => {
    const error = configError([at(3), at(7, 'other; fix')]);
    expect(error.code).toBe('E_CONFIG');
    expect(error.message).toBe('e.yaml:3:2: wrong; fix it');
    expect([error.file, error.line, error.col]).toEqual(['e.yaml', 3, 2]);
    expect(error.problems).toEqual(['e.yaml:3:2: wrong; fix it', 'e.yaml:7:2: other; fix']);
  });

  it('reports a missing file as a usage error (exit 2) with the cause', () => {
    let error: unknown;
    try {
      loadExperiment('no/such/experiment.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CovsweepError);
    expect((error as CovsweepError).code).toBe('E_USAGE');
    expect((error as CovsweepError).message).toBe(
      'no/such/experiment.yaml: cannot read the experiment file: no such file (ENOENT); give the path of a YAML file',
    );
    expect((error as CovsweepError).cause).toBeInstanceOf(Error);
  });
});

describe('ProblemList', () => {
  it('throws nothing when empty', () => {
    expect(() => new ProblemList().throwIfAny()).not.toThrow();
  });

  it('sorts problems by position, drops repeats and caps the count', () => {
    const list = new ProblemList();
    for (let line = 40; line > 0; line--) list.add(at(line));
    list.add(at(40));
    let error: CovsweepError | undefined;
    try {
      list.throwIfAny();
    } catch (e) {
      error = e as CovsweepError;
    }
    expect(error?.message).toBe('e.yaml:1:2: wrong; fix it');
    expect(error?.problems[MAX_PROBLEMS - 1]).toBe('e.yaml:20:2: wrong; fix it');
    expect(error?.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(error?.problems.at(-1)).toBe('... and 20 more; fix the problems above first');
  });
});
