import { describe, expect, it } from 'vitest';
import { CovsweepError as Built } from '../../dist/index.js';
import { CovsweepError } from '../../src/ground/errors.js';

describe('CovsweepError across copies of its module', () => {
  it('the built library and the source are two copies, and each recognises the other', () => {
    expect(Built).not.toBe(CovsweepError);
    expect(new Built('E_CONFIG', 'bad file') instanceof CovsweepError).toBe(true);
    expect(new CovsweepError('E_INPUT', 'bad data') instanceof Built).toBe(true);
  });

  it('other errors and values are not CovsweepErrors', () => {
    for (const x of [new Error('plain'), { code: 'E_CONFIG' }, null, undefined, 'E_CONFIG', 3])
      expect(x instanceof CovsweepError).toBe(false);
    expect(new CovsweepError('E_IO', 'x') instanceof Error).toBe(true);
  });
});
