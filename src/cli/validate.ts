import { loadSuiteWithPlugins } from '../config/load-plugins.js';
import { runCount } from '../plan/expand.js';
import { oneFile, parse } from './args.js';

export const USAGE = 'covsweep validate FILE';

/** Check an experiment file (each of its experiments): exit 0 when valid, 2 with file:line:col messages when not. */
export async function validate(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, USAGE);
  const s = await loadSuiteWithPlugins(oneFile(positionals, USAGE));
  const [one, ...more] = s.experiments;
  const counts = more.length
    ? `${s.experiments.length} experiments (${s.experiments.map((e) => `${e.name}: ${runCount(e)} runs`).join(', ')})`
    : `${runCount(one)} runs`;
  process.stdout.write(`${s.file}: valid, ${counts}\n`);
  return 0;
}
