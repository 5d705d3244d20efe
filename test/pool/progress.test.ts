import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDuration } from '../../src/ground/format.js';
import { Progress } from '../../src/pool/progress.js';
import type { LaneBatch } from '../../src/types.js';

const batch = (index: number, dim: number, lanes: number, steps: number): LaneBatch => ({
  index,
  shapeKey: String(dim),
  steps,
  runs: Array.from({ length: lanes }, () => ({ config: { dim } }) as LaneBatch['runs'][number]),
});

/** What the line says, nothing drawn: the output is a sink. */
const quiet = { out: { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream, plainEvery: 1e9 };

describe('the progress line', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['performance'] }));
  afterEach(() => vi.useRealTimers());

  it("weighs the ETA by each batch's d: half the run-steps done at d = 2 is far from half the time", () => {
    const [small, big] = [batch(0, 2, 80, 100), batch(1, 16, 80, 100)];
    const p = new Progress([big, small], quiet);
    p.batchSteps(small, 100);
    p.results(Array.from({ length: 80 }, () => ({ outcome: 'ok' }) as never));
    vi.advanceTimersByTime(10_000);
    // d = 2 costs 1 + (2/4)^2 = 1.25 a lane-step, d = 16 costs 17: 10 s of the former leave 136 s.
    expect(p.line()).toBe('covsweep 80/160 runs | failed: none | 800 run-steps/s | ETA 2m16s');
  });

  it('counts failures by kind and has no ETA before any work is done', () => {
    const p = new Progress([batch(0, 2, 2, 10)], quiet);
    p.results([{ outcome: 'singular' }, { outcome: 'singular' }] as never);
    expect(p.line()).toMatch(/^covsweep 2\/2 runs \| failed: 2 singular \| .* \| ETA 0s$/);
    const q = new Progress([batch(0, 2, 2, 10)], quiet);
    expect(q.line()).toMatch(/ETA \?$/);
  });
});

describe('durations', () => {
  it('read in whole units, carried over at the minute', () => {
    expect([0.2, 59.2, 60, 119.6, 3599.7, 7260].map(formatDuration)).toEqual([
      '1s',
      '60s',
      '1m00s',
      '2m00s',
      '1h00m',
      '2h01m',
    ]);
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });
});
