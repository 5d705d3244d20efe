import { suiteChanges } from '../config/diff.js';
import { parseSuite } from '../config/load.js';
import { CovsweepError } from '../ground/errors.js';
import type { RunResult, Suite } from '../types.js';
import { RunFolder } from './store.js';

export interface Resumed {
  folder: RunFolder;
  /** The runs it has recorded. */
  results: RunResult[];
  /** Things to tell the user (a truncated last line). */
  notes: string[];
  /** The experiment plans other runs than the folder's, and `force` allowed it. */
  changed: boolean;
}

/** The folder `--resume` continues: `dir`, or else the newest of the file's experiments under `root`. */
export function folderToResume(e: Pick<Suite, 'name'>, root: string, dir?: string): RunFolder {
  if (dir) return RunFolder.open(dir);
  const latest = RunFolder.latest(root, e.name);
  if (!latest)
    throw new CovsweepError(
      'E_USAGE',
      `--resume: no earlier run of "${e.name}" in ${root}; run without --resume, or give the run folder`,
    );
  return latest;
}

/**
 * Opens a folder to add the missing runs of `e` (a file's experiments) to it. Old and new results
 * must not mix silently: if the experiment now plans other runs than the copy
 * in the folder, this refuses (`E_USAGE`, one line per changed setting)
 * unless `force`. A truncated last line of results.jsonl is reported and cut,
 * so that new results start on a line of their own.
 */
export function openToResume(e: Suite, folder: RunFolder, force: boolean): Resumed {
  const copy = folder.experimentCopy();
  let changes: string[];
  try {
    changes = suiteChanges(parseSuite(copy.text, copy.file), e);
  } catch (cause) {
    if (!(cause instanceof CovsweepError) || cause.code !== 'E_CONFIG') throw cause;
    changes = [`the copy no longer loads: ${cause.message}`];
  }
  if (changes.length && !force)
    throw new CovsweepError('E_USAGE', `${e.file} has changed since ${folder.dir} was run`, {
      problems: [
        `${e.file} has changed since ${folder.dir} was run; its old and new results would mix:`,
        ...changes.map((c) => `  ${c}`),
        'run without --resume for a new folder, or add --force to resume anyway',
      ],
    });
  const file = folder.readResults();
  const notes: string[] = [];
  if (file.truncated) {
    notes.push(
      `${folder.results}:${file.truncated.line}: the last line was cut short (the sweep was killed mid-write); ignoring it, its run will be run again`,
    );
    folder.dropTruncated(file);
  }
  return { folder, results: file.results, notes, changed: changes.length > 0 };
}
