import { loadExperiment } from '../config/load.js';
import { runCount } from '../plan/expand.js';
import { oneFile, parse } from './args.js';

export const USAGE = 'covsweep validate FILE';

/** Check an experiment file: exit 0 when valid, 2 with file:line:col messages when not. */
export async function validate(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, USAGE);
  const e = loadExperiment(oneFile(positionals, USAGE));
  process.stdout.write(`${e.file}: valid, ${runCount(e)} runs\n`);
  return 0;
}
