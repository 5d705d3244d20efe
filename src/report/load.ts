import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseSuite } from '../config/load.js';
import { CovsweepError } from '../ground/errors.js';
import { parseResultLine } from '../results/jsonl.js';
import type { Manifest } from '../results/store.js';
import type { RunResult, Suite } from '../types.js';

/** What `covsweep run` left in a run folder. */
export interface RunFolderContents {
  dir: string;
  suite: Suite;
  results: RunResult[];
  manifest?: Manifest;
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new CovsweepError('E_INPUT', `${file}: cannot read ${what} (${reason})`, { cause, file });
  }
}

const OUTCOMES = new Set(['ok', 'singular', 'diverged', 'error', 'timeout']);

/** Results of a results.jsonl file; a line that is not a run result is bad input, named by its line. */
export function readResults(file: string): RunResult[] {
  return read(file, 'the results')
    .split('\n')
    .flatMap((line, i) => {
      if (line.trim() === '') return [];
      let r: RunResult | undefined;
      try {
        r = parseResultLine(line);
      } catch {
        // Not JSON: reported below, like JSON that is not a result.
      }
      if (typeof r?.id !== 'string' || !OUTCOMES.has(r.outcome) || typeof r.config !== 'object')
        throw new CovsweepError(
          'E_INPUT',
          `${file}:${i + 1}: not a run result (a JSON line with id, config, outcome)`,
          { file },
        );
      return [r];
    });
}

/** The copy of the experiment file `covsweep run` put in the folder: the manifest's name, else the one YAML file. */
function experimentFile(dir: string, manifest?: Manifest): string {
  const named = manifest && join(dir, basename(manifest.file));
  if (named && existsSync(named)) return named;
  const yamls = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  if (yamls.length !== 1)
    throw new CovsweepError(
      'E_INPUT',
      `${dir}: expected the experiment file's copy beside results.jsonl, found ${yamls.length} YAML files`,
    );
  return join(dir, yamls[0]);
}

/** A run folder written by `covsweep run`: its experiment, results and manifest. */
export function loadRunFolder(dir: string): RunFolderContents {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CovsweepError('E_INPUT', `${dir}: no such run folder`);
  const jsonl = join(dir, 'results.jsonl');
  if (!existsSync(jsonl))
    throw new CovsweepError(
      'E_INPUT',
      `${dir}: not a run folder (no results.jsonl); give runs/<experiment>/<time>`,
    );
  const manifestFile = join(dir, 'manifest.json');
  const manifest = existsSync(manifestFile)
    ? (JSON.parse(read(manifestFile, 'the manifest')) as Manifest)
    : undefined;
  const file = experimentFile(dir, manifest);
  return {
    dir,
    suite: parseSuite(read(file, 'the experiment file'), file),
    results: readResults(jsonl),
    manifest,
  };
}
