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

const run = (step: number, seconds = 0.5) =>
  ({
    id: 'r1',
    config: { seed: 1 },
    backend: 'cpu',
    outcome: 'singular',
    step,
    seconds,
  }) as unknown as RunResult;

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
    // The same run recorded again: it took another time, and is retraced the same.
    const again = await keptRetrace(run(5, 0.7), retrace);
    expect(retraces).toBe(1);
    expect(again.rows).toEqual(first.rows);
    expect(again.run.seconds).toBe(0.7);
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
