import { describe, expect, it } from 'vitest';
import { CellBudget } from '../../src/bench/budget.js';
import type { Cell } from '../../src/bench/grid.js';
import { measureCell } from '../../src/bench/measure.js';

const cell = (dim: number, lanes: number, o: Partial<Cell> = {}): Cell => ({
  task: 'score-matching',
  parameterization: 'tril',
  dim,
  lanes,
  backend: 'cpu',
  ...o,
});

describe('the per-cell bench budget', () => {
  it('runs a cell it cannot predict', () => {
    expect(new CellBudget(1000).skipReason(cell(64, 4096))).toBeUndefined();
  });

  it('predicts a step linearly in lanes and as d^3 from smaller cells of the same row', () => {
    const b = new CellBudget(1000);
    b.record(cell(8, 64), 10);
    // 10 ms x 64 = 640 ms: fits; 10 ms x 256 = 2.56 s: does not.
    expect(b.skipReason(cell(8, 4096))).toBeUndefined();
    expect(b.skipReason(cell(8, 16384))).toBe(
      'one step predicted to take ~2.56 s (from 10.0 ms at d=8, 64 lanes), over the per-cell budget of 1.00 s',
    );
    // 10 ms x (32/8)^3 = 640 ms fits; 10 ms x 8^3 = 5.12 s does not.
    expect(b.skipReason(cell(32, 64))).toBeUndefined();
    expect(b.skipReason(cell(64, 64))).toMatch(/~5\.12 s \(from 10\.0 ms at d=8, 64 lanes\)/);
  });

  it('takes the tightest prediction, and none from other rows or larger cells', () => {
    const b = new CellBudget(1000);
    b.record(cell(8, 64), 10);
    b.record(cell(64, 1), 20); // 20 ms x 64 = 1.28 s < 5.12 s
    expect(b.skipReason(cell(64, 64))).toMatch(/~1\.28 s \(from 20\.0 ms at d=64, 1 lanes\)/);
    expect(b.skipReason(cell(64, 64, { parameterization: 'full' }))).toBeUndefined();
    expect(b.skipReason(cell(64, 64, { backend: 'wasm' }))).toBeUndefined();
    expect(b.skipReason(cell(8, 1))).toBeUndefined();
  });

  it('measures a cell whose step does not fit the budget from that one step', async () => {
    const m = await measureCell(cell(8, 64), 100, 0.001);
    expect(m).toMatchObject({ samples: 1 });
    const fits = await measureCell(cell(2, 1), 20, 10_000);
    expect('samples' in fits && fits.samples).toBeGreaterThanOrEqual(5);
  });
});
