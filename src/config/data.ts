import { type DataRef, type DataTable, dataPath, parseData, readData } from '../data/table.js';
import type { CatalogTask } from '../engine/catalog.js';
import { cholesky64 } from '../ground/dense64.js';
import { CovsweepError, formatProblem, ProblemList } from '../ground/errors.js';
import type { RunConfig, SweepAxis } from '../types.js';
import type { ConfigSource } from './source.js';

/**
 * Whether the points span every dimension: their sample covariance S has its smallest eigenvalue
 * above 1e-10 of its largest variance, i.e. S - 1e-10 max(diag S) I is positive definite (float64
 * rounding leaves collinear points an eigenvalue of about 1e-16 rather than 0).
 */
function spansAllDirections({ points, rows, dim }: DataTable): boolean {
  const mean = new Float64Array(dim);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dim; j++) mean[j] += points[i * dim + j] / rows;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < rows; i++)
    for (let a = 0; a < dim; a++)
      for (let b = 0; b < dim; b++)
        cov[a * dim + b] += (points[i * dim + a] - mean[a]) * (points[i * dim + b] - mean[b]);
  let largest = 0;
  for (let j = 0; j < dim; j++) largest = Math.max(largest, cov[j * dim + j]);
  for (let j = 0; j < dim; j++) cov[j * dim + j] -= 1e-10 * largest;
  return largest > 0 && cholesky64(cov, dim) !== null;
}

/**
 * Reads and checks the file `task.data` names (relative to the experiment
 * file) and puts what identifies it into the base config: the path as
 * written, its SHA-256 and its row count (the planner counts steps by it), so
 * a run's id changes when its data does and not when the folder moves.
 * Returns the file's absolute path, for the engine. A file that does not fit
 * throws at once (call it once the experiment's own problems are thrown):
 * its problems at their line and column in it, then one at `data` in the
 * experiment file.
 */
export function resolveData(
  base: RunConfig,
  axes: readonly SweepAxis[],
  task: CatalogTask,
  source: ConfigSource,
  problems: ProblemList,
): string | undefined {
  const written = base.task.data;
  if (typeof written !== 'string') return undefined;
  const node = source.locate(['task', 'data']).node;
  const fixed = ['dim', ...(task.labelled ? ['task.units'] : [])];
  const swept = fixed.find((path) => (axes.find((a) => a.path === path)?.values.length ?? 0) > 1);
  if (swept) {
    problems.add(
      source.problem(node, `"task.data" fixes "${swept}", but "${swept}" is swept; remove one of them`),
    );
    return undefined;
  }
  const value = (path: string) =>
    Number(axes.find((a) => a.path === path)?.values[0] ?? (path === 'dim' ? base.dim : base.task.units));
  const dim = value('dim');
  const path = dataPath(source.file, written);
  let file: { text: string; sha256: string };
  try {
    file = readData(path);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    problems.add(
      source.problem(
        node,
        `cannot read the data file ${path}: ${reason}; check the path (relative to the experiment file)`,
      ),
    );
    return undefined;
  }
  try {
    const table = parseData(file.text, path, {
      dim,
      ...(task.labelled ? { units: value('task.units') } : { minRows: dim }),
    });
    // Fewer than dim + 1 points are refused for this reason; identical or collinear ones too.
    if (!task.labelled && !spansAllDirections(table)) {
      const flat = new ProblemList();
      flat.add({
        file: path,
        line: 2,
        col: 1,
        message: `the points do not span all ${dim} dimensions (identical or collinear): their sample covariance is singular; give points that vary in every direction`,
      });
      flat.throwIfAny();
    }
    const ref: DataRef = { file: written, sha256: file.sha256, rows: table.rows };
    base.task.data = ref;
  } catch (error) {
    if (!(error instanceof CovsweepError)) throw error;
    const here = source.problem(
      node,
      `the data file ${written} is not valid data for task "${task.name}" (above); fix the file or the path`,
    );
    throw new CovsweepError('E_CONFIG', error.message, {
      cause: error,
      file: error.file,
      line: error.line,
      col: error.col,
      problems: [...error.problems, formatProblem(here)],
    });
  }
  return path;
}
