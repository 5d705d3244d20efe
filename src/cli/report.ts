import { join } from 'node:path';
import { CovsweepError } from '../ground/errors.js';
import { REPORTERS, reportNotes, writeReports } from '../report/reporters.js';
import { loadRunFolder } from '../results/load.js';
import { loadFolderPlugins } from '../session/folder-plugins.js';
import { parse } from './args.js';
import { usage } from './commands.js';

export const USAGE = usage('report');

/** Rebuild a run folder's tables and report.html from its results.jsonl. */
export async function report(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, 'report');
  if (positionals.length !== 1)
    throw new CovsweepError('E_USAGE', `expected one run folder; usage: ${USAGE}`);
  const names = values.only?.split(',') ?? Object.keys(REPORTERS);
  const unknown = names.filter((n) => !Object.hasOwn(REPORTERS, n));
  if (unknown.length > 0)
    throw new CovsweepError(
      'E_USAGE',
      `--only: no reporter "${unknown[0]}"; reporters: ${Object.keys(REPORTERS).join(', ')}`,
    );
  return reportFolder(positionals[0], names, values.show as string[] | undefined);
}

async function reportFolder(dir: string, names: string[], show: string[] | undefined): Promise<number> {
  await loadFolderPlugins(dir);
  const folder = loadRunFolder(dir);
  for (const note of folder.notes) process.stderr.write(`covsweep: ${note}\n`);
  for (const id of show ?? []) {
    const r = folder.results.find((x) => x.id === id);
    if (!r) throw new CovsweepError('E_USAGE', `--show ${id}: no run with that id in ${folder.dir}`);
    if (!r.gaussians)
      throw new CovsweepError('E_USAGE', `--show ${id}: that run is not 2-D, so it has no picture`);
  }
  const { written, failed, notes } = await writeReports({ ...folder, show }, names);
  for (const note of reportNotes(folder.dir, { failed, notes })) process.stderr.write(`covsweep: ${note}\n`);
  const summary = written.get('summary.md');
  if (summary) process.stdout.write(summary);
  process.stdout.write(`\nwrote ${[...written.keys()].map((f) => join(folder.dir, f)).join(', ')}\n`);
  return failed.length ? 1 : 0;
}
