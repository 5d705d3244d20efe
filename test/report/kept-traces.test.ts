import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FailurePath } from '../../src/report/charts/failure-path.js';
import { keptRetrace } from '../../src/report/kept-traces.js';
import type { RunResult } from '../../src/types.js';
import { tempDir } from '../cli/cli.js';

beforeEach(() => {
  process.env.COVSWEEP_CACHE = tempDir('covsweep-traces-');
});
afterEach(() => {
  delete process.env.COVSWEEP_CACHE;
});

// Only its record matters here: the key is the whole record.
const run = (step: number) => ({ id: 'r1', outcome: 'singular', step }) as unknown as RunResult;

describe('kept retraces', () => {
  it('retrace a run once, and keep non-finite numbers as they were', async () => {
    let retraces = 0;
    const retrace = async (r: RunResult): Promise<FailurePath> => {
      retraces++;
      return {
        run: r,
        rows: [[0, 0.69, 1.5, -0.25, Number.POSITIVE_INFINITY, Number.NaN]],
        same: r.step < 10,
      };
    };
    const first = await keptRetrace(run(5), retrace);
    const again = await keptRetrace(run(5), retrace);
    expect(retraces).toBe(1);
    expect(again).toEqual(first);
    expect(again.rows[0][4]).toBe(Number.POSITIVE_INFINITY);
    expect(again.same).toBe(true);
    // Another record of the run is retraced anew.
    expect((await keptRetrace(run(50), retrace)).same).toBe(false);
    expect(retraces).toBe(2);
  });

  it('keep no failed retrace', async () => {
    const failing = async (): Promise<FailurePath> => {
      throw new Error('no such backend here');
    };
    await expect(keptRetrace(run(5), failing)).rejects.toThrow('no such backend');
    await expect(keptRetrace(run(5), failing)).rejects.toThrow('no such backend');
  });
});
