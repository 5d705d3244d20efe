import { loadSuiteWithPlugins } from '../config/load-plugins.js';
import { runCount } from '../plan/expand.js';
import { fileAndOverrides, parse } from './args.js';
import { usage } from './commands.js';

export const USAGE = usage('validate');

/** Check an experiment file (each of its experiments): exit 0 when valid, 2 with file:line:col messages when not. */
export async function validate(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, 'validate');
  const { file, overrides } = fileAndOverrides(positionals, 'validate');
  const s = await loadSuiteWithPlugins(file, undefined, overrides);
  const [one, ...more] = s.experiments;
  const counts = more.length
    ? `${s.experiments.length} experiments (${s.experiments.map((e) => `${e.name}: ${runCount(e)} runs`).join(', ')})`
    : `${runCount(one)} runs`;
  process.stdout.write(`${s.file}: valid, ${counts}\n`);
  return 0;
}
