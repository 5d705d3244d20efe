import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepFile, readKept } from '../ground/disk-cache.js';
import { jsonText, parseJsonText } from '../results/line.js';
import type { RunResult } from '../types.js';
import { tracesFolder } from './cache-files.js';
import type { FailurePath } from './charts/failure-path.js';

/** The packages a retrace computes with, besides covsweep's own code. */
const ENGINE_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
];

const require = createRequire(import.meta.url);

/** The version of an installed package, from the package.json above its entry point. */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (json.name === name) return json.version ?? '';
    } catch {
      // No package.json here: look one folder up.
    }
    const up = dirname(dir);
    if (up === dir) return '';
    dir = up;
  }
}

let code: Promise<string> | undefined;

/**
 * What else decides a retrace besides its run: covsweep's code as built (every file's name, size
 * and time, the report's own aside, so that a changed engine retraces afresh and says if the run
 * no longer ends as recorded) and the tfjs versions. Asked of the file system all at once, while
 * this thread makes the report's other plots.
 */
function codeKey(): Promise<string> {
  // This module's folder's parent: dist as built, src as tests run it.
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const stamps = await Promise.all(
      entries.map(async (entry): Promise<string[]> => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return path === join(root, 'report') ? [] : walk(path);
        if (entry.name.endsWith('.map') || entry.name.endsWith('.d.ts')) return [];
        const { size, mtimeMs } = await stat(path);
        return [`${path}:${size}:${mtimeMs}`];
      }),
    );
    return stamps.flat();
  };
  code ??= walk(root).then((stamps) => JSON.stringify([stamps, ENGINE_PACKAGES.map(packageVersion)]));
  return code;
}

/**
 * `run` retraced by `retrace`, or as a run of its config, backend, outcome and step was before by
 * the same code, kept on disk (ground/disk-cache.ts): a retrace loads the engine and trains the run again, a tenth of a second or
 * more of a report's end, and a report drawn again (`covsweep report` of a folder, a run whose
 * results repeat an earlier one's) retraces the same run.
 */
export async function keptRetrace(
  run: RunResult,
  retrace: (run: RunResult) => Promise<FailurePath>,
): Promise<FailurePath> {
  const key = createHash('sha256')
    .update(await codeKey())
    // What decides a retrace and whether it ends as recorded; not the run's time, say.
    .update(JSON.stringify([run.config, run.backend, run.outcome, run.step]))
    .digest('hex')
    .slice(0, 32);
  const file = join(tracesFolder(), `${key}.json`);
  const kept = readKept(file);
  if (kept !== undefined) {
    // A condition number past the positive-definite set is Infinity, which JSON lacks (line.ts).
    const { rows, same } = parseJsonText(kept) as Omit<FailurePath, 'run'>;
    return { run, rows, same };
  }
  const path = await retrace(run);
  keepFile(file, jsonText({ rows: path.rows, same: path.same }), true);
  return path;
}
