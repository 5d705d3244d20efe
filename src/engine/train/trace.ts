import { symmetricEigenvalues } from '../../ground/dense64.js';
import type { RunConfig } from '../../types.js';
import { parameterization } from '../parameterizations/index.js';
import { shortestFloat32 } from './final-params.js';
import type { StepState } from './train.js';

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * The per-step trace of one run (lane 0 of its batch), for `covsweep repro
 * --trace`: loss, gradient norm, and the smallest eigenvalue and condition
 * number of each covariance, computed in float64 on the host from the float32
 * parameters through the parameterization's reference map, so the trace shows
 * how a covariance approached the edge of the positive-definite set
 * independently of the float32 checks that ended the run. With `params`, each row also holds
 * every parameter, as results.jsonl's `params` (raw float32 values, shortest decimals), one
 * column per entry named `group[i][j]...` (0-based, torch's indexing), as the loss saw them.
 */
export class Trace {
  readonly rows: number[][] = [];
  private units = 0;
  private paramColumns: string[] = [];
  private readonly p;

  constructor(
    private readonly config: RunConfig,
    private readonly options: { params?: boolean } = {},
  ) {
    this.p = parameterization(config.parameterization, config.parameterization_options);
  }

  readonly onStep = (step: number, { loss, params, grads, groups }: StepState) => {
    const d = this.config.dim;
    const block = size(this.p.rawShape(d));
    const cov = groups.findIndex((g) => g.group === 'cov');
    this.units = size(groups[cov].shape) / block;
    const raw = params[cov].subarray(0, this.units * block);
    let squares = 0;
    grads.forEach((g, i) => {
      for (let k = 0; k < size(groups[i].shape); k++) squares += g[k] * g[k];
    });
    const row = [step, loss[0], Math.sqrt(squares)];
    for (let u = 0; u < this.units; u++) {
      const values = symmetricEigenvalues(this.p.covariance(raw.subarray(u * block, (u + 1) * block), d), d);
      const [lo, hi] = [values[0], values[d - 1]];
      // A covariance with an eigenvalue <= 0 has left the positive-definite set: no finite condition number.
      row.push(lo, lo > 0 ? hi / lo : Number.POSITIVE_INFINITY);
    }
    if (this.options.params)
      groups.forEach((g, i) => {
        // Lane 0's values: the run traced rides alone.
        for (let k = 0; k < size(g.shape); k++) row.push(shortestFloat32(params[i][k]));
        if (step === 0) this.paramColumns.push(...entryNames(g.name, g.shape));
      });
    this.rows.push(row);
  };

  csv(): string {
    const unitColumns = Array.from({ length: this.units }, (_, u) => [
      `min_eig_${u + 1}`,
      `cond_${u + 1}`,
    ]).flat();
    const header = ['step', 'loss', 'grad_norm', ...unitColumns, ...this.paramColumns];
    return `${[header, ...this.rows].map((r) => r.join(',')).join('\n')}\n`;
  }
}

/** `name[i][j]...` for every entry of `shape`, row-major. */
function entryNames(name: string, shape: number[]): string[] {
  return shape.reduce<string[]>(
    (names, n) => names.flatMap((x) => Array.from({ length: n }, (_, i) => `${x}[${i}]`)),
    [name],
  );
}
