import type { Cell } from './grid.js';

/**
 * The per-cell time budget that keeps a full grid bounded. A cell's samples
 * stop when they have used the budget (at least one step is timed); a cell
 * whose single step is predicted to take longer than the whole budget is not
 * started, and says why. Predictions come from cells already measured in the
 * same row (task, parameterization, backend): a step's time grows at most
 * linearly with the lane count (the lanes are independent work) and as d^3
 * with the dimension (the factorisations), so both are upper bounds when
 * extrapolated upward, which is the direction the grid runs.
 */
export class CellBudget {
  private readonly steps: { cell: Cell; stepMs: number }[] = [];

  constructor(readonly ms: number) {}

  /** Why `cell` is not worth starting, or undefined to run it. */
  skipReason(cell: Cell): string | undefined {
    const predicted = this.predictStepMs(cell);
    if (predicted === undefined || predicted.ms <= this.ms) return undefined;
    return `one step predicted to take ~${seconds(predicted.ms)} (from ${predicted.from}), over the per-cell budget of ${seconds(this.ms)}`;
  }

  /** Record a measured cell's median wall-clock step. */
  record(cell: Cell, stepMs: number): void {
    this.steps.push({ cell, stepMs });
  }

  /** The smallest upper bound on one step of `cell` from the cells measured so far. */
  private predictStepMs(cell: Cell): { ms: number; from: string } | undefined {
    let best: { ms: number; from: string } | undefined;
    for (const { cell: c, stepMs } of this.steps) {
      const sameRow =
        c.task === cell.task && c.parameterization === cell.parameterization && c.backend === cell.backend;
      if (!sameRow || c.lanes > cell.lanes || c.dim > cell.dim) continue;
      const ms = stepMs * (cell.lanes / c.lanes) * (cell.dim / c.dim) ** 3;
      if (!best || ms < best.ms) best = { ms, from: `${seconds(stepMs)} at d=${c.dim}, ${c.lanes} lanes` };
    }
    return best;
  }
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toPrecision(3)} s` : `${ms.toPrecision(3)} ms`;
}
