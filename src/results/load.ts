import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseSuite } from '../config/load.js';
import { CovsweepError } from '../ground/errors.js';
import type { RunResult, Suite } from '../types.js';
import { readResults } from './jsonl.js';
import { type Manifest, readManifest } from './store.js';

/** What `covsweep run` left in a run folder. */
export interface RunFolderContents {
  dir: string;
  suite: Suite;
  /** The experiment file's copy in the folder: its path and text. */
  copy: { file: string; text: string };
  /** Every complete line of results.jsonl, in file order. */
  results: RunResult[];
  manifest?: Manifest;
  /** Things to warn about that did not stop the reading (a last line cut short). */
  notes: string[];
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new CovsweepError('E_INPUT', `${file}: cannot read ${what} (${reason})`, { cause, file });
  }
}

/**
 * The results of a results.jsonl for reading (report, compare, merge): a last line cut short by a
 * stopped writer is left out with a note, as `--resume` does, rather than failing the command.
 */
export function readResultsWarning(file: string): { results: RunResult[]; notes: string[] } {
  const { results, truncated } = readResults(file);
  const notes = truncated
    ? [
        `${file}:${truncated.line}: the last line was cut short (the sweep was stopped mid-write); ignoring it`,
      ]
    : [];
  return { results, notes };
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

/**
 * A run folder written by `covsweep run`, for reading: its experiment, results and manifest. The
 * one loader of `report`, `compare` and `merge`; `--resume` opens the folder to write
 * (src/results/resume.ts) but reads its results with the same reader.
 */
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
  const manifest = existsSync(manifestFile) ? readManifest(manifestFile) : undefined;
  const file = experimentFile(dir, manifest);
  const text = read(file, 'the experiment file');
  return {
    dir,
    suite: parseSuite(text, file),
    copy: { file, text },
    ...readResultsWarning(jsonl),
    manifest,
  };
}
