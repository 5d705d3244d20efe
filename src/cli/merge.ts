import { CovsweepError } from '../ground/errors.js';
import { reportRun } from '../report/reporters.js';
import { mergeFolders } from '../results/merge.js';
import { inPlanOrder } from '../results/order.js';
import { RunFolder } from '../results/store.js';
import { loadFolderPlugins } from '../session/folder-plugins.js';
import { parse } from './args.js';
import { VERSION } from './version.js';

export const USAGE = 'covsweep merge RUN_DIR... --out DIR';

/** Combine run folders of one experiment (its shards) into a new folder with tables over all. */
export async function merge(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string' } }, USAGE);
  if (!positionals.length || !values.out)
    throw new CovsweepError('E_USAGE', `give the run folders and --out; usage: ${USAGE}`);
  for (const dir of positionals) await loadFolderPlugins(dir);
  const m = mergeFolders(positionals, VERSION);
  for (const note of m.notes) process.stderr.write(`covsweep: ${note}\n`);
  const folder = RunFolder.createAt(
    values.out,
    { file: m.copy.file, source: m.copy.text, experiments: m.suite.experiments },
    m.manifest,
  );
  const ordered = inPlanOrder(m.suite, m.results);
  folder.rewriteResults(ordered);
  const summary = await reportRun(folder.dir, m.suite, ordered);
  process.stdout.write(
    `${summary}\nmerged ${positionals.length} folders, ${m.results.length} runs: ${folder.dir}\n`,
  );
  return 0;
}
