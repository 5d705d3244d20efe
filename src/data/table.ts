import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Problem, ProblemList } from '../ground/errors.js';
import { encodedName } from '../ground/folder-name.js';
import type { JsonSchema } from '../ground/json-schema.js';
import { DATA_FILE, readInput } from '../ground/read-input.js';

/** The `data` option every task has. */
export const DATA_OPTION: JsonSchema = {
  type: 'string',
  minLength: 1,
  description:
    'A CSV file of points to train on instead of generated ones (path relative to the experiment file): a header row x1..xd (plus label for mvn-classifier), one point per line.',
};

/**
 * User data: a CSV file with a header row naming columns x1..xd (and `label`
 * for the classifier) and one point per line. The format is this simple on
 * purpose (numbers, commas, no quoting), so covsweep reads it with its own
 * tight parser that can point at the line and column of every fault, rather
 * than a general CSV library whose quoting rules these files never need.
 */
export interface DataTable {
  /** Points, row-major [rows, dim]. */
  points: Float64Array;
  /** The `label` column, when the file has one. */
  labels?: Int32Array;
  rows: number;
  dim: number;
}

/** What the resolved config holds for `task.data`: the path as written, and what identifies the file's content. */
export interface DataRef {
  file: string;
  sha256: string;
  rows: number;
}

/** What a task asks of its data file. */
export interface DataShape {
  dim: number;
  /** Labels 0..units-1 required (the classifier); absent: no label column. */
  units?: number;
  /** Rows the file must have more than (score-matching and mle: dim). */
  minRows?: number;
}

/**
 * Where the data file `written` of the experiment file `experiment` is: beside
 * it, or, for the experiment's copy in a run folder (beside manifest.json),
 * the folder's own copy under data/ (run folders are self-contained).
 */
export function dataPath(experiment: string, written: string): string {
  const dir = dirname(resolve(experiment));
  if (existsSync(join(dir, 'manifest.json'))) return join(dir, 'data', copyName(written));
  return resolve(dir, written);
}

/** The name of a data file's copy in a run folder's data/: the path as written, made one file name. */
export function copyName(written: string): string {
  return encodedName(written);
}

/** The file's text and content hash; throws the reason it cannot be read. */
export function readData(path: string): { text: string; sha256: string } {
  const bytes = readInput(path, DATA_FILE);
  return { text: bytes.toString('utf8'), sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Parses and checks a data file's text; throws a config error with a problem at each fault (file:line:col in the CSV). */
export function parseData(text: string, file: string, shape: DataShape): DataTable {
  const problems = new ProblemList();
  const at = (line: number, col: number, message: string): Problem => ({ file, line, col, message });
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const want = [
    ...Array.from({ length: shape.dim }, (_, j) => `x${j + 1}`),
    ...(shape.units ? ['label'] : []),
  ];
  const wanted = `a header row of ${want.join(',')}`;
  if (lines.length === 0) {
    problems.add(at(1, 1, `the data file is empty; give ${wanted}, then one point per line`));
    problems.throwIfAny();
  }
  const header = fields(lines[0]);
  // Names are quoted clipped: a file that is not data at all (data: /etc/passwd) must not be
  // printed back through its "header".
  const column = new Map<string, number>();
  for (const [k, { text: name, col }] of header.entries()) {
    if (column.has(name)) problems.add(at(1, col, `column ${clip(name)} appears twice; keep one`));
    else if (!want.includes(name)) {
      const coordinate = /^x(\d+)$/.exec(name);
      problems.add(
        at(
          1,
          col,
          coordinate
            ? `column "${name}" but dim is ${shape.dim}; the data must have the columns x1..x${shape.dim}, or set dim to the file's`
            : `unknown column ${clip(name)}; expected ${wanted}`,
        ),
      );
    }
    column.set(name, k);
  }
  for (const name of want)
    if (!column.has(name)) problems.add(at(1, 1, `missing column "${name}"; expected ${wanted}`));
  problems.throwIfAny();
  const rows = lines.length - 1;
  const points = new Float64Array(rows * shape.dim);
  const labels = shape.units ? new Int32Array(rows) : undefined;
  for (let i = 0; i < rows; i++) {
    const line = i + 2;
    const cells = fields(lines[i + 1]);
    if (cells.length !== header.length) {
      const col = cells.length > header.length ? cells[header.length].col : lines[i + 1].length + 1;
      problems.add(
        at(
          line,
          col,
          `${cells.length} values but the header has ${header.length} columns; give one per column`,
        ),
      );
      continue;
    }
    for (const [name, k] of column) {
      const { text: value, col } = cells[k];
      // Decimal only: Number() also reads "0x10" as 16, "0b1" as 1, and "" as 0.
      const v = DECIMAL.test(value) ? Number(value) : Number.NaN;
      if (!Number.isFinite(v)) {
        problems.add(at(line, col, `"${name}" must be a finite decimal number, received ${clip(value)}`));
        continue;
      }
      if (Math.abs(v) > FLOAT32_MAX) {
        problems.add(
          at(
            line,
            col,
            `"${name}" is ${value}, beyond float32 (about ±3.4e38), which training computes in; rescale the data`,
          ),
        );
        continue;
      }
      if (name === 'label') {
        if (!Number.isInteger(v) || v < 0 || v >= shape.units!)
          problems.add(
            at(
              line,
              col,
              `"label" must be an integer 0..${shape.units! - 1} (task.units is ${shape.units}), received ${value}`,
            ),
          );
        else labels![i] = v;
      } else points[i * shape.dim + Number(name.slice(1)) - 1] = v;
    }
  }
  const least = shape.minRows ?? 0;
  if (rows <= least)
    problems.add(
      at(
        lines.length,
        1,
        `${rows} points, but the task needs more than ${least} (dim): the sample covariance of so few is singular; add points`,
      ),
    );
  if (labels && rows > 0)
    for (let u = 0; u < shape.units!; u++)
      if (!labels.includes(u))
        problems.add(at(1, 1, `no point has label ${u}; every one of the ${shape.units} units needs points`));
  problems.throwIfAny();
  problems.throwIfAny();
  return { points, labels, rows, dim: shape.dim };
}

/** A decimal number as CSV files write it: 1, -2.5, .5, 3e-4. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A piece of the file quoted in a message: at most 24 characters of it. */
const clip = (s: string) => JSON.stringify(s.length > 24 ? `${s.slice(0, 21)}...` : s);

/** The comma-separated fields of a line, trimmed, with the 1-based column where each starts. */
function fields(line: string): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  let start = 0;
  for (;;) {
    const end = line.indexOf(',', start);
    const raw = line.slice(start, end < 0 ? undefined : end);
    const lead = raw.length - raw.trimStart().length;
    out.push({ text: raw.trim(), col: start + lead + 1 });
    if (end < 0) return out;
    start = end + 1;
  }
}

/** Tables already read in this thread, by content hash and shape: a worker reads a file once, whatever its batches. */
const cache = new Map<string, DataTable>();

/**
 * The data of a run whose config has `task.data`, read from `path` and checked
 * against the hash its config was made with (a file changed since would
 * silently train other data).
 */
export function loadData(path: string, ref: DataRef, shape: DataShape): DataTable {
  const key = `${ref.sha256}:${shape.dim}:${shape.units ?? 0}:${shape.minRows ?? 0}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const { text, sha256 } = readData(path);
  if (sha256 !== ref.sha256)
    throw new Error(
      `${path} has changed since the experiment was planned (sha256 ${sha256.slice(0, 12)}, planned ${ref.sha256.slice(0, 12)})`,
    );
  const table = parseData(text, path, shape);
  cache.set(key, table);
  return table;
}
