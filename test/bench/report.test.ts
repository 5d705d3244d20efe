import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/bench/grid.js';
import { benchmarksMarkdown, HAND_MEASURED, withHandMeasured } from '../../src/bench/report.js';

const cell = (dim: number, lanes: number): Cell => ({
  task: 'score-matching',
  parameterization: 'tril',
  dim,
  lanes,
  backend: 'wasm',
});
const measured = (dim: number, lanes: number, rate: number) => ({
  cell: cell(dim, lanes),
  laneStepsPerSecond: rate,
  wallLaneStepsPerSecond: rate / 2,
  samples: 5,
});

describe('BENCHMARKS.md', () => {
  const run = {
    command: 'covsweep bench',
    date: new Date('2026-12-02T08:00:00Z'),
    machine: 'test machine',
    load: [3, 4] as [number, number],
    reference: { cpu: 1e6, wall: 1e6 },
    // Best per d: 80k, 10k (8x slower at 4x d), 1.25k (64x slower at 8x d): time ~ d^2.
    measured: [
      measured(8, 1, 20_000),
      measured(8, 64, 80_000),
      measured(32, 64, 5_000),
      measured(64, 1, 1_250),
    ],
    skipped: [{ cell: cell(64, 4096), reason: 'a stated reason' }],
    cellBudgetMs: 2000,
    minutes: 1.5,
    left: 0,
  };
  const md = benchmarksMarkdown(run);

  it('fits the exponent of the time per lane-step from d = 8 to the largest d, at the best lane count', () => {
    expect(md).toContain('| score-matching | tril | wasm | 12.5 (1.0x) | 200 (16x) | 800 (64x) | 2.00 |');
  });

  it('lists every left-out cell with its reason, and says how the bench was bounded', () => {
    expect(md).toContain('- score-matching tril d=64 4096 lanes wasm: a stated reason.');
    expect(md).toContain("each cell's samples get 2.0 s of wall-clock time");
    expect(md).toContain('This bench took 1.5 minutes.');
  });

  it('says when it is partial, and how many cells are left', () => {
    expect(md).not.toContain('Partial');
    const partial = benchmarksMarkdown({ ...run, left: 7 });
    expect(partial).toContain('**Partial**: 4 cells measured, 7 not yet');
    expect(partial).toContain('This bench took 1.5 minutes so far.');
  });

  it('keeps the hand-measured part of the old file and nothing else of it', () => {
    const old = `# old bench\n\nold figures\n\n${HAND_MEASURED}\n\n## Whole runs\n\n12 s\n`;
    expect(withHandMeasured('# new\n', old)).toBe(`# new\n${HAND_MEASURED}\n\n## Whole runs\n\n12 s\n`);
    expect(withHandMeasured('# new\n', '# old\n')).toBe('# new\n');
    expect(withHandMeasured('# new\n', undefined)).toBe('# new\n');
  });
});
