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
    reference: [{ dim: 8, cpu: 1e6, wall: 1e6 }],
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

  it('compares each row with the reference at its d, and leaves the peer out unless it was asked for', () => {
    expect(md).toContain('| tril | 8 | wasm | 20k (2.0%) | 80k (8.0%) | **80k** at 64 (wall 40k) | 0.080x |');
    expect(md).toContain('| tril | 32 | wasm |  | 5.0k | **5.0k** at 64 (wall 2.5k) |  |');
    expect(md).not.toContain('peer');
  });

  it('gains a ratio column against the peer, a table of it, and says why when the peer could not run', () => {
    const classifierPeer = { task: 'mvn-classifier', parameterization: 'full' };
    const classifier = (dim: number, lanes: number, rate: number) => ({
      ...measured(dim, lanes, rate),
      cell: { ...cell(dim, lanes), task: 'mvn-classifier', parameterization: 'full' },
    });
    const withPeer = benchmarksMarkdown({
      ...run,
      measured: [classifier(8, 1, 20_000), classifier(8, 64, 80_000)],
      peer: {
        measured: [
          { ...classifierPeer, lanes: 1, dim: 8, steps: 50, laneStepsPerSecond: 1_000, alive: 1 },
          { ...classifierPeer, lanes: 64, dim: 8, steps: 20, laneStepsPerSecond: 40_000, alive: 64 },
        ],
      },
    });
    expect(withPeer).toContain('| best | vs reference | vs own peer | vs `full` peer |');
    expect(withPeer).toContain(
      '| full | 8 | wasm | 20k (2.0%) | 80k (8.0%) | **80k** at 64 (wall 40k) | 0.080x | 2.0x | 2.0x |',
    );
    expect(withPeer).toContain(
      '| 8 | 1: 1.0k (50), 64: 40k (20) | 40k | 1.0M | 80k (wasm, 64 lanes) | 2.0x | 0.080x |',
    );
    expect(withPeer).not.toContain('parameterization by parameterization');
    const missing = benchmarksMarkdown({ ...run, peer: { missing: '"python3" has no torch' } });
    expect(missing).toContain('- Peer: not timed: "python3" has no torch.');
    expect(missing).toContain('| best | vs reference | vs own peer | vs `full` peer |');
  });

  it("compares each row with its own parameterization's peer and with the `full` peer, in two columns", () => {
    const row = (task: string, parameterization: string, rate: number) => ({
      ...measured(8, 64, rate),
      cell: { ...cell(8, 64), task, parameterization },
    });
    const peerCell = (task: string, parameterization: string, rate: number) => ({
      task,
      parameterization,
      lanes: 64,
      dim: 8,
      steps: 20,
      laneStepsPerSecond: rate,
      alive: 64,
    });
    const md = benchmarksMarkdown({
      ...run,
      measured: [
        row('score-matching', 'full', 80_000),
        row('score-matching', 'tril', 90_000),
        row('score-matching', 'givens', 10_000),
        row('mvn-classifier', 'matrix-exp', 3_000),
      ],
      peer: {
        measured: [
          peerCell('score-matching', 'full', 40_000),
          peerCell('score-matching', 'tril', 30_000),
          peerCell('mvn-classifier', 'full', 60_000),
          peerCell('mvn-classifier', 'matrix-exp', 2_000),
        ],
      },
    });
    // tril: 3x its own peer, 2.25x the full peer; givens, whose peer did not run, only against full.
    expect(md).toMatch(/\| full \| 8 \| wasm \| .* \| 2\.0x \| 2\.0x \|\n/);
    expect(md).toMatch(/\| tril \| 8 \| wasm \| .* \| 3\.0x \| 2\.3x \|\n/);
    expect(md).toMatch(/\| givens \| 8 \| wasm \| .* \| {2}\| 0\.25x \|\n/);
    expect(md).toMatch(/\| matrix-exp \| 8 \| wasm \| .* \| 1\.5x \| 0\.050x \|\n/);
    expect(md).toContain(
      '## Against the batched PyTorch peers, parameterization by parameterization: score-matching',
    );
    expect(md).toContain('| tril | 8 | 64: 30k (20) | 30k | 90k (wasm, 64 lanes) | 3.0x | 2.3x |');
    expect(md).toContain(
      '## Against the batched PyTorch peers, parameterization by parameterization: mvn-classifier',
    );
    expect(md).toContain('| matrix-exp | 8 | 64: 2.0k (20) | 2.0k | 3.0k (wasm, 64 lanes) | 1.5x | 0.050x |');
    expect(md).toContain('**vs own peer**');
  });

  it('keeps the hand-measured part of the old file and nothing else of it', () => {
    const old = `# old bench\n\nold figures\n\n${HAND_MEASURED}\n\n## Whole runs\n\n12 s\n`;
    expect(withHandMeasured('# new\n', old)).toBe(`# new\n${HAND_MEASURED}\n\n## Whole runs\n\n12 s\n`);
    expect(withHandMeasured('# new\n', '# old\n')).toBe('# new\n');
    expect(withHandMeasured('# new\n', undefined)).toBe('# new\n');
  });
});
