import { CovsweepError } from '../ground/errors.js';
import { loadFolderPlugins } from '../session/folder-plugins.js';
import { mergeSession } from '../session/merge.js';
import { parse } from './args.js';
import { usage } from './commands.js';

export const USAGE = usage('merge');

/** `covsweep merge`: the arguments, then a merge session (src/session/merge.ts); notes go to stderr. */
export async function merge(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, 'merge');
  if (!positionals.length || !values.out)
    throw new CovsweepError('E_USAGE', `give the run folders and --out; usage: ${USAGE}`);
  for (const dir of positionals) await loadFolderPlugins(dir);
  const m = await mergeSession(positionals, values.out, {
    onNote: (note) => process.stderr.write(`covsweep: ${note}\n`),
  });
  process.stdout.write(
    `${m.summary}\nmerged ${positionals.length} folders, ${m.results.length} runs: ${m.dir}\n`,
  );
  return 0;
}
